import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Partitioners, type Kafka, type ProducerConfig, type ProducerRecord } from 'kafkajs';
import type { TopicCodec } from '../../../src/adapters/registry.ts';
import { toAvro } from '../../../src/contract/avro.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import type { TopicDeclaration } from '../../../src/domain/topic.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { ChangePublisher, ContractError, PublishError } from '../../../src/producer/publish.ts';
import { changes } from '../../../topics/index.ts';
import { upsertEvent } from '../../fixtures/events.ts';

/** Mocked: Kafka (a recording producer) and the registry (JSON bytes instead of Avro). Nothing is real. */
function fixture(options: { maxMessageBytes?: number; failOnSend?: number; batchSize?: number } = {}) {
  const sends: ProducerRecord[] = [];
  const configs: ProducerConfig[] = [];
  const kafka = {
    producer: (config: ProducerConfig) => {
      configs.push(config);
      return {
        connect: () => Promise.resolve(),
        disconnect: () => Promise.resolve(),
        send: (record: ProducerRecord) => {
          if (sends.length + 1 === options.failOnSend) return Promise.reject(new Error('broker gone'));
          sends.push(record);
          return Promise.resolve([]);
        },
      };
    },
  } as unknown as Kafka;
  const codec = {
    encode: (_topic: TopicDeclaration, value: unknown) => Promise.resolve(Buffer.from(JSON.stringify(value))),
  } as unknown as TopicCodec;
  const topic: TopicDeclaration = {
    ...changes,
    name: 'test-changes',
    config: {
      ...changes.config,
      'max.message.bytes': options.maxMessageBytes ?? changes.config['max.message.bytes'],
    },
  };
  const publisher = new ChangePublisher({
    kafka,
    codec,
    topic,
    logger: createLogger({ level: 'silent', name: 'test' }),
    ...(options.batchSize !== undefined && { batchSize: options.batchSize }),
  });
  return { publisher, sends, configs };
}

/** What the fake codec makes of an event, plus its key: the bytes the publisher counts (before framing). */
const encodedSize = (event: ChangeEvent): number =>
  Buffer.byteLength(JSON.stringify(toAvro(event))) + Buffer.byteLength(event.asset.urn);

describe('ChangePublisher', () => {
  it('should use an idempotent producer with one request in flight and the Java-compatible partitioner when built', () => {
    const { configs } = fixture();
    assert.deepEqual(configs, [
      { idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner },
    ]);
  });

  it('should send batches of at most 500 messages, keyed by URN, in order when given 1,200 events', async () => {
    const { publisher, sends } = fixture();
    const events = Array.from({ length: 1200 }, (_, i) => upsertEvent(i % 7));
    assert.deepEqual(await publisher.publishChanges(events), { sent: 1200, batches: 3 });
    assert.deepEqual(
      sends.map((s) => s.messages.length),
      [500, 500, 200],
    );
    const messages = sends.flatMap((s) => s.messages);
    assert.deepEqual(
      messages.map((m) => m.key),
      events.map((e) => e.asset.urn),
    );
    for (const send of sends) {
      assert.equal(send.topic, 'test-changes');
      assert.equal(send.acks, -1);
    }
  });

  it("should split a batch by bytes when its messages exceed the topic's max.message.bytes", async () => {
    const events = Array.from({ length: 10 }, (_, i) => upsertEvent(i));
    const size = Math.max(...events.map(encodedSize));
    // Room for three messages (and their framing) per send, plus the batch overhead; not for four.
    const { publisher, sends } = fixture({ maxMessageBytes: 1024 + 3 * (size + 32) });
    assert.deepEqual(await publisher.publishChanges(events), { sent: 10, batches: 4 });
    assert.deepEqual(
      sends.map((s) => s.messages.length),
      [3, 3, 3, 1],
    );
  });

  it('should throw a ContractError with every problem and send nothing when several events are invalid', async () => {
    const { publisher, sends } = fixture();
    const events: unknown[] = [upsertEvent(1), { ...upsertEvent(2), id: 'nope' }, upsertEvent(3), 42];
    await assert.rejects(publisher.publishChanges(events), (error: unknown) => {
      assert.ok(error instanceof ContractError);
      assert.deepEqual(
        error.errors.map((e) => [e.index, e.path]),
        [
          [1, '/id'],
          [3, '/'],
        ],
      );
      assert.match(error.message, /nothing sent; first: \[1\] \/id: must be a UUID/);
      return true;
    });
    assert.equal(sends.length, 0);
  });

  it('should throw a ContractError naming the event and send nothing when one event is too large for the topic', async () => {
    const small = upsertEvent(1);
    const large = upsertEvent(2, { description: 'x'.repeat(5000) });
    const { publisher, sends } = fixture({ maxMessageBytes: 1024 + encodedSize(small) + 500 });
    await assert.rejects(publisher.publishChanges([small, large]), (error: unknown) => {
      assert.ok(error instanceof ContractError);
      assert.equal(error.errors.length, 1);
      assert.equal(error.errors[0]?.index, 1);
      assert.match(error.errors[0]?.message ?? '', /^encodes to \d+ bytes; the topic accepts \d+$/);
      return true;
    });
    assert.equal(sends.length, 0);
  });

  it('should throw a PublishError saying how many events were sent when a later send fails', async () => {
    const { publisher, sends } = fixture({ failOnSend: 2, batchSize: 4 });
    const events = Array.from({ length: 10 }, (_, i) => upsertEvent(i));
    await assert.rejects(publisher.publishChanges(events), (error: unknown) => {
      assert.ok(error instanceof PublishError);
      assert.equal(error.sent, 4);
      assert.match(error.message, /after 4 of 10 events/);
      assert.match((error.cause as Error).message, /broker gone/);
      return true;
    });
    assert.equal(sends.length, 1);
  });

  it('should send nothing and report zero when given no events', async () => {
    const { publisher, sends } = fixture();
    assert.deepEqual(await publisher.publishChanges([]), { sent: 0, batches: 0 });
    assert.equal(sends.length, 0);
  });
});
