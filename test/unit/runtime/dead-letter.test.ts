import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { deadLetterFor } from '../../../src/runtime/dead-letter.ts';
import { changes } from '../../../topics/index.ts';
import type { DeadRecord } from '../../../src/runtime/records.ts';

const dead = (value: Buffer | null): DeadRecord => ({
  record: {
    topic: changes.name,
    partition: 3,
    offset: '42',
    key: Buffer.from('urn:x'),
    value,
    headers: { trace: Buffer.from('t1') },
    timestamp: '1700000000000',
  },
  code: 'STW_CONTRACT_INVALID',
  message: '/occurredAt: required property',
});

describe('deadLetterFor', () => {
  it('should keep the original key, value, headers and position with the reason', () => {
    const { letter, oversized } = deadLetterFor(dead(Buffer.from([0, 1, 2])), {
      group: 'g',
      processor: 'p',
      maxInline: 100,
    });
    assert.equal(oversized, undefined);
    assert.deepEqual(letter.value, Buffer.from([0, 1, 2]));
    assert.deepEqual(letter.key, Buffer.from('urn:x'));
    assert.deepEqual(letter.headers, [{ key: 'trace', value: Buffer.from('t1') }]);
    assert.equal(letter.topic, changes.name);
    assert.equal(letter.partition, 3);
    assert.equal(letter.offset, '42');
    assert.equal(letter.errorCode, 'STW_CONTRACT_INVALID');
    assert.equal(letter.group, 'g');
    assert.equal(letter.originalSize, 3);
    const again = deadLetterFor(dead(Buffer.from([0, 1, 2])), { group: 'g', processor: 'p', maxInline: 100 });
    assert.equal(again.letter.id, letter.id, 'one record in one group: one dead-letter id');
    const otherGroup = deadLetterFor(dead(Buffer.from([0, 1, 2])), {
      group: 'h',
      processor: 'p',
      maxInline: 100,
    });
    assert.notEqual(otherGroup.letter.id, letter.id);
  });

  it('should leave out a value larger than maxInline and reference it by its SHA-256', () => {
    const big = Buffer.alloc(1000, 7);
    const { letter, oversized } = deadLetterFor(dead(big), { group: 'g', processor: 'p', maxInline: 999 });
    const sha = createHash('sha256').update(big).digest('hex');
    assert.equal(letter.value, null);
    assert.equal(letter.payloadRef, sha);
    assert.equal(letter.originalSize, 1000);
    assert.deepEqual(oversized, { sha256: sha, value: big });
  });
});
