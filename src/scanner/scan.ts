/**
 * One scan of one source: list every schema in scope, profile the tables whose data may have changed,
 * publish what changed, delete what is gone (behind the mass-delete guard), record the new state and a
 * report. The reads go through a SourceReader (read-only), the events through the producer path (contract
 * check, registry Avro, keyed by URN).
 *
 * Delivery: events are published in batches and a table's new state is recorded only after its event was
 * acknowledged, so a scan that dies midway publishes the rest next time (ids derive from the run key, so
 * a run retried with the same key sends the same ids and consumers drop the repeats). One table that fails
 * (a lock or statement timeout, a permission) is reported and skipped; a schema that fails to list deletes
 * nothing; a source that cannot be reached fails the scan and deletes nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { ChangeEvent } from '../domain/change-event.ts';
import { validateChangeEvent } from '../domain/change-event.ts';
import type { ScanStore } from '../adapters/postgres/scan-store.ts';
import type { Logger } from '../observability/logger.ts';
import type { PublishResult } from '../producer/publish.ts';
import type { ScanMetrics } from './metrics.ts';
import type { CatalogTable, SampleMethod, SourceReader } from './model.ts';
import {
  assetOf,
  changeEvent,
  deletedAsset,
  lastModifiedOf,
  mayHaveChanged,
  planDeletes,
  tableOutcome,
  urnOf,
  type TableOutcome,
  type TableState,
  type WithheldDeletes,
} from './plan.ts';
import { profileOf } from './profile.ts';
import { schemaInScope, scopeOf, type SourceDeclaration } from './sources.ts';

export interface EventSink {
  publishChanges(events: readonly unknown[]): Promise<PublishResult>;
}

export interface ScanFailure {
  readonly stage: 'connect' | 'list' | 'sample' | 'contract';
  /** `<schema>.<table>`, or the schema for a listing. */
  readonly target: string;
  readonly reason: string;
}

export interface ScanReport {
  readonly source: string;
  readonly runKey: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seconds: number;
  /** succeeded: every table read; partial: some failed (see failures); failed: the source could not be listed. */
  readonly status: 'succeeded' | 'partial' | 'failed';
  readonly dryRun: boolean;
  readonly schemas: number;
  readonly tables: {
    readonly seen: number;
    readonly profiled: number;
    readonly upserts: number;
    readonly profiles: number;
    readonly unchanged: number;
    readonly deleted: number;
    readonly failed: number;
  };
  readonly sampleMethods: Partial<Record<SampleMethod, number>>;
  readonly withheldDeletes: readonly WithheldDeletes[];
  readonly failures: readonly ScanFailure[];
}

export interface ScanOptions {
  readonly source: SourceDeclaration;
  readonly reader: SourceReader;
  readonly sink: EventSink;
  readonly store: ScanStore;
  readonly logger: Logger;
  readonly metrics?: ScanMetrics;
  /** Names the run: event ids derive from it. Default: a fresh one. */
  readonly runKey?: string;
  readonly allowMassDelete?: boolean;
  /** Read and report, publish and record nothing. */
  readonly dryRun?: boolean;
  /** Called between tables (sweeps keep their consumer in its group). */
  readonly progress?: () => Promise<void>;
  readonly now?: () => Date;
}

/** Events per publish (and per state write). */
const FLUSH_EVENTS = 100;

const seedOf = (urn: string): number =>
  createHash('sha256').update(urn).digest().readUInt32BE(0) & 0x7fffffff;

const reasonOf = (error: unknown): string => {
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  return typeof e.code === 'string' && !message.includes(e.code) ? `${message} (${e.code})` : message;
};

/** A table whose sample failed keeps the previous modification signal, so the next scan profiles it. */
function retryProfileNextTime(
  outcome: TableOutcome,
  prior: TableState | undefined,
  sampleFailed: boolean,
): TableOutcome {
  if (!sampleFailed) return outcome;
  const live = prior && !prior.deleted ? prior : undefined;
  return { ...outcome, state: { ...outcome.state, modSignal: live?.modSignal ?? null } };
}

