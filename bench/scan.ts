/**
 * `npm run bench:scan`: how fast the scanners read a source, through the whole producer path (catalog
 * queries, samples, profiles, contract check, registry Avro, Kafka, the scan state in PostgreSQL).
 *
 * For PostgreSQL and MariaDB each: a schema of `--tables` tables (12 columns, `--rows` rows each) scanned
 * cold (no state: every table sampled and published), warm (nothing changed: catalog only, nothing
 * published) and after 10 % of the tables changed; `--repetitions` times each, median and spread. Then one
 * table of `--large-rows` rows: the time to list and profile it, with the sample's plan as the database
 * runs it. See bench/README.md. Everything it creates (schemas, databases, topics, subjects) has a unique
 * name and is removed at the end.
 */
import { Command } from 'commander';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { PgScanStore } from '../src/adapters/postgres/scan-store.ts';
import { ChangePublisher } from '../src/producer/publish.ts';
import type { SourceReader } from '../src/scanner/model.ts';
import { MysqlReader } from '../src/scanner/mysql.ts';
import { PostgresReader } from '../src/scanner/postgres.ts';
import { profileOf } from '../src/scanner/profile.ts';
import { scanSource, type ScanReport } from '../src/scanner/scan.ts';
import { parseSources, type SourceDeclaration } from '../src/scanner/sources.ts';
import { changes } from '../topics/index.ts';
import { Cleanup, integer, machine, progress, rate, runBench, writeResult } from './common.ts';
import { createTopics, withBench, type Bench } from './harness.ts';
import { median } from './report.ts';

interface Options {
  readonly tables: number;
  readonly rows: number;
  readonly largeRows: number;
  readonly repetitions: number;
  readonly mysqlUrl: string;
}

function parseOptions(): Options {
  const flags = new Command('bench:scan')
    .option('--tables <n>', 'tables in the scanned schema', integer(1), 500)
    .option('--rows <n>', 'rows per table', integer(1), 1000)
    .option('--large-rows <n>', 'rows of the one large table profiled', integer(1000), 1_000_000)
    .option('--repetitions <n>', 'scans per phase', integer(1), 3)
    .option(
      '--mysql-url <url>',
      'the MariaDB/MySQL server',
      process.env['BENCH_MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/',
    )
    .parse()
    .opts<Options>();
  return flags;
}

interface Dialect {
  readonly platform: 'postgres' | 'mariadb';
  /** Runs statements as the admin of the scanned database. */
  exec(sql: string): Promise<void>;
  /** The SQL creating table `n` with its rows. */
  table(n: number, rows: number): string;
  /** The SQL changing one row of table `n`. */
  touch(n: number): string;
  large(rows: number): string;
  reader(): SourceReader & { explain: PostgresReader['explain'] };
  readonly schema: string;
  close(): Promise<void>;
}

const name = (n: number): string => `t${String(n).padStart(4, '0')}`;

async function postgresDialect(url: string, schema: string, cleanup: Cleanup): Promise<Dialect> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  cleanup.defer(`drop schema ${schema}`, async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await admin.end();
  });
  await admin.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
  return {
    platform: 'postgres',
    schema,
    exec: async (sql) => {
      await admin.query(
        `SET search_path TO ${pg.escapeIdentifier(schema)}; ${sql}; SELECT pg_stat_force_next_flush()`,
      );
    },
    table: (n, rows) =>
      `CREATE TABLE ${name(n)} (id bigint PRIMARY KEY, email text, full_name text, phone text, amount numeric(12,2),
         quantity integer, created_at timestamptz, updated_at timestamptz, active boolean, country text, note text, code uuid);
       INSERT INTO ${name(n)} SELECT g, 'p' || g || '@example.com', 'Person ' || g, '+4420' || (7000000 + g), g * 1.5, g % 17,
         timestamptz '2024-01-01' + g * interval '1 min', now(), g % 2 = 0, 'GB', NULL, md5(g::text)::uuid
         FROM generate_series(1, ${rows}) g`,
    touch: (n) => `UPDATE ${name(n)} SET note = 'changed ' || now() WHERE id = 1`,
    large: (rows) =>
      `CREATE TABLE large (id bigint PRIMARY KEY, email text, amount numeric(12,2), at timestamptz, kind text);
       INSERT INTO large SELECT g, 'u' || (g % 50000) || '@example.org', g % 1000, timestamptz '2024-01-01' + g * interval '1 s',
         (ARRAY['view','buy','refund'])[1 + g % 3] FROM generate_series(1, ${rows}) g;
       ANALYZE large`,
    reader: () =>
      new PostgresReader(url, { concurrency: 2, statementTimeoutMs: 60_000, lockTimeoutMs: 2000 }),
    close: () => Promise.resolve(),
  };
}

