import type { Producer } from 'kafkajs';
import type { TopicDeclaration } from '../domain/topic.ts';
import { inTransaction, type Pool } from './postgres/pool.ts';
import type { OutboxRow } from './postgres/state-store.ts';
import type { TopicCodec } from './registry.ts';

/**
 * Publishes outbox rows after their transaction committed, then marks them published. If the process dies
 * in between, `sweep` (run periodically by every instance, rows locked with SKIP LOCKED so instances never
 * publish the same row twice at once) publishes what was left: a committed change is always delivered.
 * Delivery is at-least-once; consumers are idempotent on the key and the revision the value carries.
 */
export class OutboxRelay {
  readonly #pool: Pool;
  readonly #producer: Producer;
  readonly #codec: TopicCodec;
  readonly #topics: ReadonlyMap<string, TopicDeclaration>;

  constructor(pool: Pool, producer: Producer, codec: TopicCodec, topics: readonly TopicDeclaration[]) {
    this.#pool = pool;
    this.#producer = producer;
    this.#codec = codec;
    this.#topics = new Map(topics.map((t) => [t.name, t]));
  }

  async #send(rows: readonly OutboxRow[]): Promise<void> {
    const byTopic = new Map<string, OutboxRow[]>();
    for (const row of rows) byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
    const topicMessages = await Promise.all(
      [...byTopic].map(async ([name, topicRows]) => {
        const topic = this.#topics.get(name);
        if (!topic) throw new Error(`outbox names undeclared topic ${name}`);
        const messages = await Promise.all(
          topicRows.map(async (row) => ({
            key: row.key,
            value: await this.#codec.encode(topic, row.value),
            headers: row.headers,
          })),
        );
        return { topic: name, messages };
      }),
    );
    await this.#producer.sendBatch({ topicMessages, acks: -1 });
  }

  /** The fast path: publish the rows a batch just committed. */
  async publish(rows: readonly OutboxRow[]): Promise<void> {
    if (!rows.length) return;
    await this.#send(rows);
    await this.#pool.query('UPDATE steward_outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [
      rows.map((r) => r.id),
    ]);
  }

  /** Publishes rows left unpublished for longer than `olderThanMs` (their publisher died), all of them. */
  async sweep(processor: string, olderThanMs: number, limit = 1000): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.#sweepOnce(processor, olderThanMs, limit);
      total += published;
      if (published < limit) return total;
    }
  }

  async #sweepOnce(processor: string, olderThanMs: number, limit: number): Promise<number> {
    return inTransaction(this.#pool, async (client) => {
      const { rows } = await client.query<OutboxRow>(
        `SELECT id, topic, key, value, headers FROM steward_outbox
         WHERE processor = $1 AND published_at IS NULL
           AND created_at < now() - make_interval(secs => $2::double precision / 1000)
         ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [processor, olderThanMs, limit],
      );
      if (rows.length) {
        await this.#send(rows);
        await client.query('UPDATE steward_outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [
          rows.map((r) => r.id),
        ]);
      }
      return rows.length;
    });
  }

  /** Deletes published rows older than `olderThanMs`. */
  async prune(processor: string, olderThanMs: number): Promise<number> {
    const result = await this.#pool.query(
      `DELETE FROM steward_outbox WHERE processor = $1 AND published_at < now() - make_interval(secs => $2::double precision / 1000)`,
      [processor, olderThanMs],
    );
    return result.rowCount ?? 0;
  }
}
