import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import type { ScanStore } from '../../src/adapters/postgres/scan-store.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { MysqlReader } from '../../src/scanner/mysql.ts';
import { PostgresReader } from '../../src/scanner/postgres.ts';
import { scanSource, type ScanReport } from '../../src/scanner/scan.ts';
import { parseSources } from '../../src/scanner/sources.ts';
import type { TableState } from '../../src/scanner/plan.ts';
import { mariadbSourceFor, postgresSourceFor } from '../helpers/scan-sources.ts';
import { endpoints } from '../helpers/services.ts';

/**
 * Issue 10: samples are cheap on large tables and a busy table cannot hold a scan up. The plans are read
 * from the real databases: PostgreSQL samples blocks (a Sample Scan, never a Seq Scan of the table),
 * MariaDB reads primary-key ranges (`range` on PRIMARY). A table locked by a writer fails alone, after
 * the lock timeout, while the rest of the scan goes on.
 */

const ROWS = 200_000;
const options = { rows: 10_000, seed: 42, lockTimeoutMs: 500, statementTimeoutMs: 30_000 };

test('PostgreSQL samples a large table with TABLESAMPLE SYSTEM, not a sequential scan', async (t) => {
  const db = await postgresSourceFor(t);
  await db.exec(`CREATE TABLE events (id bigint PRIMARY KEY, email text, amount numeric(12,2), at timestamptz);
    INSERT INTO events SELECT g, 'u' || (g % 5000) || '@example.org', g % 1000, timestamptz '2024-01-01' + g * interval '1 s'
      FROM generate_series(1, ${ROWS}) g;
    ANALYZE events`);
  const reader = new PostgresReader(db.url, {
    concurrency: 1,
    statementTimeoutMs: 30_000,
    lockTimeoutMs: 500,
  });
  t.after(() => reader.close());
  const [table] = await reader.listSchema(db.schema);
  assert.ok(table);
  assert.equal(table.rowEstimate, ROWS);
  const { sql, plan } = await reader.explain(table, options);
  assert.match(sql, /TABLESAMPLE SYSTEM \(7\.50000\) REPEATABLE \(42\) LIMIT 10000$/);
  assert.ok(
    plan.some((line) => line.includes('Sample Scan on events')),
    plan.join('\n'),
  );
  assert.ok(!plan.some((line) => line.includes('Seq Scan')), plan.join('\n'));
  const sample = await reader.sample(table, options);
  assert.equal(sample.method, 'tablesample');
  assert.ok(sample.rows.length > 5_000 && sample.rows.length <= 10_000, `${sample.rows.length} rows`);
  assert.deepEqual(
    (await reader.sample(table, options)).rows,
    sample.rows,
    'the same seed reads the same blocks',
  );
});

test('MariaDB samples a large table by primary-key ranges', async (t) => {
  const db = await mariadbSourceFor(t);
  await db.exec(`CREATE TABLE events (id BIGINT PRIMARY KEY, email VARCHAR(100), amount DECIMAL(12,2), at DATETIME);
    INSERT INTO events SELECT seq, CONCAT('u', seq % 5000, '@example.org'), seq % 1000, '2024-01-01' + INTERVAL seq SECOND
      FROM seq_1_to_${ROWS};
    ANALYZE TABLE events`);
  const reader = new MysqlReader(db.url, { concurrency: 1 });
  t.after(() => reader.close());
  const [table] = await reader.listSchema(db.schema);
  assert.ok(table && (table.rowEstimate ?? 0) > 100_000, `estimate ${table?.rowEstimate}`);
  const { plan } = await reader.explain(table, options);
  const parts = plan.filter((line) => line.includes('table=events'));
  assert.equal(parts.length, 10, plan.join('\n'));
  assert.ok(
    parts.every((line) => line.includes('type=range') && line.includes('key=PRIMARY')),
    plan.join('\n'),
  );
  const sample = await reader.sample(table, options);
  assert.equal(sample.method, 'key-ranges');
  assert.equal(sample.rows.length, 10_000);
  const ids = sample.rows.map((r) => Number(r[0]));
  assert.ok(Math.max(...ids) - Math.min(...ids) > ROWS / 2, 'the ranges are spread over the table');
});

test('a table locked by a writer fails alone after the lock timeout; the scan goes on', async (t) => {
  const db = await postgresSourceFor(t);
  await db.exec(`CREATE TABLE busy (id bigint PRIMARY KEY, note text); INSERT INTO busy VALUES (1, 'x');
    CREATE TABLE calm (id bigint PRIMARY KEY, note text); INSERT INTO calm VALUES (1, 'y')`);
  const locker = new pg.Client({ connectionString: endpoints().databaseUrl });
  await locker.connect();
  t.after(() => locker.end());
  await locker.query('BEGIN');
  await locker.query(`LOCK TABLE ${pg.escapeIdentifier(db.schema)}.busy IN ACCESS EXCLUSIVE MODE`);
  const source =
    parseSources({
      sources: [
        {
          name: 'busy',
          platform: 'postgres',
          connection: { env: 'URL' },
          include: [`${db.schema}.*`],
          limits: { lockTimeoutMs: 300 },
        },
      ],
    })[0] ?? assert.fail('no source');
  const reader = new PostgresReader(db.url, {
    concurrency: 2,
    statementTimeoutMs: 30_000,
    lockTimeoutMs: 300,
  });
  t.after(() => reader.close());
  const published: string[] = [];
  const store: ScanStore = {
    load: () => Promise.resolve([] as TableState[]),
    save: () => Promise.resolve(),
    recordRun: (_report: ScanReport) => Promise.resolve(),
  };
  const began = performance.now();
  const report = await scanSource({
    source,
    reader,
    sink: {
      publishChanges: (events) => {
        published.push(...events.map((e) => (e as { asset: { name: string } }).asset.name));
        return Promise.resolve({ sent: events.length, batches: 1 });
      },
    },
    store,
    logger: createLogger({ level: 'silent', name: 'test' }),
  });
  const seconds = (performance.now() - began) / 1000;
  await locker.query('ROLLBACK');
  assert.equal(report.status, 'partial');
  assert.deepEqual(
    report.failures.map((f) => [f.stage, f.target.split('.')[1], f.reason]),
    [['sample', 'busy', 'canceling statement due to lock timeout (55P03)']],
  );
  assert.deepEqual(published.sort(), ['busy', 'calm'], "the locked table's schema is still published");
  assert.ok(seconds < 5, `the scan took ${seconds.toFixed(1)} s`);
});