async function mariadbDialect(url: string, database: string, cleanup: Cleanup): Promise<Dialect> {
  const admin = await mysql.createConnection({ uri: url, multipleStatements: true });
  cleanup.defer(`drop database ${database}`, async () => {
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
  });
  await admin.query(`CREATE DATABASE \`${database}\``);
  return {
    platform: 'mariadb',
    schema: database,
    exec: async (sql) => {
      await admin.query(`USE \`${database}\`; ${sql}`);
    },
    table: (n, rows) =>
      `CREATE TABLE ${name(n)} (id BIGINT PRIMARY KEY, email VARCHAR(255), full_name VARCHAR(200), phone VARCHAR(40),
         amount DECIMAL(12,2), quantity INT, created_at DATETIME, updated_at DATETIME, active TINYINT(1), country CHAR(2),
         note TEXT, code CHAR(36));
       INSERT INTO ${name(n)} SELECT seq, CONCAT('p', seq, '@example.com'), CONCAT('Person ', seq), CONCAT('+4420', 7000000 + seq),
         seq * 1.5, seq % 17, '2024-01-01' + INTERVAL seq MINUTE, NOW(), seq % 2, 'GB', NULL, UUID() FROM seq_1_to_${rows}`,
    touch: (n) => `UPDATE ${name(n)} SET note = CONCAT('changed ', NOW(6)) WHERE id = 1`,
    large: (rows) =>
      `CREATE TABLE large (id BIGINT PRIMARY KEY, email VARCHAR(100), amount DECIMAL(12,2), at DATETIME, kind VARCHAR(10));
       INSERT INTO large SELECT seq, CONCAT('u', seq % 50000, '@example.org'), seq % 1000, '2024-01-01' + INTERVAL seq SECOND,
         ELT(1 + seq % 3, 'view', 'buy', 'refund') FROM seq_1_to_${rows};
       ANALYZE TABLE large`,
    reader: () => new MysqlReader(url, { concurrency: 2 }),
    close: () => Promise.resolve(),
  };
}

interface Phase {
  readonly phase: 'cold' | 'warm' | 'changed';
  readonly tablesPerSecond: number[];
  readonly published: number[];
}

interface Large {
  readonly rows: number;
  readonly seconds: number[];
  readonly sampled: number;
  readonly method: string;
  readonly sql: string;
  readonly plan: string[];
}

async function measure(
  bench: Bench,
  dialect: Dialect,
  options: Options,
  publisher: ChangePublisher,
): Promise<{ phases: Phase[]; large: Large }> {
  const logger = bench.logger;
  progress(`${dialect.platform}: creating ${options.tables} tables of ${options.rows} rows`);
  for (let n = 0; n < options.tables; n += 25) {
    const statements = [];
    for (let k = n; k < Math.min(options.tables, n + 25); k++)
      statements.push(dialect.table(k, options.rows));
    await dialect.exec(statements.join(';\n'));
  }
  if (dialect.platform === 'postgres') await dialect.exec('ANALYZE');
  const source: SourceDeclaration =
    parseSources({
      sources: [
        {
          name: `bench-${dialect.platform}`,
          platform: dialect.platform,
          connection: { env: 'UNUSED' },
          include: [`${dialect.schema}.t*`],
        },
      ],
    })[0] ??
    (() => {
      throw new Error('no source');
    })();
  const store = new PgScanStore(bench.pool);
  const scan = async (): Promise<ScanReport> => {
    const reader = dialect.reader();
    try {
      return await scanSource({ source, reader, sink: publisher, store, logger });
    } finally {
      await reader.close();
    }
  };
  const phases: Phase[] = [
    { phase: 'cold', tablesPerSecond: [], published: [] },
    { phase: 'warm', tablesPerSecond: [], published: [] },
    { phase: 'changed', tablesPerSecond: [], published: [] },
  ];
  const record = (phase: Phase, report: ScanReport) => {
    if (report.status !== 'succeeded')
      throw new Error(`scan ${report.status}: ${JSON.stringify(report.failures.slice(0, 3))}`);
    phase.tablesPerSecond.push(report.tables.seen / report.seconds);
    phase.published.push(report.tables.upserts + report.tables.profiles + report.tables.deleted);
    progress(
      `  ${dialect.platform} ${phase.phase}: ${report.tables.seen} tables in ${report.seconds.toFixed(2)} s ` +
        `(${rate(report.tables.seen / report.seconds)} tables/s, ${report.tables.profiled} sampled, ` +
        `${report.tables.upserts + report.tables.profiles} published)`,
    );
  };
  const [cold, warm, changed] = phases as [Phase, Phase, Phase];
  for (let r = 0; r < options.repetitions; r++) {
    await bench.pool.query('DELETE FROM scan_tables WHERE source = $1', [source.name]);
    record(cold, await scan());
    record(warm, await scan());
    // MariaDB's update time has whole seconds and is trusted 2 s after it (PostgreSQL's counters are exact):
    // change the data in a later second than the last scan saw, and scan once that second has settled.
    const settle = () =>
      new Promise((resolve) => setTimeout(resolve, dialect.platform === 'mariadb' ? 2500 : 0));
    await settle();
    const touched = [];
    for (let n = r; n < options.tables; n += 10) touched.push(dialect.touch(n));
    await dialect.exec(touched.join(';\n'));
    await settle();
    record(changed, await scan());
  }

  progress(`${dialect.platform}: one table of ${rate(options.largeRows)} rows`);
  await dialect.exec(dialect.large(options.largeRows));
  const seconds: number[] = [];
  let sampled = 0;
  let method = '';
  let explained = { sql: '', plan: [] as string[] };
  for (let r = 0; r < options.repetitions; r++) {
    const reader = dialect.reader();
    try {
      const began = performance.now();
      const table = (await reader.listSchema(dialect.schema)).find((t) => t.name === 'large');
      if (!table) throw new Error('the large table is not listed');
      const sampleOptions = { rows: 10_000, seed: 7, lockTimeoutMs: 2000, statementTimeoutMs: 60_000 };
      const sample = await reader.sample(table, sampleOptions);
      profileOf(table, sample, { samplesPerColumn: 20, profiledAt: new Date().toISOString() });
      seconds.push((performance.now() - began) / 1000);
      sampled = sample.rows.length;
      method = sample.method;
      if (r === 0) explained = await reader.explain(table, sampleOptions);
    } finally {
      await reader.close();
    }
  }
  progress(
    `  ${dialect.platform} large: profiled in ${median(seconds).toFixed(3)} s (${sampled} rows, ${method})`,
  );
  return { phases, large: { rows: options.largeRows, seconds, sampled, method, ...explained } };
}

