/**
 * `npm run bench:api`: the query API's latency at fixed offered rates, idle and while the pipeline ingests
 * at full speed, over an index of `--assets` assets (50,000 by default) built by the real pipeline. See
 * bench/README.md.
 *
 * The pipeline (metadata-sync, compliance, quality, indexer) runs in this process on topics, a PostgreSQL
 * schema and an index of its own; the API runs as `steward run api` in a child process pointed at them; the
 * load generator (autocannon) runs in another child (bench/api-load.ts), so no two of them share an event
 * loop. Every endpoint gets `--queries` distinct requests (searches with filters and sorts, prefixes,
 * asset URNs), a warm-up, then `--seconds` at `--rate` requests per second. Everything created is removed
 * at the end, also on failure or Ctrl-C.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import { Command } from 'commander';
import { Partitioners, type Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { aliasName, prepareIndexer, templateName } from '../src/adapters/elasticsearch/asset-index.ts';
import { createKafka } from '../src/adapters/kafka.ts';
import { seedBuiltinPolicies } from '../src/adapters/postgres/policy-store.ts';
import { toAvro } from '../src/contract/avro.ts';
import type { ChangeEvent } from '../src/domain/change-event.ts';
import type { ProcessorDefinition } from '../src/domain/processor.ts';
import type { TopicDeclaration } from '../src/domain/topic.ts';
import { RuntimeMetrics } from '../src/runtime/metrics.ts';
import type { RunningProcessor } from '../src/runtime/processor-runtime.ts';
import { complianceProcessor } from '../processors/compliance/processor.ts';
import { indexer } from '../processors/indexer/processor.ts';
import { metadataSync } from '../processors/metadata-sync/processor.ts';
import { qualityProcessor } from '../processors/quality/processor.ts';
import { alerts, assets, changes, commands, compliance, dlq, quality, retry } from '../topics/index.ts';
import type { LoadResult } from './api-load.ts';
import { ENDPOINTS, phase, queries, startApi, type Endpoint, type PhaseResult } from './api-shared.ts';
import { integer, machine, progress, rate, runBench, writeResult } from './common.ts';
import {
  createTopics,
  eventsCounted,
  withBench,
  startBenchProcessor,
  type Bench as BaseBench,
} from './harness.ts';
import type { Machine } from './report.ts';
import { workload, type Workload } from './workload.ts';

const PARTITIONS = 6;
const COLUMNS = 20;
const PRODUCE_BATCH = 1000;
/** During the ingest phase, the producer keeps this many events ahead of metadata-sync: always saturated. */
const INGEST_BACKLOG = 20_000;

interface Options {
  readonly assets: number;
  readonly queries: number;
  readonly rate: number;
  readonly seconds: number;
}

function parseOptions(): Options {
  return new Command('bench:api')
    .description('API latency at fixed offered rates, idle and during full-speed ingest')
    .option('--assets <n>', 'assets in the index (built through the pipeline)', integer(1), 50_000)
    .option('--queries <n>', 'distinct requests per endpoint', integer(1), 1_200)
    .option('--rate <n>', 'offered requests per second, per endpoint', integer(1), 200)
    .option('--seconds <n>', 'measured seconds per endpoint and phase', integer(1), 15)
    .parse()
    .opts<Options>();
}

type Bench = BaseBench & { readonly schema: string };

const processedBy = (registry: Registry): Promise<number> => eventsCounted(registry, 'processed');

interface Pipeline {
  readonly input: TopicDeclaration;
  readonly prefix: string;
  readonly alias: string;
  /** metadata-sync's registry: its processed count paces the ingest producer. */
  readonly intake: Registry;
  /** Every processor's registry. */
  readonly registries: readonly Registry[];
  readonly stop: () => Promise<void>;
}

