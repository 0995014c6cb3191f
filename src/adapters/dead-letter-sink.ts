import type { Producer } from 'kafkajs';
import type { TopicDeclaration } from '../domain/topic.ts';
import { deadLetterFor, type DeadLetter } from '../runtime/dead-letter.ts';
import type { DeadRecord } from '../runtime/records.ts';
import type { Pool } from './postgres/pool.ts';
import type { TopicCodec } from './registry.ts';

/** Room for the dead letter's own fields and headers within the DLQ topic's max message size. */
const envelopeBytes = 64 * 1024;

/** Publishes dead letters to the DLQ topic, storing originals too large for it in PostgreSQL first. */
export class DeadLetterSink {
  readonly #producer: Producer;
  readonly #codec: TopicCodec;
  readonly #pool: Pool;
  readonly #topic: TopicDeclaration;
  readonly #context: { group: string; processor: string };

  constructor(options: {
    producer: Producer;
    codec: TopicCodec;
    pool: Pool;
    topic: TopicDeclaration;
    group: string;
    processor: string;
  }) {
    this.#producer = options.producer;
    this.#codec = options.codec;
    this.#pool = options.pool;
    this.#topic = options.topic;
    this.#context = { group: options.group, processor: options.processor };
  }

  async publish(dead: readonly DeadRecord[]): Promise<DeadLetter[]> {
    if (!dead.length) return [];
    const maxInline = this.#topic.config['max.message.bytes'] - envelopeBytes;
    const built = dead.map((d) => deadLetterFor(d, { ...this.#context, maxInline }));
    const oversized = built.flatMap((b) => (b.oversized ? [b.oversized] : []));
    if (oversized.length) {
      await this.#pool.query(
        `INSERT INTO steward_dlq_payloads (sha256, value) SELECT * FROM unnest($1::text[], $2::bytea[]) ON CONFLICT DO NOTHING`,
        [oversized.map((o) => o.sha256), oversized.map((o) => o.value)],
      );
    }
    const messages = await Promise.all(
      built.map(async ({ letter }) => ({
        key: letter.key,
        value: await this.#codec.encode(this.#topic, letter),
      })),
    );
    await this.#producer.send({ topic: this.#topic.name, messages, acks: -1 });
    return built.map((b) => b.letter);
  }
}