const spread = (values: readonly number[]): string =>
  `${rate(median(values))} (${rate(Math.min(...values))}–${rate(Math.max(...values))})`;

async function main(): Promise<void> {
  const options = parseOptions();
  await withBench('scan', async (bench) => {
    const { config, logger, cleanup, id } = bench;
    const topic = { ...changes, name: `bench.scan.${id}.changes` };
    await createTopics(bench, [topic]);
    const publisher = new ChangePublisher({ kafka: bench.kafka, codec: bench.codec, topic, logger });
    await publisher.connect();
    cleanup.defer('disconnect the publisher', () => publisher.disconnect());
    const results = [];
    for (const make of [
      () => postgresDialect(config.postgres.url, `bench_scan_src_${id}`, cleanup),
      () => mariadbDialect(options.mysqlUrl, `bench_scan_src_${id}`, cleanup),
    ]) {
      const dialect = await make();
      results.push({ platform: dialect.platform, ...(await measure(bench, dialect, options, publisher)) });
    }
    const lines = [
      `Scan throughput, tables/s (median, min–max of ${options.repetitions}), ${options.tables} tables × 12 columns × ${rate(options.rows)} rows`,
      `platform   cold (all new)        warm (unchanged)      10 % changed          published cold/warm/changed`,
      ...results.map((r) => {
        const [cold, warm, changed] = r.phases;
        return `${r.platform.padEnd(10)} ${spread(cold?.tablesPerSecond ?? []).padEnd(21)} ${spread(warm?.tablesPerSecond ?? []).padEnd(21)} ${spread(changed?.tablesPerSecond ?? []).padEnd(21)} ${median(cold?.published ?? [])}/${median(warm?.published ?? [])}/${median(changed?.published ?? [])}`;
      }),
      '',
      `One table of ${rate(options.largeRows)} rows: list + sample + profile, seconds (median of ${options.repetitions})`,
      ...results.flatMap((r) => [
        `${r.platform.padEnd(10)} ${median(r.large.seconds).toFixed(3)} s, ${r.large.sampled} rows by ${r.large.method}`,
        `  ${r.large.sql.slice(0, 160)}${r.large.sql.length > 160 ? ' …' : ''}`,
        ...r.large.plan.map((line) => `  | ${line}`),
      ]),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const facts = machine();
    process.stdout.write(
      `machine: ${facts.cores} cores, node ${facts.node}, commit ${facts.commit}${facts.dirty ? ' (dirty)' : ''}\n`,
    );
    writeResult('scan', {
      benchmark: 'scan',
      finishedAt: new Date().toISOString(),
      machine: facts,
      options,
      results,
    });
  });
}

runBench(main);
