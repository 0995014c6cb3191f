import type { RowWrite } from '../../domain/processor.ts';
import { TransientError } from '../../errors.ts';
import type { BatchPlan, PlannedEmit, Versioned } from '../../runtime/plan.ts';
import { inTransaction, type Pool, type PoolClient } from './pool.ts';

export interface OutboxRow {
  readonly id: string;
  readonly topic: string;
  readonly key: string;
  readonly value: unknown;
  readonly headers: Record<string, string>;
}

/**
 * Writes records to publish into the transactional outbox (`client` is inside the transaction that made
 * the change they describe), in order; the relay publishes them after the commit.
 */
export async function insertOutbox(
  client: PoolClient,
  processor: string,
  records: readonly Omit<OutboxRow, 'id'>[],
): Promise<OutboxRow[]> {
  if (!records.length) return [];
  const result = await client.query<{ id: string }>(
    `INSERT INTO steward_outbox (processor, topic, key, value, headers)
     SELECT $1, t, k, v, h FROM unnest($2::text[], $3::text[], $4::jsonb[], $5::jsonb[]) WITH ORDINALITY AS u(t, k, v, h, n)
     ORDER BY n RETURNING id`,
    [
      processor,
      records.map((r) => r.topic),
      records.map((r) => r.key),
      records.map((r) => (r.value === null ? null : JSON.stringify(r.value))),
      records.map((r) => JSON.stringify(r.headers)),
    ],
  );
  return result.rows.map((row, i) => {
    const record = records[i];
    if (!record) throw new Error('outbox row without its record');
    return { id: row.id, ...record };
  });
}

export interface Loaded<S> {
  readonly states: Map<string, Versioned<S>>;
  readonly applied: Set<string>;
}

/**
 * A processor's keyed state, exactly-once ledger, own rows and outbox in PostgreSQL. `commit` writes a
 * batch's plan in one transaction; a key whose version moved since `load` (another instance wrote it,
 * e.g. during a rebalance) or an event id another instance applied meanwhile aborts the whole
 * transaction with a retriable conflict, and the runtime reloads and replans.
 */
export class PostgresStateStore<S> {
  readonly #pool: Pool;
  readonly #processor: string;
  readonly #tables: ReadonlySet<string>;

  constructor(pool: Pool, processor: string, tables: readonly string[] = []) {
    this.#pool = pool;
    this.#processor = processor;
    this.#tables = new Set(tables);
  }

  async load(keys: readonly string[], eventIds: readonly string[]): Promise<Loaded<S>> {
    const [states, applied] = await Promise.all([
      this.#pool.query<{ key: string; version: string; state: S }>(
        'SELECT key, version, state FROM steward_state WHERE processor = $1 AND key = ANY($2::text[])',
        [this.#processor, keys],
      ),
      this.#pool.query<{ event_id: string }>(
        'SELECT event_id FROM steward_applied_events WHERE processor = $1 AND event_id = ANY($2::text[])',
        [this.#processor, eventIds],
      ),
    ]);
    return {
      states: new Map(states.rows.map((r) => [r.key, { version: Number(r.version), state: r.state }])),
      applied: new Set(applied.rows.map((r) => r.event_id)),
    };
  }

