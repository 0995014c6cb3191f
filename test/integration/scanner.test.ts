import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { indexer } from '../../processors/indexer/processor.ts';
import { metadataSync } from '../../processors/metadata-sync/processor.ts';
import { PgScanStore } from '../../src/adapters/postgres/scan-store.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { ChangePublisher } from '../../src/producer/publish.ts';
import { openReader } from '../../src/scanner/readers.ts';
import { scanSource, type ScanReport } from '../../src/scanner/scan.ts';
import { parseSources, type ScanPlatform } from '../../src/scanner/sources.ts';
import { catalogPipeline, type CatalogPipeline } from '../helpers/catalog.ts';
import { samplesInPostgres } from '../helpers/leaks.ts';
import { waitFor } from '../helpers/runtime.ts';
import { endpoints } from '../helpers/services.ts';
import { mariadbSourceFor, postgresSourceFor, type ScannedDatabase } from '../helpers/scan-sources.ts';

/**
 * Issue 10's acceptance on the real databases of this machine: a schema with real rows is scanned by a
 * read-only user, through the producer path into metadata-sync and the indexer (real Kafka, registry,
 * PostgreSQL, Elasticsearch), altered, and scanned again. The catalog, the schema history and the index
 * show exactly those changes; a scan without changes publishes nothing; a scan that cannot list the
 * source, or finds most of a schema gone, deletes nothing; no sampled value is stored.
 */

const logger = createLogger({ level: 'warn', name: 'scanner-test' });

interface Dialect {
  readonly platform: ScanPlatform;
  readonly source: (t: TestContext) => Promise<ScannedDatabase>;
  /** The qualified-name prefix of the database's tables. */
  readonly prefix: (db: ScannedDatabase) => string;
  readonly ddl: {
    readonly create: string;
    readonly alter: string;
    readonly dropMost: string;
  };
}

const emails = Array.from({ length: 40 }, (_, i) => `scanned.person.${i}@example.com`);
const customerRows = emails.map((e, i) => `(${i + 1}, '${e}', 'Person ${i}')`).join(', ');

const dialects: Dialect[] = [
  {
    platform: 'postgres',
    source: postgresSourceFor,
    prefix: (db) => `${new URL(endpoints().databaseUrl).pathname.slice(1)}.${db.schema}`,
    ddl: {
      create: `CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(255) UNIQUE, full_name text);
        COMMENT ON TABLE customers IS 'People who buy';
        COMMENT ON COLUMN customers.email IS 'Contact e-mail';
        INSERT INTO customers VALUES ${customerRows};
        CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric(10,2), note text);
        INSERT INTO orders SELECT g, 1 + g % 40, g * 1.25, 'n' FROM generate_series(1, 200) g;
        CREATE TABLE notes (id bigint PRIMARY KEY, body text);
        INSERT INTO notes VALUES (1, 'hello');
        CREATE VIEW v_customers AS SELECT id, email FROM customers;`,
      alter: `ALTER TABLE customers ADD COLUMN phone text;
        ALTER TABLE orders DROP COLUMN note;
        ALTER TABLE orders ALTER COLUMN total TYPE text;
        DROP TABLE notes;`,
      dropMost: `DROP VIEW v_customers; DROP TABLE orders;`,
    },
  },
  {
    platform: 'mariadb',
    source: mariadbSourceFor,
    prefix: (db) => db.schema,
    ddl: {
      create: `CREATE TABLE customers (id BIGINT PRIMARY KEY, email VARCHAR(255) UNIQUE COMMENT 'Contact e-mail', full_name TEXT) COMMENT 'People who buy';
        INSERT INTO customers VALUES ${customerRows};
        CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL, total DECIMAL(10,2), note TEXT);
        INSERT INTO orders SELECT seq, 1 + seq % 40, seq * 1.25, 'n' FROM seq_1_to_200;
        CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT);
        INSERT INTO notes VALUES (1, 'hello');
        CREATE VIEW v_customers AS SELECT id, email FROM customers;`,
      alter: `ALTER TABLE customers ADD COLUMN phone TEXT;
        ALTER TABLE orders DROP COLUMN note;
        ALTER TABLE orders MODIFY COLUMN total TEXT;
        DROP TABLE notes;`,
      dropMost: `DROP VIEW v_customers; DROP TABLE orders;`,
    },
  },
];

