import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { readDeadLetters, replayDeadLetters } from '../../src/adapters/dead-letters.ts';
import { failMarker } from '../fixtures/counter-processor.ts';
import { upsertEvent } from '../fixtures/events.ts';
import { runtimeFixture, waitFor } from '../helpers/runtime.ts';
import { kafkaFor } from '../helpers/services.ts';

test('a dead letter replayed after the fix should reach only the group that failed it and take effect once', async (t) => {
  const fx = await runtimeFixture(t, { partitions: 2 });
  const { kafka } = kafkaFor(t);
  const failing = upsertEvent(7, { description: failMarker });
  await fx.produce([upsertEvent(1), failing, upsertEvent(2)]);

  const broken = fx.start();
  await waitFor(
    () => fx.counts(),
    (c) => c.effects >= 2,
    60_000,
    'the valid events applied',
  );
  const [letter] = await fx.deadLetters(1);
  assert.equal(letter?.errorCode, 'STW_HANDLER_FAILED');
  broken.child.kill('SIGTERM');
  await broken.exited;

  // The fixed build: the same events no longer make handle throw.
  const fixed = fx.start({ failOn: '' });
  const letters = await readDeadLetters(kafka, fx.codec, fx.dlqTopic, { group: fx.names.group });
  assert.deepEqual(
    letters.map((l) => l.id),
    [letter?.id],
  );
  assert.equal(await replayDeadLetters({ kafka, pool: fx.pool, retry: fx.retryTopic, letters }), 1);
  const final = await waitFor(
    () => fx.counts(),
    (c) => c.effects >= 3,
    60_000,
    'the replayed event applied',
  );
  assert.deepEqual(final, { effects: 3, ledger: 3, applications: 3 });
  const applied = await fx.pool.query('SELECT 1 FROM test_effects WHERE event_id = $1', [failing.id]);
  assert.equal(applied.rowCount, 1);

  // Replaying again changes nothing: the event id is in the ledger.
  await replayDeadLetters({ kafka, pool: fx.pool, retry: fx.retryTopic, letters });
  await new Promise((resolve) => setTimeout(resolve, 3000));
  assert.deepEqual(await fx.counts(), { effects: 3, ledger: 3, applications: 3 });
  // Records on the retry topic addressed to another group are ignored.
  assert.equal(
    await readDeadLetters(kafka, fx.codec, fx.dlqTopic, { group: 'some-other-group' }).then((l) => l.length),
    0,
  );
  fixed.child.kill('SIGTERM');
  assert.equal((await fixed.exited).code, 0);
});

test('an original too large for the DLQ topic should be kept in PostgreSQL, referenced by hash, and replayable', async (t) => {
  const fx = await runtimeFixture(t, { partitions: 1 });
  const { kafka } = kafkaFor(t);
  const big = randomBytes(20_000);
  await fx.produceRaw([{ key: upsertEvent(1).asset.urn, value: big }]);
  // A DLQ that inlines at most 4 KiB of original (its max minus the 64 KiB envelope allowance).
  const processor = fx.start({ dlqMaxBytes: 64 * 1024 + 4096 });
  const [letter] = await fx.deadLetters(1);
  assert.ok(letter);
  assert.equal(letter.value, null);
  assert.equal(letter.originalSize, 20_000);
  const stored = await fx.pool.query<{ value: Buffer }>(
    'SELECT value FROM steward_dlq_payloads WHERE sha256 = $1',
    [letter.payloadRef],
  );
  assert.deepEqual(stored.rows[0]?.value, big);

  // Replayed from PostgreSQL, the same bytes fail decoding again: a second dead letter, from the retry topic.
  await replayDeadLetters({ kafka, pool: fx.pool, retry: fx.retryTopic, letters: [letter] });
  const both = await fx.deadLetters(2);
  const again = both.find((l) => l.topic === fx.retryTopic.name);
  assert.equal(again?.originalSize, 20_000);
  assert.equal(again.payloadRef, letter.payloadRef);
  processor.child.kill('SIGTERM');
  await processor.exited;
});
