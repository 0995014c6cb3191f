import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import pg from 'pg';
import { migrate } from '../../src/adapters/postgres/migrate.ts';
import { TopicCodec } from '../../src/adapters/registry.ts';
import { acceptChangeEvent } from '../../src/contract/accept.ts';
import { toAvro } from '../../src/contract/avro.ts';
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import { define } from '../../src/domain/processor.ts';
import { valueSubject } from '../../src/domain/topic.ts';
import type { DeadLetter } from '../../src/runtime/dead-letter.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { RuntimeMetrics } from '../../src/runtime/metrics.ts';
import { startProcessor } from '../../src/runtime/processor-runtime.ts';
import { changes, dlq, retry } from '../../topics/index.ts';
import { upsertEvent } from '../fixtures/events.ts';
import { waitFor } from '../helpers/runtime.ts';
import {
  deleteSubject,
  elasticsearchFor,
  endpoints,
  kafkaFor,
  postgresSchemaFor,
  registryClient,
  uniqueName,
} from '../helpers/services.ts';

test('a document Elasticsearch refuses for its content should dead-letter its event and commit nothing of it', async (t) => {
  const kafka = kafkaFor(t);
  const { client, newIndex } = elasticsearchFor(t);
  const { pool, schema } = await postgresSchemaFor(t);
  await migrate({ databaseUrl: endpoints().databaseUrl, schema });
  const index = newIndex();
  const alias = `${index}-alias`;
  await client.indices.create({
    index,
    mappings: { dynamic: 'strict', properties: { urn: { type: 'keyword' }, name: { type: 'keyword' } } },
    aliases: { [alias]: { is_write_index: true } },
  });
  const input = { ...changes, name: await kafka.topic(2) };
  const dlqTopic = { ...dlq, name: await kafka.topic(1) };
  const retryTopic = { ...retry, name: await kafka.topic(2) };
  t.after(async () => {
    for (const topic of [input, dlqTopic]) await deleteSubject(valueSubject(topic));
  });
  const name = uniqueName('docs');
  const processor = define<ChangeEvent, { n: number }>({
    name,
    group: uniqueName('docs-group'),
    consumes: [input],
    produces: [],
    idempotency: 'ledger',
    accept: (value, _topic, key) => acceptChangeEvent(value, key),
    eventId: (event) => event.id,
    handle: (event, state) => ({
      state: { n: (state?.n ?? 0) + 1 },
      effects: {
        documents: [
          {
            index: alias,
            id: event.key,
            version: (state?.n ?? 0) + 1,
            // The strict mapping has no field `unexpected`: Elasticsearch refuses this document.
            document:
              event.value.asset.description === 'BAD'
                ? { urn: event.key, unexpected: 1 }
                : { urn: event.key, name: event.value.asset.name },
          },
        ],
      },
    }),
  });
  const processorPool = new pg.Pool({
    connectionString: endpoints().databaseUrl,
    options: `-c search_path=${schema}`,
    max: 4,
  });
  t.after(() => processorPool.end());
  const running = await startProcessor({
    processor,
    kafka: kafka.kafka,
    codec: new TopicCodec(registryClient()),
    pool: processorPool,
    elasticsearch: client,
    logger: createLogger({ level: 'silent', name: 'test' }),
    metrics: new RuntimeMetrics(new Registry()),
    dlqTopic,
    retryTopic,
    consumer: {
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 500,
      partitionsConsumedConcurrently: 2,
      maxBytesPerPartition: 256 * 1024,
      fromBeginning: true,
    },
    retry: { initialMs: 100, maxMs: 1000, attemptsBeforePause: 3, pauseMs: 1000 },
    outboxSweepAfterMs: 10_000,
  });
  t.after(() => running.stop());

  const good = [1, 2, 3].map((i) => upsertEvent(i));
  const bad = upsertEvent(9, { description: 'BAD' });
  const codec = new TopicCodec(registryClient());
  const producer = await kafka.producer();
  await producer.send({
    topic: input.name,
    messages: await Promise.all(
      [...good, bad].map(async (e) => ({ key: e.asset.urn, value: await codec.encode(input, toAvro(e)) })),
    ),
  });

  await waitFor(
    async () => (await client.count({ index: alias })).count,
    (n) => n === 3,
    60_000,
    'the three good documents',
  );
  const consumer = await kafka.consumer();
  await consumer.subscribe({ topic: dlqTopic.name, fromBeginning: true });
  const letters: DeadLetter[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.value) letters.push((await codec.decode(message.value)) as DeadLetter);
    },
  });
  await waitFor(
    () => Promise.resolve(letters.length),
    (n) => n >= 1,
    30_000,
    'the dead letter',
  );
  await sleep(1000);

  assert.equal(new Set(letters.map((l) => l.id)).size, 1);
  assert.equal(letters[0]?.errorCode, 'STW_DOCUMENT_REJECTED');
  assert.equal(letters[0]?.key?.toString(), bad.asset.urn);
  assert.match(letters[0]?.errorMessage ?? '', /strict_dynamic_mapping_exception/);
  const ledger = await pool.query<{ event_id: string }>(
    'SELECT event_id FROM steward_applied_events WHERE processor = $1',
    [name],
  );
  assert.deepEqual(
    ledger.rows.map((r) => r.event_id).sort(),
    good.map((e) => e.id).sort(),
    'the refused event is not in the ledger',
  );
  const badState = await pool.query('SELECT 1 FROM steward_state WHERE processor = $1 AND key = $2', [
    name,
    bad.asset.urn,
  ]);
  assert.equal(badState.rowCount, 0, 'nothing of the refused event was committed');
});
