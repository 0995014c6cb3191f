import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO_TABLES } from '../../../src/demo/catalog.ts';
import { STORY, initialEvents, urnOf } from '../../../src/demo/events.ts';
import { validateChangeEvent } from '../../../src/domain/change-event.ts';

const at = new Date('2026-12-06T08:00:00Z');

describe('the demo events', () => {
  it('should be valid change events: an upsert and a profile per table, then the story', () => {
    const first = initialEvents(at);
    assert.equal(first.length, DEMO_TABLES.length * 2);
    const story = STORY.flatMap((step, i) => step.events(new Date(at.getTime() + i * 60_000), 1));
    for (const event of [...first, ...story]) {
      const checked = validateChangeEvent(event);
      assert.ok(
        checked.ok,
        `${event.asset.urn} ${event.kind}: ${JSON.stringify(checked.ok ? [] : checked.errors)}`,
      );
    }
    assert.deepEqual(
      [...new Set(story.map((e) => e.kind))].sort(),
      ['delete', 'profile', 'upsert'],
      'the story adds, drops and retypes columns, profiles, deletes',
    );
  });

  it('should cover four sources on three platforms, with the classes the demo walks through', () => {
    assert.deepEqual([...new Set(DEMO_TABLES.map((t) => t.platform))].sort(), [
      'mysql',
      'postgres',
      'snowflake',
    ]);
    assert.equal(new Set(DEMO_TABLES.map((t) => t.instance)).size, 4);
    const samples = initialEvents(at).flatMap((e) => e.profile?.columns.flatMap((c) => c.samples) ?? []);
    assert.ok(
      samples.some((s) => /^[^@\s]+@[^@\s]+\.[a-z]+$/.test(s)),
      'e-mail addresses',
    );
    assert.ok(
      samples.some((s) => /^4\d{12,18}$/.test(s)),
      'card numbers',
    );
    assert.ok(
      samples.some((s) => /^DE\d{20}$/.test(s)),
      'IBANs',
    );
  });

  it('should be the same for a seed (ids and values), and differ for another', () => {
    const a = initialEvents(at, 1);
    assert.deepEqual(initialEvents(at, 1), a);
    const b = initialEvents(at, 2);
    assert.notEqual(b[0]?.id, a[0]?.id);
    assert.notDeepEqual(b[1]?.profile?.columns[1]?.samples, a[1]?.profile?.columns[1]?.samples);
    assert.equal(new Set(DEMO_TABLES.map(urnOf)).size, DEMO_TABLES.length, 'one URN per table');
  });
});