async function inputRecords(pipeline: CatalogPipeline): Promise<number> {
  const admin = pipeline.kafka.kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(pipeline.input.name);
    return offsets.reduce((n, o) => n + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

interface CatalogRow {
  name: string;
  deleted: boolean;
  versions: { version: number; changes: { kind: string; column: string }[] }[];
}

async function catalog(pipeline: CatalogPipeline): Promise<Map<string, CatalogRow>> {
  const { rows } = await pipeline.pool.query<CatalogRow>(
    `SELECT a.name, a.deleted,
            COALESCE((SELECT json_agg(json_build_object('version', v.version,
                        'changes', (SELECT COALESCE(json_agg(json_build_object('kind', c->>'kind', 'column', c->>'column')
                                                              ORDER BY c->>'kind', c->>'column'), '[]')
                                      FROM jsonb_array_elements(v.diff->'changes') c)) ORDER BY v.version)
                      FROM schema_versions v WHERE v.urn = a.urn), '[]') AS versions
       FROM assets a`,
  );
  return new Map(rows.map((r) => [r.name, r]));
}

async function indexed(pipeline: CatalogPipeline): Promise<Map<string, string[]>> {
  await pipeline.client.indices.refresh({ index: pipeline.alias });
  const result = await pipeline.client.search<{ name: string; columns: { name: string }[] }>({
    index: pipeline.alias,
    size: 100,
    query: { match_all: {} },
  });
  return new Map(
    result.hits.hits.flatMap((h) =>
      h._source ? [[h._source.name, h._source.columns.map((c) => c.name)]] : [],
    ),
  );
}

for (const dialect of dialects) {
  test(`scanning ${dialect.platform}: catalog, schema history and index follow the database`, async (t) => {
    const db = await dialect.source(t);
    await db.exec(dialect.ddl.create);
    const pipeline = await catalogPipeline(t, { partitions: 2 });
    await pipeline.start(metadataSync({ input: pipeline.input, output: pipeline.output }));
    await pipeline.start(indexer({ input: pipeline.output }, pipeline.alias));
    const publisher = new ChangePublisher({
      kafka: pipeline.kafka.kafka,
      codec: pipeline.codec,
      topic: pipeline.input,
      logger,
    });
    await publisher.connect();
    t.after(() => publisher.disconnect());
    const variable = `SCAN_TEST_URL_${dialect.platform.toUpperCase()}`;
    const [source] = parseSources({
      sources: [
        {
          name: `test-${dialect.platform}`,
          platform: dialect.platform,
          connection: { env: variable },
          include: [`${db.schema}.*`],
          owners: ['team-data'],
        },
      ],
    });
    assert.ok(source);
    const store = new PgScanStore(pipeline.pool);
    const scan = async (options: { allowMassDelete?: boolean; url?: string } = {}): Promise<ScanReport> => {
      const reader = openReader(source, { [variable]: options.url ?? db.url });
      try {
        return await scanSource({
          source,
          reader,
          sink: publisher,
          store,
          logger,
          allowMassDelete: options.allowMassDelete ?? false,
        });
      } finally {
        await reader.close();
      }
    };
    const settle = async (ledger: number, what: string, check: (docs: Map<string, string[]>) => boolean) => {
      await waitFor(
        () => pipeline.ledgerCount(),
        (n) => n >= ledger,
        30_000,
        `metadata-sync to apply ${what}`,
      );
      await waitFor(() => indexed(pipeline), check, 30_000, `the index to show ${what}`);
    };

    // 1. First scan: every table and the view, with their columns.
    const first = await scan();
    assert.deepEqual(
      [first.status, first.tables.seen, first.tables.upserts, first.tables.profiled, first.tables.deleted],
      ['succeeded', 4, 4, 3, 0],
    );
    await settle(4, 'the first scan', (docs) => docs.size === 4);
    let docs = await indexed(pipeline);
    assert.deepEqual(docs.get('customers'), ['id', 'email', 'full_name']);
    let rows = await catalog(pipeline);
    assert.deepEqual([...rows.keys()].sort(), ['customers', 'notes', 'orders', 'v_customers']);
    const { rows: described } = await pipeline.pool.query<{
      description: string;
      owners: string[];
      qualified_name: string;
    }>(`SELECT description, owners, qualified_name FROM assets WHERE name = 'customers'`);
    assert.deepEqual(described[0], {
      description: 'People who buy',
      owners: ['team-data'],
      qualified_name: `${dialect.prefix(db)}.customers`,
    });

    // 2. Alter: a column added, one dropped, one retyped, a table dropped.
    await db.exec(dialect.ddl.alter);
    const second = await scan();
    assert.deepEqual(
      [
        second.status,
        second.tables.seen,
        second.tables.upserts,
        second.tables.deleted,
        second.tables.unchanged,
      ],
      ['succeeded', 3, 2, 1, 1],
    );
    await settle(7, 'the second scan', (d) => d.size === 3 && (d.get('customers') ?? []).includes('phone'));
    docs = await indexed(pipeline);
    assert.deepEqual([...docs.keys()].sort(), ['customers', 'orders', 'v_customers']);
    assert.deepEqual(docs.get('orders'), ['id', 'customer_id', 'total']);
    rows = await catalog(pipeline);
    const added = (...columns: string[]) => columns.map((column) => ({ kind: 'added', column }));
    assert.deepEqual(
      rows.get('customers')?.versions.map((v) => [v.version, v.changes]),
      [
        [1, added('email', 'full_name', 'id')],
        [2, added('phone')],
      ],
    );
    assert.deepEqual(
      rows.get('orders')?.versions.map((v) => [v.version, v.changes]),
      [
        [1, added('customer_id', 'id', 'note', 'total')],
        [
          2,
          [
            { kind: 'dropped', column: 'note' },
            { kind: 'type_changed', column: 'total' },
          ],
        ],
      ],
    );
    assert.equal(rows.get('notes')?.deleted, true);
    assert.deepEqual(
      rows.get('v_customers')?.versions.map((v) => v.version),
      [1],
    );

    // 3. Nothing changed: nothing published.
    const before = await inputRecords(pipeline);
    const third = await scan();
    assert.deepEqual(
      [third.tables.upserts, third.tables.profiles, third.tables.deleted, third.tables.unchanged],
      [0, 0, 0, 3],
    );
    assert.equal(await inputRecords(pipeline), before, 'an unchanged source publishes nothing');

    // 3b. New rows: that table is published again, with its new profile and the time the change was seen.
    await db.exec(
      `INSERT INTO customers (id, email, full_name) VALUES (100, 'late.person@example.com', 'Late')`,
    );
    const changed = await scan();
    // An upsert when the last-modification time moved; MariaDB's has whole seconds, so a change within the
    // second it already reported is a profile event (its statistics moved).
    assert.equal(changed.tables.upserts + changed.tables.profiles, 1);
    assert.ok(changed.tables.profiled >= 1);
    await waitFor(
      () => pipeline.ledgerCount(),
      (n) => n >= 8,
      30_000,
      'metadata-sync to apply the change',
    );
    const { rows: modified } = await pipeline.pool.query<{ last_modified_at: Date | null }>(
      `SELECT last_modified_at FROM assets WHERE name = 'customers'`,
    );
    assert.ok(modified[0]?.last_modified_at, 'the profile carries when the data changed');
    const afterRows = await inputRecords(pipeline);

    // 4. The source cannot be listed: the scan fails and deletes nothing.
    const unreachable = new URL(db.url);
    unreachable.port = '9';
    const failed = await scan({ url: unreachable.toString() });
    assert.deepEqual([failed.status, failed.failures[0]?.stage], ['failed', 'connect']);
    assert.equal(await inputRecords(pipeline), afterRows);

    // 5. Most of the schema is gone at once: withheld, until allowed.
    await db.exec(dialect.ddl.dropMost);
    const guarded = await scan();
    assert.deepEqual(guarded.withheldDeletes, [{ schema: db.schema, missing: 2, of: 3 }]);
    assert.equal(await inputRecords(pipeline), afterRows);
    const allowed = await scan({ allowMassDelete: true });
    assert.equal(allowed.tables.deleted, 2);
    await settle(10, 'the allowed deletes', (d) => [...d.keys()].join() === 'customers');

    // Sampled values went to the topic only.
    assert.deepEqual(await samplesInPostgres(pipeline.pool, pipeline.schema, emails), []);
    const { rows: runs } = await pipeline.pool.query<{ status: string }>(
      `SELECT status FROM scan_runs ORDER BY id`,
    );
    assert.deepEqual(
      runs.map((r) => r.status),
      ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed', 'succeeded', 'succeeded'],
    );
  });
}