export async function scanSource(options: ScanOptions): Promise<ScanReport> {
  const { source, reader, sink, store, metrics } = options;
  const now = options.now ?? (() => new Date());
  const started = now();
  const startedAt = started.toISOString();
  const runKey = options.runKey ?? `cli:${startedAt}:${randomUUID()}`;
  const dryRun = options.dryRun ?? false;
  const log = options.logger.child({ source: source.name, runKey });
  const inScope = scopeOf(source);
  const failures: ScanFailure[] = [];
  const methods: Partial<Record<SampleMethod, number>> = {};
  const counts = { seen: 0, profiled: 0, upserts: 0, profiles: 0, unchanged: 0, deleted: 0, failed: 0 };
  const previous = await store.load(source.name);
  const byUrn = new Map(previous.map((s) => [s.urn, s]));

  const pending: { event: ChangeEvent; state: TableState }[] = [];
  const quiet: TableState[] = [];
  const flush = async (): Promise<void> => {
    const batch = pending.splice(0);
    if (!batch.length || dryRun) return;
    await sink.publishChanges(batch.map((p) => p.event));
    await store.save(
      source.name,
      batch.map((p) => p.state),
      started,
    );
  };

  const finish = async (
    status: ScanReport['status'],
    schemas: number,
    withheld: readonly WithheldDeletes[],
  ) => {
    const finished = now();
    const report: ScanReport = {
      source: source.name,
      runKey,
      startedAt,
      finishedAt: finished.toISOString(),
      seconds: (finished.getTime() - started.getTime()) / 1000,
      status,
      dryRun,
      schemas,
      tables: counts,
      sampleMethods: methods,
      withheldDeletes: withheld,
      failures,
    };
    if (!dryRun) await store.recordRun(report);
    metrics?.record(report);
    log[status === 'succeeded' ? 'info' : 'warn'](
      {
        status,
        schemas,
        tables: counts,
        withheldDeletes: withheld,
        failures: failures.slice(0, 20),
        seconds: report.seconds,
      },
      'scan finished',
    );
    return report;
  };

  let schemaNames: string[];
  try {
    schemaNames = (await reader.schemas()).filter((s) => schemaInScope(source, s));
  } catch (error) {
    failures.push({ stage: 'connect', target: source.name, reason: reasonOf(error) });
    return finish('failed', 0, []);
  }

  const listed = new Set<string>();
  const failedSchemas = new Set<string>();
  const limit = pLimit(source.limits.concurrency);
  const scannedAt = startedAt;

  const scanTable = async (table: CatalogTable): Promise<void> => {
    const urn = urnOf(source, reader.database, table);
    const prior = byUrn.get(urn);
    const lastModified = lastModifiedOf(prior, table, scannedAt);
    const asset = assetOf(source, reader.database, table, lastModified);
    let profile;
    let sampleFailed = false;
    if (source.sampling.rows > 0 && table.kind !== 'view' && mayHaveChanged(prior, table)) {
      try {
        const sample = await reader.sample(table, {
          rows: source.sampling.rows,
          seed: seedOf(urn),
          lockTimeoutMs: source.limits.lockTimeoutMs,
          statementTimeoutMs: source.limits.statementTimeoutMs,
        });
        methods[sample.method] = (methods[sample.method] ?? 0) + 1;
        profile = profileOf(table, sample, {
          samplesPerColumn: source.sampling.samplesPerColumn,
          profiledAt: now().toISOString(),
        });
        counts.profiled++;
      } catch (error) {
        counts.failed++;
        sampleFailed = true;
        failures.push({ stage: 'sample', target: `${table.schema}.${table.name}`, reason: reasonOf(error) });
        log.warn({ urn, err: reasonOf(error) }, 'table sample failed; its schema is still published');
      }
    }
    const outcome = retryProfileNextTime(tableOutcome(prior, table, asset, profile), prior, sampleFailed);
    if (!outcome.event) {
      counts.unchanged++;
      quiet.push(outcome.state);
    } else {
      const event = changeEvent(source, runKey, scannedAt, outcome.event);
      const valid = validateChangeEvent(event);
      if (!valid.ok) {
        counts.failed++;
        const first = valid.errors[0];
        failures.push({
          stage: 'contract',
          target: `${table.schema}.${table.name}`,
          reason: `${first?.path}: ${first?.message}`,
        });
      } else {
        if (outcome.event.kind === 'upsert') counts.upserts++;
        else counts.profiles++;
        pending.push({ event, state: outcome.state });
        log.debug({ urn, eventId: event.id, kind: event.kind }, 'table changed');
        if (pending.length >= FLUSH_EVENTS) await flush();
      }
    }
    await options.progress?.();
  };

  for (const schema of schemaNames) {
    let tables: CatalogTable[];
    try {
      tables = (await reader.listSchema(schema)).filter((t) => inScope(t.schema, t.name));
    } catch (error) {
      failedSchemas.add(schema);
      failures.push({ stage: 'list', target: schema, reason: reasonOf(error) });
      log.warn({ schema, err: reasonOf(error) }, 'schema listing failed; nothing in it is deleted');
      continue;
    }
    for (const table of tables) listed.add(urnOf(source, reader.database, table));
    counts.seen += tables.length;
    // One schema at a time, its tables `concurrency` at once; a flush waits for the batch it is in.
    await Promise.all(tables.map((table) => limit(() => scanTable(table))));
  }

  const { deletes, withheld } = planDeletes(
    previous,
    listed,
    failedSchemas,
    options.allowMassDelete ?? false,
  );
  for (const gone of deletes) {
    const event = changeEvent(source, runKey, scannedAt, {
      kind: 'delete',
      asset: deletedAsset(source, reader.database, gone),
    });
    pending.push({ event, state: { ...gone, deleted: true } });
    counts.deleted++;
    if (pending.length >= FLUSH_EVENTS) await flush();
  }
  for (const w of withheld)
    log.warn(
      { schema: w.schema, missing: w.missing, of: w.of },
      'deletes withheld: the schema lost more than half its tables (--allow-mass-delete to apply)',
    );
  await flush();
  if (!dryRun && quiet.length) await store.save(source.name, quiet, started);
  const nothingListed = schemaNames.length > 0 && failedSchemas.size === schemaNames.length;
  const status = nothingListed ? 'failed' : failures.length ? 'partial' : 'succeeded';
  return finish(status, schemaNames.length, withheld);
}
