import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { toAvro } from '../../src/contract/avro.ts';
import { upsertEvent } from '../fixtures/events.ts';
import { failMarker } from '../fixtures/counter-processor.ts';
import { metricsOf, runtimeFixture, waitFor } from '../helpers/runtime.ts';

/** 40 bytes the runtime cannot decode: a wrong magic byte, or magic 0 with an unknown schema id. */
function undecodable(i: number): Buffer {
  const bytes = randomBytes(40);
  if (i % 2 === 0) {
    bytes[0] = 0xff;
  } else {
    bytes[0] = 0;
    bytes.writeInt32BE(0x7fff_0000 + i, 1);
  }
  return bytes;
}

test('the runtime should dead-letter every poison record with its reason and apply every valid event exactly once', async (t) => {
  const fx = await runtimeFixture(t, { partitions: 4 });
  const valid = Array.from({ length: 10_000 }, (_, i) => upsertEvent(i % 500));
  const failing = upsertEvent(1, { description: failMarker });

  // Interleave: after every 100 valid events, one undecodable and one contract-invalid record.
  for (let chunk = 0; chunk < 100; chunk++) {
    await fx.produce(valid.slice(chunk * 100, chunk * 100 + 100));
    const bad = upsertEvent(chunk);
    await fx.produceRaw([
      // Undecodable: half not in the wire format at all, half naming a schema id the registry never issued.
      { key: bad.asset.urn, value: undecodable(chunk) },
      // Valid Avro, but the id is not a UUID: the contract refuses it.
      { key: bad.asset.urn, value: await fx.encode(toAvro({ ...bad, id: `not-a-uuid-${chunk}` })) },
    ]);
    if (chunk === 50) await fx.produce([failing]);
  }

  const processor = fx.start();
  const counts = await waitFor(
    () => fx.counts(),
    (c) => c.effects >= 10_000,
    180_000,
    'all valid events applied',
  );
  const letters = await fx.deadLetters(201);
  const metrics = await metricsOf(processor);
  processor.child.kill('SIGTERM');
  assert.equal((await processor.exited).code, 0);

  assert.deepEqual(
    counts,
    { effects: 10_000, ledger: 10_000, applications: 10_000 },
    'each valid event applied exactly once',
  );
  const byCode = Map.groupBy(letters, (l) => l.errorCode);
  assert.equal(byCode.get('STW_DECODE_FAILED')?.length, 50);
  assert.equal(byCode.get('STW_SCHEMA_UNKNOWN')?.length, 50);
  assert.equal(byCode.get('STW_CONTRACT_INVALID')?.length, 100);
  assert.equal(byCode.get('STW_HANDLER_FAILED')?.length, 1);
  assert.equal(letters.length, 201);
  for (const letter of byCode.get('STW_CONTRACT_INVALID') ?? [])
    assert.match(letter.errorMessage, /\/id: must be a UUID/);
  const handler = byCode.get('STW_HANDLER_FAILED')?.[0];

  assert.ok(handler);
  assert.match(handler.errorMessage, /fixture handler failure/);
  assert.equal(handler.key?.toString(), failing.asset.urn);
  // The original bytes are kept: the undecodable ones are exactly what was produced (40 random bytes).
  for (const letter of [
    ...(byCode.get('STW_DECODE_FAILED') ?? []),
    ...(byCode.get('STW_SCHEMA_UNKNOWN') ?? []),
  ]) {
    assert.equal(letter.value?.length, 40);
  }
  // The same story in the processor's own metrics.
  const sample = (name: string, labels: string): number =>
    Number(new RegExp(`^${name}\\{[^}]*${labels}[^}]*\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? NaN);
  assert.equal(sample('steward_events_total', 'outcome="processed"'), 10_000);
  assert.equal(sample('steward_events_total', 'outcome="dead"'), 201);
  assert.equal(sample('steward_dlq_total', 'code="STW_DECODE_FAILED"'), 50);
  assert.equal(sample('steward_dlq_total', 'code="STW_SCHEMA_UNKNOWN"'), 50);
  assert.match(metrics, /steward_end_to_end_latency_seconds_bucket/);
  assert.match(metrics, /steward_consumer_lag\{/);
  for (const letter of letters) {
    assert.equal(letter.topic, fx.names.input);
    assert.equal(letter.group, fx.names.group);
  }
});
