/**
 * The demo with real databases: the shop, the clinic and HR are created in the local PostgreSQL and
 * MariaDB (src/demo/databases.ts) and scanned; the marketing warehouse (Snowflake, which no machine here
 * runs) is still published as a producer would. The story's changes to the databases are real ALTER,
 * INSERT and CREATE statements, each followed by a scan of that source.
 */
import type { ScanStore } from '../adapters/postgres/scan-store.ts';
import type { Logger } from '../observability/logger.ts';
import { openReader } from '../scanner/readers.ts';
import { scanSource, type EventSink, type ScanReport } from '../scanner/scan.ts';
import {
  DEMO_DATABASES,
  createTableSql,
  demoSource,
  locationOf,
  openDemoDatabase,
  rowsOf,
  urlVariable,
  type DemoConnection,
  type DemoDatabase,
} from './databases.ts';
import { LAB_RESULTS, STORY, initialEvents } from './events.ts';
import type { DemoTable } from './catalog.ts';

export interface ScannedDemoOptions {
  readonly sink: EventSink;
  readonly store: ScanStore;
  readonly logger: Logger;
  readonly seed: number;
  /** Rows generated per table (at most the catalog's row count). */
  readonly rows: number;
  readonly postgresUrl: string;
  readonly mysqlUrl: string;
  readonly say: (line: string) => void;
}

export interface DemoStep {
  readonly what: string;
  run(): Promise<void>;
}

interface Opened {
  readonly db: DemoDatabase;
  readonly connection: DemoConnection;
  readonly env: NodeJS.ProcessEnv;
}

const byPath = (db: DemoDatabase, path: string): DemoTable => {
  const found = db.tables.find((t) => t.path.join('.') === path);
  if (!found) throw new Error(`no demo table ${path}`);
  return found;
};

/**
 * Creates and fills the databases, scans them, publishes the warehouse; returns the story's steps (run in
 * order, spread over the demo's duration) and a function closing the connections.
 */
export async function startScannedDemo(
  options: ScannedDemoOptions,
): Promise<{ steps: DemoStep[]; close: () => Promise<void> }> {
  const opened: Opened[] = [];
  const close = async () => {
    for (const o of opened) await o.connection.close();
  };
  try {
    for (const db of DEMO_DATABASES) {
      const { connection, url } = await openDemoDatabase(
        db,
        db.engine === 'postgres' ? options.postgresUrl : options.mysqlUrl,
      );
      opened.push({ db, connection, env: { [urlVariable(db)]: url } });
      for (const table of db.tables) {
        for (const statement of createTableSql(db, table)) await connection.exec(statement);
        await connection.insert(
          table,
          rowsOf(db.engine, table, options.seed, 0, Math.min(table.rows, options.rows)),
        );
      }
      options.say(`created ${db.engine} database ${db.database}: ${db.tables.length} tables`);
    }
  } catch (error) {
    await close();
    throw error;
  }

  const scan = async (source: string): Promise<ScanReport> => {
    const o = opened.find((x) => x.db.source === source);
    if (!o) throw new Error(`no demo source ${source}`);
    const declared = demoSource(o.db);
    const reader = openReader(declared, o.env);
    try {
      const report = await scanSource({
        source: declared,
        reader,
        sink: options.sink,
        store: options.store,
        logger: options.logger,
      });
      const t = report.tables;
      options.say(
        `  scanned ${source}: ${t.seen} tables, ${t.upserts} upserted, ${t.profiles} re-profiled, ${t.deleted} deleted, ${t.unchanged} unchanged`,
      );
      if (report.status !== 'succeeded')
        throw new Error(`scan of ${source} ${report.status}: ${JSON.stringify(report.failures.slice(0, 3))}`);
      return report;
    } finally {
      await reader.close();
    }
  };
  for (const o of opened) await scan(o.db.source);
  const warehouse = initialEvents(new Date(Date.now() - 60_000), options.seed).filter(
    (e) => e.source.platform === 'snowflake',
  );
  await options.sink.publishChanges(warehouse);
  options.say(`published the snowflake warehouse as a producer would (${warehouse.length} events)`);

  const at = (engine: string) => {
    const o = opened.find((x) => x.db.source === engine);
    if (!o) throw new Error(`no demo source ${engine}`);
    return o;
  };
  const shop = at('demo-shop');
  const hr = at('demo-hr');
  const clinic = at('demo-clinic');
  const target = (o: Opened, table: DemoTable) => {
    const { schema, name } = locationOf(o.db, table);
    return o.db.engine === 'postgres' ? `"${schema}"."${name}"` : `\`${name}\``;
  };
  const synthetic = (index: number): DemoStep => {
    const step = STORY[index];
    if (!step) throw new Error(`no story step ${index}`);
    return {
      what: step.what,
      run: async () => {
        await options.sink.publishChanges(step.events(new Date(), options.seed));
      },
    };
  };
  const steps: DemoStep[] = [
    {
      what: 'shop.public.orders gains a coupon_code column (ALTER TABLE, then a scan)',
      run: async () => {
        await shop.connection.exec(
          `ALTER TABLE ${target(shop, byPath(shop.db, 'shop.public.orders'))} ADD COLUMN coupon_code varchar(32)`,
        );
        await scan('demo-shop');
      },
    },
    {
      what: 'shop.public.customers grows (INSERT, then a scan)',
      run: async () => {
        const customers = byPath(shop.db, 'shop.public.customers');
        const have = Math.min(customers.rows, options.rows);
        await shop.connection.insert(
          customers,
          rowsOf('postgres', customers, options.seed, have, have + Math.ceil(have / 40)),
        );
        await scan('demo-shop');
      },
    },
    {
      what: 'hr.employees drops tax_id, a breaking change (ALTER TABLE, then a scan)',
      run: async () => {
        await hr.connection.exec(
          `ALTER TABLE ${target(hr, byPath(hr.db, 'hr.employees'))} DROP COLUMN tax_id`,
        );
        await scan('demo-hr');
      },
    },
    {
      what: 'shop.public.payments retypes amount to numeric(14,2) (ALTER TABLE, then a scan)',
      run: async () => {
        await shop.connection.exec(
          `ALTER TABLE ${target(shop, byPath(shop.db, 'shop.public.payments'))} ALTER COLUMN amount TYPE numeric(14,2)`,
        );
        await scan('demo-shop');
      },
    },
    {
      what: 'clinic.care.lab_results appears, with patient e-mail addresses (CREATE TABLE, then a scan)',
      run: async () => {
        for (const statement of createTableSql(clinic.db, LAB_RESULTS))
          await clinic.connection.exec(statement);
        await clinic.connection.insert(
          LAB_RESULTS,
          rowsOf('postgres', LAB_RESULTS, options.seed, 0, Math.min(LAB_RESULTS.rows, options.rows)),
        );
        await scan('demo-clinic');
      },
    },
    synthetic(5),
    synthetic(6),
  ];
  return { steps, close };
}
