import type { DocumentWrite, Emit, InputEvent, ProcessorDefinition, RowWrite } from '../domain/processor.ts';
import type { DeadRecord, RawRecord } from './records.ts';

/** A key's state as loaded: its version guards the write (optimistic concurrency). */
export interface Versioned<S> {
  readonly version: number;
  readonly state: S;
}

export interface StateChange<S> {
  readonly key: string;
  /** The version loaded; null when the key had no state. */
  readonly expectedVersion: number | null;
  /** null deletes the state. */
  readonly next: S | null;
}

export interface PlannedEmit extends Emit {
  readonly source: InputEvent<unknown>;
}

export interface PlannedDocument extends DocumentWrite {
  readonly source: InputEvent<unknown>;
}

/** Everything a batch does, computed without I/O; the runtime applies it. */
export interface BatchPlan<S> {
  readonly changes: StateChange<S>[];
  readonly applied: InputEvent<unknown>[];
  readonly duplicates: InputEvent<unknown>[];
  readonly rows: RowWrite[];
  readonly emits: PlannedEmit[];
  readonly documents: PlannedDocument[];
  readonly dead: DeadRecord[];
}

/**
 * Folds a batch through a processor's pure handle. Events of one key are applied in offset order to the
 * state the previous one left; an event already in the ledger (or seen earlier in this batch) is skipped;
 * an event whose handle throws is dead-lettered and changes nothing, and the key's fold continues. Every
 * event of a key sees the key's looked-up context as it was read for the batch.
 */
export function planBatch<V, S, C>(
  processor: ProcessorDefinition<V, S, C>,
  events: readonly InputEvent<V>[],
  loaded: ReadonlyMap<string, Versioned<S>>,
  alreadyApplied: ReadonlySet<string>,
  rawOf: (event: InputEvent<V>) => RawRecord,
  contexts: ReadonlyMap<string, C> = new Map(),
): BatchPlan<S> {
  const plan: BatchPlan<S> = {
    changes: [],
    applied: [],
    duplicates: [],
    rows: [],
    emits: [],
    documents: [],
    dead: [],
  };
  const seen = new Set<string>();
  const current = new Map<string, { state: S | undefined; touched: boolean }>();

  for (const event of events) {
    if (alreadyApplied.has(event.id) || seen.has(event.id)) {
      plan.duplicates.push(event);
      continue;
    }
    seen.add(event.id);
    const entry = current.get(event.key) ?? { state: loaded.get(event.key)?.state, touched: false };
    current.set(event.key, entry);
    let result;
    try {
      result = processor.handle(event, entry.state, contexts.get(event.key));
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      plan.dead.push({ record: rawOf(event), code: 'STW_HANDLER_FAILED', message });
      continue;
    }
    if (result.state !== undefined) {
      entry.state = result.state ?? undefined;
      entry.touched = true;
    }
    const effects = result.effects ?? {};
    plan.rows.push(...(effects.rows ?? []));
    plan.documents.push(...(effects.documents ?? []).map((document) => ({ ...document, source: event })));
    plan.emits.push(...(effects.emit ?? []).map((emit) => ({ ...emit, source: event })));
    plan.applied.push(event);
  }

  for (const [key, entry] of current) {
    if (!entry.touched) continue;
    const expectedVersion = loaded.get(key)?.version ?? null;
    plan.changes.push({ key, expectedVersion, next: entry.state ?? null });
  }
  return plan;
}
