import assert from 'node:assert/strict';
import { it } from 'node:test';
import { clusterId } from '../../../src/stack/kafka.ts';

it('should make cluster ids StorageTool can read: 22 URL-safe characters, never a leading dash', () => {
  // One id in 64 would start with '-' if drawn freely: 5,000 draws miss that with odds of about e^-78.
  for (let i = 0; i < 5000; i++) {
    const id = clusterId();
    assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  }
});
