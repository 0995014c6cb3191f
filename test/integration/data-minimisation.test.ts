import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import { failMarker } from '../fixtures/counter-processor.ts';
import { upsertEvent } from '../fixtures/events.ts';
import { samplesInPostgres } from '../helpers/leaks.ts';
import { runtimeFixture, waitFor } from '../helpers/runtime.ts';

/** An upsert with a profile whose samples are unique sentinels, so any copy of them can be found. */
function withSamples(table: number, sentinel: string, description = 'profiled'): ChangeEvent {
  const event = upsertEvent(table, { description });
  return {
    ...event,
    profile: {
      rowCount: 10,
      profiledAt: event.occurredAt,
      sampleSize: 2,
      columns: [
        {
          name: 'email',
          nullCount: 0,
          distinctCount: 2,
          min: null,
          max: null,
          valueType: 'string',
          samples: [`${sentinel}@example.com`, `${sentinel}-2@example.com`],
        },
      ],
    },
  };
}

test('sample values should reach no runtime table, log line or derived event, even when their event is dead-lettered', async (t) => {
  const fx = await runtimeFixture(t, { partitions: 2 });
  const sentinels = Array.from({ length: 20 }, () => `sample-${randomUUID()}`);
  const events = sentinels.map((s, i) => withSamples(i, s, i === 0 ? failMarker : 'profiled'));
  await fx.produce(events);
  const processor = fx.start();
  await waitFor(
    () => fx.counts(),
    (c) => c.effects >= 19,
    60_000,
    'the events applied',
  );
  const [letter] = await fx.deadLetters(1);
  processor.child.kill('SIGTERM');
  await processor.exited;

  const { rows } = await fx.pool.query<{ schema: string }>('SELECT current_schema() AS schema');
  assert.deepEqual(await samplesInPostgres(fx.pool, rows[0]?.schema ?? '', sentinels), []);
  const logs = processor.output();
  assert.deepEqual(
    sentinels.filter((s) => logs.includes(s)),
    [],
    'no log line carries a sample',
  );
  const outputs = JSON.stringify(await fx.outputs(19));
  assert.deepEqual(
    sentinels.filter((s) => outputs.includes(s)),
    [],
    'no derived event carries a sample',
  );
  // The dead letter keeps the original bytes (that is its job), and its error message quotes no value.
  assert.ok(letter);
  assert.ok(letter.value?.includes(sentinels[0] ?? '-'));
  assert.ok(!letter.errorMessage.includes(sentinels[0] ?? '-'));

  // The scan itself can fail: a sample written to any table is found.
  await fx.pool.query('INSERT INTO test_effects (event_id, urn) VALUES ($1, $2)', [
    randomUUID(),
    `x ${sentinels[5] ?? ''} x`,
  ]);
  assert.deepEqual(await samplesInPostgres(fx.pool, rows[0]?.schema ?? '', sentinels), [
    `test_effects: ${sentinels[5] ?? ''}`,
  ]);
});