  /** Applies the plan; returns the outbox rows it wrote, for the relay to publish. */
  async commit(
    plan: BatchPlan<S>,
    headersFor: (emit: PlannedEmit) => Record<string, string>,
  ): Promise<OutboxRow[]> {
    return inTransaction(this.#pool, async (client) => {
      await this.#ledger(
        client,
        plan.applied.map((e) => e.id),
      );
      await this.#states(client, plan);
      for (const row of plan.rows) await this.#row(client, row);
      return this.#outbox(client, plan.emits, headersFor);
    });
  }

  async #ledger(client: PoolClient, ids: string[]): Promise<void> {
    if (!ids.length) return;
    const inserted = await client.query(
      `INSERT INTO steward_applied_events (processor, event_id) SELECT $1, unnest($2::text[])
       ON CONFLICT DO NOTHING`,
      [this.#processor, ids],
    );
    if (inserted.rowCount !== ids.length) {
      throw new TransientError(
        'an event of this batch was applied by another instance',
        undefined,
        'STW_VERSION_CONFLICT',
      );
    }
  }

  async #states(client: PoolClient, plan: BatchPlan<S>): Promise<void> {
    const created = plan.changes.filter((c) => c.expectedVersion === null && c.next !== null);
    const updated = plan.changes.filter((c) => c.expectedVersion !== null && c.next !== null);
    const deleted = plan.changes.filter((c) => c.expectedVersion !== null && c.next === null);
    const results = [
      created.length
        ? await client.query(
            `INSERT INTO steward_state (processor, key, version, state)
             SELECT $1, k, 1, s FROM unnest($2::text[], $3::jsonb[]) AS u(k, s) ON CONFLICT DO NOTHING`,
            [this.#processor, created.map((c) => c.key), created.map((c) => JSON.stringify(c.next))],
          )
        : undefined,
      updated.length
        ? await client.query(
            `UPDATE steward_state t SET version = t.version + 1, state = u.s, updated_at = now()
             FROM unnest($2::text[], $3::bigint[], $4::jsonb[]) AS u(k, v, s)
             WHERE t.processor = $1 AND t.key = u.k AND t.version = u.v`,
            [
              this.#processor,
              updated.map((c) => c.key),
              updated.map((c) => c.expectedVersion),
              updated.map((c) => JSON.stringify(c.next)),
            ],
          )
        : undefined,
      deleted.length
        ? await client.query(
            `DELETE FROM steward_state t USING unnest($2::text[], $3::bigint[]) AS u(k, v)
             WHERE t.processor = $1 AND t.key = u.k AND t.version = u.v`,
            [this.#processor, deleted.map((c) => c.key), deleted.map((c) => c.expectedVersion)],
          )
        : undefined,
    ];
    const expected = [created.length, updated.length, deleted.length];
    if (results.some((r, i) => r !== undefined && r.rowCount !== expected[i])) {
      throw new TransientError('state changed since it was loaded', undefined, 'STW_VERSION_CONFLICT');
    }
  }

  async #row(client: PoolClient, row: RowWrite): Promise<void> {
    if (!this.#tables.has(row.table)) throw new Error(`${this.#processor} may not write table ${row.table}`);
    const id = (name: string): string => client.escapeIdentifier(name);
    const keyColumns = Object.keys(row.key);
    const counters = (row.increment ?? []).filter((c) => !(c in row.key) && !(c in row.values));
    const valueColumns = Object.keys(row.values).filter((c) => !(c in row.key));
    const columns = [...keyColumns, ...valueColumns];
    const params = columns.map((c) => (c in row.key ? row.key[c] : row.values[c]));
    const updates = [
      ...valueColumns.map((c) => `${id(c)} = EXCLUDED.${id(c)}`),
      ...counters.map((c) => `${id(c)} = ${id(row.table)}.${id(c)} + 1`),
    ];
    const conflict =
      row.mode === 'insert' || !updates.length ? 'DO NOTHING' : `DO UPDATE SET ${updates.join(', ')}`;
    const placeholders = [...columns.map((_, i) => `$${i + 1}`), ...counters.map(() => '1')];
    await client.query(
      `INSERT INTO ${id(row.table)} (${[...columns, ...counters].map(id).join(', ')}) VALUES (${placeholders.join(', ')})
       ON CONFLICT (${keyColumns.map(id).join(', ')}) ${conflict}`,
      params,
    );
  }

  #outbox(
    client: PoolClient,
    emits: readonly PlannedEmit[],
    headersFor: (emit: PlannedEmit) => Record<string, string>,
  ): Promise<OutboxRow[]> {
    return insertOutbox(
      client,
      this.#processor,
      emits.map((e) => ({ topic: e.topic.name, key: e.key, value: e.value, headers: headersFor(e) })),
    );
  }

  /** Forgets applied event ids older than the window in which the input topic can redeliver them. */
  async pruneLedger(olderThanMs: number): Promise<number> {
    const result = await this.#pool.query(
      `DELETE FROM steward_applied_events WHERE processor = $1 AND applied_at < now() - make_interval(secs => $2::double precision / 1000)`,
      [this.#processor, olderThanMs],
    );
    return result.rowCount ?? 0;
  }
}
