import type pg from 'pg';
import { PgScanStore } from '../../adapters/postgres/scan-store.ts';
import type { ScanMetrics } from '../../scanner/metrics.ts';
import { openReader } from '../../scanner/readers.ts';
import { scanSource, type EventSink } from '../../scanner/scan.ts';
import { scanJobName, type SourceDeclaration } from '../../scanner/sources.ts';
import type { Sweep } from '../sweep-runner.ts';

/**
 * scan-<source>: one scan of a declared source per slot (the schedule the source declares). The run key is
 * the job and slot, so a run taken over after a crash publishes the same event ids. A scan that cannot list
 * the source fails the run (retried, then recorded as failed); one that lists it with some tables failing
 * succeeds with the failures in its outcome.
 */
export function sourceScanSweep(deps: {
  readonly source: SourceDeclaration;
  readonly pool: pg.Pool;
  readonly sink: () => Promise<EventSink>;
  readonly metrics: ScanMetrics;
}): Sweep {
  const job = scanJobName(deps.source.name);
  return {
    job,
    async run({ slot, logger, progress }) {
      const reader = openReader(deps.source);
      try {
        const report = await scanSource({
          source: deps.source,
          reader,
          sink: await deps.sink(),
          store: new PgScanStore(deps.pool),
          logger,
          metrics: deps.metrics,
          runKey: `${job}@${slot.toISOString()}`,
          progress,
        });
        if (report.status === 'failed')
          throw new Error(
            `scan of ${deps.source.name} failed: ${report.failures.map((f) => f.reason).join('; ')}`,
          );
        return {
          status: report.status,
          ...report.tables,
          withheldDeletes: report.withheldDeletes,
          failures: report.failures.slice(0, 20),
        };
      } finally {
        await reader.close();
      }
    },
  };
}