/** The four processors of the governance pipeline on the bench's topics, tables and index. */
async function startPipeline(bench: Bench): Promise<Pipeline> {
  const base = `bench.api.${bench.id}`;
  const named = (topic: TopicDeclaration, name: string, partitions = PARTITIONS): TopicDeclaration => ({
    ...topic,
    name: `${base}.${name}`,
    partitions,
  });
  const input = named(changes, 'changes');
  const output = named(assets, 'assets');
  const results = named(compliance, 'compliance');
  const qualityTopic = named(quality, 'quality');
  const alertsTopic = named(alerts, 'alerts');
  const commandsTopic = named(commands, 'commands');
  const dlqTopic = named(dlq, 'dlq', 1);
  const retryTopic = named(retry, 'retry');
  await createTopics(bench, [
    input,
    output,
    results,
    qualityTopic,
    alertsTopic,
    commandsTopic,
    dlqTopic,
    retryTopic,
  ]);
  const prefix = `bench-api-${bench.id}`;
  const alias = aliasName(prefix);
  bench.cleanup.defer(`delete index ${alias}`, async () => {
    const indices = await bench.es.indices.get({ index: `${alias}-*`, allow_no_indices: true });
    const names = Object.keys(indices);
    if (names.length) await bench.es.indices.delete({ index: names });
    await bench.es.indices.deleteIndexTemplate({ name: templateName(prefix) }, { ignore: [404] });
  });
  await prepareIndexer(bench.es, prefix);
  await seedBuiltinPolicies(bench.pool);
  const definitions: ProcessorDefinition[] = [
    metadataSync({ input, output, commands: commandsTopic }),
    complianceProcessor({
      changes: input,
      assets: output,
      commands: commandsTopic,
      results,
      alerts: alertsTopic,
    }),
    qualityProcessor({
      changes: input,
      assets: output,
      compliance: results,
      commands: commandsTopic,
      output: qualityTopic,
    }),
    indexer({ input: output, notices: [results, qualityTopic] }, alias),
  ].map((d) => ({ ...d, group: `${base}.${d.name}` }) as ProcessorDefinition);
  bench.cleanup.defer('delete the consumer groups', () =>
    bench.admin.deleteGroups(definitions.map((d) => d.group)),
  );
  const running: RunningProcessor[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
  };
  bench.cleanup.defer('stop the pipeline', stop);
  const registries: Registry[] = [];
  for (const processor of definitions) {
    const registry = new Registry();
    registries.push(registry);
    running.push(
      await startBenchProcessor(bench, processor, {
        kafka: createKafka(bench.config.kafka, bench.logger, `${base}.${processor.name}`),
        metrics: new RuntimeMetrics(registry),
        dlqTopic,
        retryTopic,
      }),
    );
  }
  return { input, prefix, alias, intake: registries[0] ?? new Registry(), registries, stop };
}

async function producerFor(bench: Bench): Promise<Producer> {
  const producer = bench.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  bench.cleanup.defer('disconnect the producer', () => producer.disconnect());
  await producer.connect();
  return producer;
}

async function send(bench: Bench, producer: Producer, topic: TopicDeclaration, events: ChangeEvent[]) {
  const messages = await Promise.all(
    events.map(async (event) => ({
      key: event.asset.urn,
      value: await bench.codec.encode(topic, toAvro(event)),
    })),
  );
  await producer.send({ topic: topic.name, messages, acks: -1 });
}

async function indexedCount(es: Client, alias: string): Promise<number> {
  await es.indices.refresh({ index: alias });
  return (await es.count({ index: alias, query: { bool: { must_not: { term: { deleted: true } } } } })).count;
}

/** Every asset of the catalog through the pipeline once; resolves when all are searchable. */
async function load(
  bench: Bench,
  pipeline: Pipeline,
  producer: Producer,
  catalog: Workload,
): Promise<number> {
  const began = performance.now();
  let batch: ChangeEvent[] = [];
  // One upsert per asset, in catalog order.
  const events = catalog.assets.map((asset, n): ChangeEvent => ({
    id: crypto.randomUUID(),
    kind: 'upsert',
    occurredAt: new Date(Date.parse('2025-01-01T00:00:00Z') + n).toISOString(),
    source: { platform: 'postgres', instance: 'prod-eu' },
    asset,
  }));
  for (const event of events) {
    batch.push(event);
    if (batch.length === PRODUCE_BATCH) {
      await send(bench, producer, pipeline.input, batch);
      batch = [];
    }
  }
  if (batch.length) await send(bench, producer, pipeline.input, batch);
  let last = -1;
  let movedAt = performance.now();
  for (;;) {
    bench.signal.throwIfAborted();
    const count = await indexedCount(bench.es, pipeline.alias);
    if (count >= events.length) break;
    if (count !== last) {
      progress(`  indexed ${rate(count)} of ${rate(events.length)}`);
      last = count;
      movedAt = performance.now();
    } else if (performance.now() - movedAt > 120_000) throw new Error(`indexing stuck at ${count}`);
    await sleep(2000, undefined, { signal: bench.signal });
  }
  return (performance.now() - began) / 1000;
}

/**
 * Waits until no processor has taken an event for `quietMs`: the index holding every asset is not the end
 * of the load (compliance and quality results are still re-indexing them), and "idle" must be idle.
 */
async function settle(bench: Bench, pipeline: Pipeline, quietMs = 5000): Promise<number> {
  const began = performance.now();
  const total = async (): Promise<number> => {
    let sum = 0;
    for (const registry of pipeline.registries) sum += await processedBy(registry);
    return sum;
  };
  let last = await total();
  let quietSince = performance.now();
  while (performance.now() - quietSince < quietMs) {
    await sleep(500, undefined, { signal: bench.signal });
    const now = await total();
    if (now !== last) {
      last = now;
      quietSince = performance.now();
    }
    if (performance.now() - began > 30 * 60_000) throw new Error('the pipeline did not settle in 30 min');
  }
  return (performance.now() - began - quietMs) / 1000;
}

