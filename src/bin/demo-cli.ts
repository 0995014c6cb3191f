/**
 * `steward demo` (`npm run demo`): creates the demo's shop and clinic in PostgreSQL and its HR system in
 * MariaDB/MySQL with generated rows and scans them (src/demo/scanned.ts); publishes the marketing warehouse
 * through the producer path as any producer would; then tells its story (schema changes, growth, a dropped
 * and a new table) over `--duration` seconds. `--no-databases` publishes everything as synthetic events.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command as Program } from 'commander';
import { createKafka, idempotentProducer } from '../adapters/kafka.ts';
import { demoRunEvents } from '../demo/lineage.ts';
import type { RunEvent } from '../lineage/openlineage.ts';
import { publishRunEvents } from '../lineage/publish.ts';
import { lineage } from '../../topics/index.ts';
import { createPool } from '../adapters/postgres/pool.ts';
import { PgScanStore } from '../adapters/postgres/scan-store.ts';
import { startScannedDemo, type DemoStep } from '../demo/scanned.ts';
import { TopicCodec, createRegistry } from '../adapters/registry.ts';
import type { Config } from '../config.ts';
import { DEMO_TABLES } from '../demo/catalog.ts';
import { STORY, initialEvents } from '../demo/events.ts';
import { createLogger } from '../observability/logger.ts';
import { ChangePublisher } from '../producer/publish.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

export function registerDemoCommand(program: Program, config: () => Config): void {
  program
    .command('demo')
    .description(
      'publish a realistic demo catalog (shop, HR, clinic, marketing warehouse) and a few minutes of changes',
    )
    .option('--duration <seconds>', 'spread the story of changes over this long (0: all at once)', '120')
    .option('--seed <n>', 'seed of the generated values', '1')
    .option('--no-databases', 'publish every source as synthetic events (no databases created or scanned)')
    .option('--rows <n>', 'rows generated per demo table', '1000')
    .option('--postgres-url <url>', 'PostgreSQL server for demo_shop and demo_clinic (default: DATABASE_URL)')
    .option(
      '--mysql-url <url>',
      'MariaDB/MySQL server for demo_hr',
      process.env['DEMO_MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/',
    )
    .action(
      async (flags: {
        duration: string;
        seed: string;
        databases: boolean;
        rows: string;
        postgresUrl?: string;
        mysqlUrl: string;
      }) => {
        const duration = Number(flags.duration);
        const seed = Number(flags.seed);
        const rows = Number(flags.rows);
        if (
          !Number.isFinite(duration) ||
          duration < 0 ||
          !Number.isSafeInteger(seed) ||
          !Number.isSafeInteger(rows) ||
          rows < 1
        ) {
          process.stderr.write(
            '--duration must be seconds (0 or more), --seed an integer and --rows a positive integer\n',
          );
          process.exit(2);
        }
        const settings = config();
        const logger = createLogger({ level: 'warn', name: 'steward-demo' });
        const kafka = createKafka(settings.kafka, logger, `${settings.kafka.clientId}-demo`);
        const codec = new TopicCodec(createRegistry(settings.schemaRegistry));
        const publisher = new ChangePublisher({ kafka, codec, logger });
        await publisher.connect();
        const producer = idempotentProducer(kafka);
        await producer.connect();
        /** OpenLineage RunEvents, as an integration's Kafka transport would send them (keyed by job). */
        const publishLineage = (events: readonly RunEvent[]): Promise<void> =>
          publishRunEvents(producer, codec, lineage, events);
        const pool = createPool(settings.postgres, 2);
        let closeDatabases = (): Promise<void> => Promise.resolve();
        try {
          let steps: DemoStep[];
          if (flags.databases) {
            const started = await startScannedDemo({
              sink: publisher,
              store: new PgScanStore(pool),
              logger,
              seed,
              rows,
              postgresUrl: flags.postgresUrl ?? settings.postgres.url,
              mysqlUrl: flags.mysqlUrl,
              say,
            });
            steps = started.steps;
            closeDatabases = started.close;
          } else {
            const first = initialEvents(new Date(Date.now() - 60_000), seed);
            await publisher.publishChanges(first);
            const sources = new Set(DEMO_TABLES.map((t) => `${t.platform}:${t.instance}`));
            say(
              `published ${DEMO_TABLES.length} tables from ${sources.size} sources (${first.length} events)`,
            );
            steps = STORY.map((step) => ({
              what: step.what,
              run: async () => {
                await publisher.publishChanges(step.events(new Date(), seed));
              },
            }));
          }
          const runs = demoRunEvents(
            new Date(),
            seed,
            flags.databases
              ? { shop: 'demo_shop', clinic: 'demo_clinic' }
              : { shop: 'shop', clinic: 'clinic' },
          );
          await publishLineage(runs);
          say(
            `published lineage: ${runs.length / 2} jobs (OpenLineage START and COMPLETE, with column lineage)`,
          );
          for (const [i, step] of steps.entries()) {
            if (duration > 0) await sleep((duration * 1000) / steps.length);
            await step.run();
            say(`[${i + 1}/${steps.length}] ${step.what}`);
          }
          const api = `http://${settings.api.host}:${settings.api.port}`;
          say(`done. Try:
  curl -s '${api}/v1/search?q=email&class=email' | jq '.hits[].asset.urn'
  curl -s '${api}/v1/search?sensitivity=restricted' | jq '.facets'
  curl -s '${api}/v1/violations?status=open' | jq '.violations[] | {urn, policyId, severity}'
  curl -s '${api}/v1/stats' | jq '.kpis'
  curl -s '${api}/v1/assets/urn%3Asteward%3Adataset%3Apostgres%3Ashop-prod%3A${flags.databases ? 'demo_shop' : 'shop'}.public.customers/impact' | jq '.affected[].urn'
  open ${api}/docs`);
        } finally {
          await closeDatabases();
          await pool.end();
          await Promise.all([publisher.disconnect(), producer.disconnect()]);
        }
      },
    );
}
