/**
 * `steward demo` (`npm run demo`): publishes the demo catalog (src/demo) through the producer path — the
 * contract check, the registry's Avro encoding and the changes topic, as any producer would — then tells
 * its story (schema changes, growth, a dropped and a new table) over `--duration` seconds.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command as Program } from 'commander';
import { createKafka } from '../adapters/kafka.ts';
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
    .action(async (flags: { duration: string; seed: string }) => {
      const duration = Number(flags.duration);
      const seed = Number(flags.seed);
      if (!Number.isFinite(duration) || duration < 0 || !Number.isSafeInteger(seed)) {
        process.stderr.write('--duration must be seconds (0 or more) and --seed an integer\n');
        process.exit(2);
      }
      const settings = config();
      const logger = createLogger({ level: 'warn', name: 'steward-demo' });
      const publisher = new ChangePublisher({
        kafka: createKafka(settings.kafka, logger, `${settings.kafka.clientId}-demo`),
        codec: new TopicCodec(createRegistry(settings.schemaRegistry)),
        logger,
      });
      await publisher.connect();
      try {
        const first = initialEvents(new Date(Date.now() - 60_000), seed);
        await publisher.publishChanges(first);
        const sources = new Set(DEMO_TABLES.map((t) => `${t.platform}:${t.instance}`));
        say(`published ${DEMO_TABLES.length} tables from ${sources.size} sources (${first.length} events)`);
        for (const [i, step] of STORY.entries()) {
          if (duration > 0) await sleep((duration * 1000) / STORY.length);
          await publisher.publishChanges(step.events(new Date(), seed));
          say(`[${i + 1}/${STORY.length}] ${step.what}`);
        }
        const api = `http://${settings.api.host}:${settings.api.port}`;
        say(`done. Try:
  curl -s '${api}/v1/search?q=email&class=email' | jq '.hits[].asset.urn'
  curl -s '${api}/v1/search?sensitivity=restricted' | jq '.facets'
  curl -s '${api}/v1/violations?status=open' | jq '.violations[] | {urn, policyId, severity}'
  curl -s '${api}/v1/stats' | jq '.kpis'
  open ${api}/docs`);
      } finally {
        await publisher.disconnect();
      }
    });
}