/** Produces updates as fast as metadata-sync takes them (a backlog is always waiting) until stopped. */
function ingest(bench: Bench, pipeline: Pipeline, producer: Producer, catalog: Workload) {
  const state = { running: false };
  let loop: Promise<void> = Promise.resolve();
  let startCount = 0;
  return {
    started() {
      state.running = true;
      loop = (async () => {
        startCount = await processedBy(pipeline.intake);
        const stream = catalog.events(Number.MAX_SAFE_INTEGER);
        let produced = 0;
        let n = 0;
        let reportedAt = performance.now();
        while (state.running) {
          const applied = (await processedBy(pipeline.intake)) - startCount;
          if (performance.now() - reportedAt > 5000) {
            progress(`  ingest: ${rate(produced)} produced, ${rate(applied)} applied by metadata-sync`);
            reportedAt = performance.now();
          }
          if (produced - applied > INGEST_BACKLOG) {
            await sleep(50);
            continue;
          }
          const batch: ChangeEvent[] = [];
          // next(), not for-of: leaving a for-of would close the generator.
          for (let next = stream.next(); !next.done; next = stream.next()) {
            // Later than the load's events, so every update changes the asset.
            const occurredAt = new Date(Date.parse('2026-01-01T00:00:00Z') + n++).toISOString();
            batch.push({ ...next.value, occurredAt });
            if (batch.length === PRODUCE_BATCH) break;
          }
          if (!batch.length) break;
          await send(bench, producer, pipeline.input, batch);
          produced += batch.length;
        }
      })();
    },
    async stopped() {
      state.running = false;
      await loop;
      return (await processedBy(pipeline.intake)) - startCount;
    },
  };
}

interface ApiResult {
  readonly benchmark: 'api';
  readonly finishedAt: string;
  readonly machine: Machine;
  readonly options: Options;
  /** Until every asset was searchable, and until every processor had finished with the load. */
  readonly searchableSeconds: number;
  readonly loadSeconds: number;
  readonly distinctRequests: Record<Endpoint, number>;
  readonly idle: PhaseResult;
  readonly ingest: PhaseResult;
}

function table(result: ApiResult): string {
  const cell = (r: LoadResult): string => `${String(r.p50Ms).padStart(5)} / ${String(r.p99Ms).padStart(5)}`;
  const lines = [
    `API latency, ms (p50 / p99) at ${result.options.rate} req/s offered per endpoint, ${rate(result.options.assets)} assets indexed`,
    `endpoint       distinct   idle p50 / p99   ingest p50 / p99   p99 ingest÷idle   non-2xx idle/ingest`,
  ];
  for (const endpoint of ENDPOINTS) {
    const idle = result.idle.endpoints[endpoint];
    const busy = result.ingest.endpoints[endpoint];
    lines.push(
      `${endpoint.padEnd(14)} ${String(result.distinctRequests[endpoint]).padStart(8)}   ${cell(idle)}      ${cell(busy)}        ${(busy.p99Ms / Math.max(idle.p99Ms, 1)).toFixed(2).padStart(6)}          ${idle.non2xx + idle.errors}/${busy.non2xx + busy.errors}`,
    );
  }
  const ratio = (r: number | null): string => (r === null ? 'n/a' : `${(r * 100).toFixed(1)} %`);
  lines.push(
    `asset-detail cache hit ratio: idle ${ratio(result.idle.detailCacheHitRatio)}, during ingest ${ratio(result.ingest.detailCacheHitRatio)}`,
    `ingest during the busy phase: ${rate(result.ingest.ingestEventsPerSecond)} change events/s through metadata-sync, compliance, quality and the indexer`,
    `load: every asset searchable after ${result.searchableSeconds.toFixed(0)} s, the pipeline settled after ${result.loadSeconds.toFixed(0)} s (${rate(result.options.assets / result.loadSeconds)} assets/s)`,
    `machine: ${result.machine.cores} cores, node ${result.machine.node}, commit ${result.machine.commit}${result.machine.dirty ? ' (dirty)' : ''}`,
  );
  return lines.join('\n');
}

async function main(options: Options): Promise<void> {
  await withBench('api', async (bench) => {
    const { id } = bench;
    const catalog = workload({ urns: options.assets, columns: COLUMNS });
    const pipeline = await startPipeline(bench);
    const producer = await producerFor(bench);
    progress(`bench ${id}: loading ${rate(options.assets)} assets through the pipeline`);
    const searchableSeconds = await load(bench, pipeline, producer, catalog);
    progress(
      `every asset searchable after ${searchableSeconds.toFixed(1)} s; waiting for the pipeline to settle`,
    );
    const loadSeconds = searchableSeconds + (await settle(bench, pipeline));
    progress(`settled after ${loadSeconds.toFixed(1)} s; starting the API`);
    const { url } = await startApi(bench, pipeline);
    const requests = queries(catalog, options.queries);
    progress('idle:');
    const idle = await phase(url, requests, options, undefined);
    progress('during ingest:');
    const busy = await phase(
      url,
      requests,
      options,
      ingest(bench, pipeline, await producerFor(bench), catalog),
    );
    const result: ApiResult = {
      benchmark: 'api',
      finishedAt: new Date().toISOString(),
      machine: machine(),
      options,
      searchableSeconds,
      loadSeconds,
      distinctRequests: {
        search: requests.search.length,
        autocomplete: requests.autocomplete.length,
        detail: requests.detail.length,
      },
      idle,
      ingest: busy,
    };
    process.stdout.write(`${table(result)}\n`);
    writeResult('api', result);
  });
}

runBench(() => main(parseOptions()));
