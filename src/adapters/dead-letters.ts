import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka } from 'kafkajs';
import type { TopicDeclaration } from '../domain/topic.ts';
import type { DeadLetter } from '../runtime/dead-letter.ts';
import { headerNames } from '../runtime/records.ts';
import type { Pool } from './postgres/pool.ts';
import type { TopicCodec } from './registry.ts';

export interface DeadLetterFilter {
  readonly group?: string;
  readonly code?: string;
  readonly topic?: string;
  readonly ids?: readonly string[];
}

function matches(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  return (
    (!filter.group || letter.group === filter.group) &&
    (!filter.code || letter.errorCode === filter.code) &&
    (!filter.topic || letter.topic === filter.topic) &&
    (!filter.ids?.length || filter.ids.includes(letter.id))
  );
}

/**
 * Reads the DLQ topic from the beginning up to its current end, without joining or committing for any
 * consumer group. A dead letter published twice (same id) is listed once.
 */
export async function readDeadLetters(
  kafka: Kafka,
  codec: TopicCodec,
  dlq: TopicDeclaration,
  filter: DeadLetterFilter = {},
): Promise<DeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(dlq.name).finally(() => admin.disconnect());
  const remaining = new Map(
    ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, BigInt(p.high) - 1n]),
  );
  const letters = new Map<string, DeadLetter>();
  if (!remaining.size) return [];
  const consumer = kafka.consumer({ groupId: `steward-dlq-reader-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: dlq.name, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              if (message.value) {
                const letter = (await codec.decode(message.value)) as DeadLetter;
                if (matches(letter, filter)) letters.set(letter.id, letter);
              }
              if (BigInt(message.offset) >= (remaining.get(batch.partition) ?? -1n))
                remaining.delete(batch.partition);
            }
            if (!remaining.size) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return [...letters.values()];
}

/**
 * Re-delivers dead letters to the consumer group that failed them: each original (key, value, headers)
 * goes to the retry topic with a header naming that group, which every instance of every processor reads
 * and only that group acts on. Originals kept in PostgreSQL (too large for the DLQ) are fetched by hash.
 */
export async function replayDeadLetters(options: {
  kafka: Kafka;
  pool: Pool;
  retry: TopicDeclaration;
  letters: readonly DeadLetter[];
}): Promise<number> {
  if (!options.letters.length) return 0;
  const messages = await Promise.all(
    options.letters.map(async (letter) => {
      let value = letter.value;
      if (value === null && letter.payloadRef) {
        const { rows } = await options.pool.query<{ value: Buffer }>(
          'SELECT value FROM steward_dlq_payloads WHERE sha256 = $1',
          [letter.payloadRef],
        );
        value = rows[0]?.value ?? null;
        if (value === null)
          throw new Error(
            `dead letter ${letter.id}: payload ${letter.payloadRef} is missing from PostgreSQL`,
          );
      }
      const headers: Record<string, Buffer | string> = {};
      for (const header of letter.headers) if (header.value !== null) headers[header.key] = header.value;
      headers[headerNames.retryGroup] = letter.group;
      headers[headerNames.retryOriginalTopic] = letter.topic;
      headers[headerNames.retryDeadLetterId] = letter.id;
      return { key: letter.key, value, headers };
    }),
  );
  const producer = options.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    await producer.send({ topic: options.retry.name, messages, acks: -1 });
  } finally {
    await producer.disconnect();
  }
  return messages.length;
}
