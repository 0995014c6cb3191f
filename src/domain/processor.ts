import type { TopicDeclaration } from './topic.ts';

/** One decoded input record, with where it came from. */
export interface InputEvent<V> {
  /** The idempotency key: the event's own id where it has one, else topic/partition/offset. */
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The record key: the asset URN on asset-scoped topics. */
  readonly key: string;
  readonly value: V;
  /** Record timestamp (ms since epoch): latency is measured from it, not from the producer's clock. */
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, string>>;
}

/** An event to publish; the runtime adds the input record's position and timestamp as headers. */
export interface Emit {
  readonly topic: TopicDeclaration;
  readonly key: string;
  /** null publishes a tombstone (compacted topics). */
  readonly value: unknown;
}

/** A row to write in the processor's own tables, in the same transaction as its state. */
export interface RowWrite {
  readonly table: string;
  /** The conflict target: the row's identity. */
  readonly key: Readonly<Record<string, unknown>>;
  readonly values: Readonly<Record<string, unknown>>;
  /** upsert: insert or overwrite; insert: insert, and keep the existing row on conflict. */
  readonly mode: 'upsert' | 'insert';
  /**
   * Counter columns: 1 when the row is inserted, +1 in SQL when an upsert overwrites it. Several writers
   * can bump the same counter (a document revision), each in its own transaction, without reading it.
   */
  readonly increment?: readonly string[];
}

/**
 * Read-only SQL against the system of record, given to `lookup` by the runtime (which owns the driver).
 * Parameters are bound, never interpolated.
 */
export interface Reader {
  rows<R extends object>(sql: string, params: readonly unknown[]): Promise<R[]>;
}

/** A full document to index, written only when `version` is at least the indexed one (external_gte). */
export interface DocumentWrite {
  readonly index: string;
  readonly id: string;
  readonly version: number;
  /** null deletes the document (at that version). */
  readonly document: Readonly<Record<string, unknown>> | null;
}

export interface Effects {
  readonly emit?: readonly Emit[];
  readonly rows?: readonly RowWrite[];
  readonly documents?: readonly DocumentWrite[];
}

export type Accepted<V> =
  | { readonly ok: true; readonly value: V }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly code?: 'STW_CONTRACT_INVALID' | 'STW_KEY_MISMATCH';
      /** Not for this processor (a command addressed to another): skipped and committed, not dead-lettered. */
      readonly ignore?: true;
    };

export interface HandleResult<S> {
  /** The key's next state; undefined leaves it unchanged, null deletes it. */
  readonly state?: S | null;
  readonly effects?: Effects;
}

/**
 * A processor: a pure `handle` and a declaration of what it consumes and produces.
 *
 * Delivery contract: at-least-once. `handle` is deterministic and does no I/O: it receives one event and
 * the current state of the event's key, and returns the next state and effects. The runtime loads state
 * in bulk per batch, folds the events of one key in order, and applies state, rows, outbox emits and the
 * applied-event ledger in one PostgreSQL transaction with optimistic concurrency on the loaded version,
 * then commits offsets. A redelivered event whose id is in the ledger is skipped, so effects are
 * idempotent on the event id. Processors whose effects are idempotent by themselves (versioned documents,
 * no state) declare `idempotency: 'effects'` and skip the ledger.
 */
export interface ProcessorDefinition<V = unknown, S = unknown, C = unknown> {
  readonly name: string;
  /** Consumer group id: instances with the same group share the partitions. */
  readonly group: string;
  readonly consumes: readonly TopicDeclaration[];
  readonly produces: readonly TopicDeclaration[];
  /** Tables its RowWrites may touch: nothing else is written. */
  readonly tables?: readonly string[];
  readonly idempotency: 'ledger' | 'effects';
  /** Checks a decoded value against the contract; a refusal sends the record to the DLQ with the reason. */
  readonly accept: (value: unknown, topic: TopicDeclaration, key: string) => Accepted<V>;
  /** The idempotency key of an accepted value; undefined falls back to topic/partition/offset. */
  readonly eventId?: (value: V) => string | undefined;
  /**
   * Reads what `handle` needs beyond its own state, once per batch for the batch's keys (e.g. the indexer
   * reads each asset's current document source from PostgreSQL) through the runtime's read-only `reader`.
   * A key without an entry gets undefined. Its failures are retried or dead-lettered like `handle`'s.
   */
  readonly lookup?: (keys: readonly string[], reader: Reader) => Promise<ReadonlyMap<string, C>>;
  readonly handle: (event: InputEvent<V>, state: S | undefined, context?: C) => HandleResult<S>;
}

/** Identity with types: `export default define({ … })` in processors/<name>/processor.ts. */
export function define<V, S, C = unknown>(
  definition: ProcessorDefinition<V, S, C>,
): ProcessorDefinition<V, S, C> {
  return definition;
}
