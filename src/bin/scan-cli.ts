import type { Command as Program } from 'commander';
import { createKafka } from '../adapters/kafka.ts';
import { createPool } from '../adapters/postgres/pool.ts';
import { PgScanStore, latestScans } from '../adapters/postgres/scan-store.ts';
import { TopicCodec, createRegistry } from '../adapters/registry.ts';
import type { Config } from '../config.ts';
import { createLogger } from '../observability/logger.ts';
import { ChangePublisher } from '../producer/publish.ts';
import { openReader } from '../scanner/readers.ts';
import { scanSource, type EventSink, type ScanReport } from '../scanner/scan.ts';
import {
  findSource,
  instanceOf,
  loadSources,
  SourceConfigError,
  type SourceDeclaration,
} from '../scanner/sources.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** The report as a few lines a person reads. */
export function formatReport(report: ScanReport): string[] {
  const t = report.tables;
  const lines = [
    `${report.source}: ${report.status}${report.dryRun ? ' (dry run: nothing published or recorded)' : ''} in ${report.seconds.toFixed(1)} s`,
    `  schemas ${report.schemas}, tables seen ${t.seen}: ${t.upserts} upserted, ${t.profiles} re-profiled, ${t.unchanged} unchanged, ${t.deleted} deleted, ${t.failed} failed (${t.profiled} sampled: ${
      Object.entries(report.sampleMethods)
        .map(([m, n]) => `${m} ${n}`)
        .join(', ') || 'none'
    })`,
  ];
  for (const w of report.withheldDeletes)
    lines.push(
      `  deletes withheld in ${w.schema}: ${w.missing} of ${w.of} tables missing (rerun with --allow-mass-delete to apply)`,
    );
  for (const f of report.failures.slice(0, 50)) lines.push(`  failed ${f.stage} ${f.target}: ${f.reason}`);
  if (report.failures.length > 50) lines.push(`  … and ${report.failures.length - 50} more failures`);
  return lines;
}

/** `steward scan`: scan declared sources now (the same scan the `scan-<source>` jobs run on their schedule). */
export function registerScanCommand(program: Program, configOf: () => Config): void {
  program
    .command('scan')
    .description(
      'scan declared sources (SCAN_SOURCES_FILE) now: catalog, profiles and samples published as change events',
    )
    .argument('[source]', 'the source to scan (see --list)')
    .option('--all', 'scan every declared source, one after the other')
    .option('--list', 'list the declared sources and their last scan')
    .option('--allow-mass-delete', 'apply deletes even where a schema lost more than half its tables')
    .option('--dry-run', 'read and report; publish and record nothing')
    .option('--json', 'print the reports as JSON')
    .action(
      async (
        name: string | undefined,
        flags: { all?: boolean; list?: boolean; allowMassDelete?: boolean; dryRun?: boolean; json?: boolean },
      ) => {
        const config = configOf();
        let sources: SourceDeclaration[];
        try {
          sources = loadSources(config.scan.sourcesFile);
          if (!config.scan.sourcesFile)
            throw new SourceConfigError('SCAN_SOURCES_FILE is not set: no sources are declared');
          if (name) sources = [findSource(sources, name)];
          else if (!flags.all && !flags.list)
            throw new SourceConfigError('name a source, or pass --all or --list');
        } catch (error) {
          if (!(error instanceof SourceConfigError)) throw error;
          process.stderr.write(`${error.message}\n`);
          process.exit(2);
        }
        const pool = createPool(config.postgres, 2);
        try {
          if (flags.list) return await list(pool, sources, flags.json ?? false);
          const logger = createLogger({
            level: config.log.level === 'info' ? 'warn' : config.log.level,
            name: 'steward-scan',
          });
          let publisher: ChangePublisher | undefined;
          const sink: EventSink = flags.dryRun
            ? { publishChanges: () => Promise.resolve({ sent: 0, batches: 0 }) }
            : {
                publishChanges: async (events) => {
                  if (!publisher) {
                    publisher = new ChangePublisher({
                      kafka: createKafka(config.kafka, logger),
                      codec: new TopicCodec(createRegistry(config.schemaRegistry)),
                      logger,
                    });
                    await publisher.connect();
                  }
                  return publisher.publishChanges(events);
                },
              };
          const reports: ScanReport[] = [];
          try {
            for (const source of sources) {
              let reader;
              try {
                reader = openReader(source);
              } catch (error) {
                if (!(error instanceof SourceConfigError)) throw error;
                process.stderr.write(`${error.message}\n`);
                process.exitCode = 1;
                continue;
              }
              try {
                const report = await scanSource({
                  source,
                  reader,
                  sink,
                  store: new PgScanStore(pool),
                  logger,
                  allowMassDelete: flags.allowMassDelete ?? false,
                  dryRun: flags.dryRun ?? false,
                });
                reports.push(report);
                if (!flags.json) for (const line of formatReport(report)) say(line);
                if (report.status === 'failed') process.exitCode = 1;
              } finally {
                await reader.close();
              }
            }
          } finally {
            await publisher?.disconnect();
          }
          if (flags.json) say(JSON.stringify(reports, null, 2));
        } finally {
          await pool.end();
        }
      },
    );
}

async function list(
  pool: ReturnType<typeof createPool>,
  sources: readonly SourceDeclaration[],
  json: boolean,
): Promise<void> {
  const last = new Map((await latestScans(pool)).map((r) => [r.source, r]));
  const rows = sources.map((s) => {
    const report = last.get(s.name);
    return {
      source: s.name,
      platform: s.platform,
      instance: instanceOf(s),
      connection: 'env' in s.connection ? `env ${s.connection.env}` : `file ${s.connection.file}`,
      schedule: s.schedule
        ? `${s.schedule.cron} ${s.schedule.timeZone}${s.schedule.enabled ? '' : ' (disabled)'}`
        : null,
      lastScan: report ? { at: report.finishedAt, status: report.status, tables: report.tables } : null,
    };
  });
  if (json) return say(JSON.stringify(rows, null, 2));
  say(`${'source'.padEnd(16)} ${'platform'.padEnd(9)} ${'schedule'.padEnd(20)} last scan`);
  for (const r of rows)
    say(
      `${r.source.padEnd(16)} ${r.platform.padEnd(9)} ${(r.schedule ?? 'on demand').padEnd(20)} ${r.lastScan ? `${r.lastScan.at} ${r.lastScan.status}, ${r.lastScan.tables.seen} tables` : 'never'}`,
    );
}
