import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ScanReport } from './scan.ts';

/** Scan metrics: runs by status, tables by outcome, duration, last success and withheld deletes per source. */
export class ScanMetrics {
  readonly runs: Counter<'source' | 'status'>;
  readonly tables: Counter<'source' | 'outcome'>;
  readonly seconds: Histogram<'source'>;
  readonly lastSuccess: Gauge<'source'>;
  readonly withheldDeletes: Gauge<'source'>;

  constructor(registry: Registry) {
    this.runs = new Counter({
      name: 'steward_scan_runs_total',
      help: 'Scans by source and status (succeeded, partial, failed)',
      labelNames: ['source', 'status'],
      registers: [registry],
    });
    this.tables = new Counter({
      name: 'steward_scan_tables_total',
      help: 'Tables by scan outcome: seen, profiled, upserts, profiles, unchanged, deleted, failed',
      labelNames: ['source', 'outcome'],
      registers: [registry],
    });
    this.seconds = new Histogram({
      name: 'steward_scan_duration_seconds',
      help: 'Duration of a scan',
      labelNames: ['source'],
      buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800],
      registers: [registry],
    });
    this.lastSuccess = new Gauge({
      name: 'steward_scan_last_success_timestamp_seconds',
      help: 'When the last scan of the source that listed every schema finished',
      labelNames: ['source'],
      registers: [registry],
    });
    this.withheldDeletes = new Gauge({
      name: 'steward_scan_withheld_deletes',
      help: 'Tables the last scan did not delete because their schema lost more than half its tables',
      labelNames: ['source'],
      registers: [registry],
    });
  }

  record(report: ScanReport): void {
    const source = report.source;
    this.runs.inc({ source, status: report.status });
    for (const [outcome, n] of Object.entries(report.tables)) this.tables.inc({ source, outcome }, n);
    this.seconds.observe({ source }, report.seconds);
    if (report.status !== 'failed') this.lastSuccess.set({ source }, Date.parse(report.finishedAt) / 1000);
    this.withheldDeletes.set(
      { source },
      report.withheldDeletes.reduce((n, w) => n + w.missing, 0),
    );
  }
}
