import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test, type TestContext } from 'node:test';
import { TopicCodec } from '../../src/adapters/registry.ts';
import { fromAvro } from '../../src/contract/avro.ts';
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import { valueSubject, type TopicDeclaration } from '../../src/domain/topic.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { produceFile } from '../../src/producer/produce-file.ts';
import { ChangePublisher, ContractError } from '../../src/producer/publish.ts';
import { changes } from '../../topics/index.ts';
import { upsertEvent } from '../fixtures/events.ts';
import { deleteSubject, kafkaFor, registryClient, type KafkaFixture } from '../helpers/services.ts';

/** Real: Kafka, the schema registry. Nothing is mocked. */

interface Received {
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  readonly event: unknown;
}

/** A fresh copy of the changes topic with its own subject, and a connected publisher for it. */
async function publisherFor(t: TestContext) {
  const kafka = kafkaFor(t);
  const topic: TopicDeclaration = { ...changes, name: await kafka.topic(4) };
  t.after(() => deleteSubject(valueSubject(topic)));
  const publisher = new ChangePublisher({
    kafka: kafka.kafka,
    codec: new TopicCodec(registryClient()),
    topic,
    logger: createLogger({ level: 'silent', name: 'test' }),
  });
  await publisher.connect();
  t.after(() => publisher.disconnect());
  return { kafka, topic, publisher };
}

/**
 * Every record on the topic, decoded, in partition then offset order: reads until `expected` records
 * arrived (or the timeout), then `settleMs` more, so records beyond `expected` would show up too.
 */
async function readAll(
  kafka: KafkaFixture,
  topic: TopicDeclaration,
  expected: number,
  settleMs = 1000,
): Promise<Received[]> {
  const consumer = await kafka.consumer();
  await consumer.subscribe({ topic: topic.name, fromBeginning: true });
  const registry = registryClient();
  // By position: a rebalance of this reader may deliver a record twice; the topic holds it once.
  const received = new Map<string, Received>();
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        if (!m.value) continue;
        const event = fromAvro(await registry.decode(m.value));
        const record = { partition: batch.partition, offset: Number(m.offset), key: String(m.key), event };
        received.set(`${batch.partition}/${m.offset}`, record);
      }
    },
  });
  const deadline = Date.now() + 60_000;
  while (received.size < expected && Date.now() < deadline) await sleep(200);
  await sleep(settleMs);
  await consumer.stop();
  return [...received.values()].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

const idOf = (r: Received): string => (r.event as ChangeEvent).id;

test('ChangePublisher should deliver every event once, keyed by URN and in order per URN, when publishing 2,000 events for 50 URNs', async (t) => {
  const { kafka, topic, publisher } = await publisherFor(t);
  const events = Array.from({ length: 2000 }, (_, i) => upsertEvent(i % 50));

  const result = await publisher.publishChanges(events);
  assert.deepEqual(result, { sent: 2000, batches: 4 });

  const records = await readAll(kafka, topic, events.length);
  const sent = new Map(events.map((e, i) => [e.id, { event: e, index: i }]));
  assert.equal(records.length, events.length);
  assert.equal(new Set(records.map(idOf)).size, events.length, 'every event exactly once');
  const lastIndexPerUrn = new Map<string, number>();
  const partitionPerUrn = new Map<string, number>();
  for (const record of records) {
    const original = sent.get(idOf(record));
    assert.ok(original, `unexpected event ${idOf(record)}`);
    assert.deepEqual(record.event, original.event, 'the event round-trips through Avro');
    assert.equal(record.key, original.event.asset.urn, 'the key is the asset URN');
    const urn = record.key;
    assert.equal(partitionPerUrn.get(urn) ?? record.partition, record.partition, 'one URN, one partition');
    partitionPerUrn.set(urn, record.partition);
    assert.ok(original.index > (lastIndexPerUrn.get(urn) ?? -1), `${urn}: publish order kept`);
    lastIndexPerUrn.set(urn, original.index);
  }
  assert.equal(partitionPerUrn.size, 50);
  assert.ok(new Set(partitionPerUrn.values()).size > 1, 'URNs spread over the partitions');
});

test('ChangePublisher should throw a ContractError naming the index and field and send nothing when one event of the batch is invalid', async (t) => {
  const { kafka, topic, publisher } = await publisherFor(t);
  const before = Array.from({ length: 5 }, (_, i) => upsertEvent(i));
  await publisher.publishChanges(before);

  const batch: unknown[] = Array.from({ length: 20 }, (_, i) => upsertEvent(i));
  const invalid: Partial<ChangeEvent> = upsertEvent(7);
  delete invalid.occurredAt;
  batch[7] = invalid;
  await assert.rejects(publisher.publishChanges(batch), (error: unknown) => {
    assert.ok(error instanceof ContractError);
    assert.equal(error.code, 'STW_CONTRACT_INVALID');
    assert.deepEqual(error.errors, [{ index: 7, path: '/occurredAt', message: 'required property' }]);
    return true;
  });

  const records = await readAll(kafka, topic, before.length, 3000);
  assert.deepEqual(
    records.map(idOf).sort(),
    before.map((e) => e.id).sort(),
    'only the earlier valid batch is on the topic',
  );
});

test('produceFile should send nothing and name the line when a line is invalid, and send the valid lines when skipInvalid is set', async (t) => {
  const { kafka, topic, publisher } = await publisherFor(t);
  const dir = await mkdtemp(join(tmpdir(), 'steward-produce-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const events = Array.from({ length: 6 }, (_, i) => upsertEvent(i));
  const lines = events.map((e) => JSON.stringify(e));
  lines.splice(2, 0, '{"id": "not json');
  const file = join(dir, 'events.ndjson');
  await writeFile(file, `${lines.join('\n')}\n`);

  const refused: string[] = [];
  const first = await produceFile(file, {
    publisher,
    skipInvalid: false,
    out: (line) => refused.push(line),
  });
  assert.deepEqual(first, { sent: 0, invalid: 1, rejected: true });
  assert.match(refused[0] ?? '', /^line 3: invalid JSON: /);
  assert.match(refused.at(-1) ?? '', /nothing sent/);

  const skipped: string[] = [];
  const second = await produceFile(file, {
    publisher,
    skipInvalid: true,
    out: (line) => skipped.push(line),
  });
  assert.deepEqual(second, { sent: 6, invalid: 1, rejected: false });
  assert.match(skipped[0] ?? '', /^line 3: invalid JSON: /);
  assert.equal(skipped.at(-1), 'skipped 1 invalid line(s); sent 6 events in 1 batch(es)');

  const records = await readAll(kafka, topic, events.length, 2000);
  assert.deepEqual(
    records.map(idOf).sort(),
    events.map((e) => e.id).sort(),
    'the valid lines, once: the refused run sent nothing',
  );
});
