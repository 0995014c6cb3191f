/**
 * `npm run bench:catalog`: events/s from a copy of the changes topic to searchable documents (metadata-sync
 * and the indexer in-process), next to a raw bulk-index of the same documents with no processing, in the
 * same run; then produced→searchable latency at half the measured rate. See bench/README.md. Everything it
 * creates (topics, subjects, consumer groups, a PostgreSQL schema, indices and templates) has a unique name
 * and is removed at the end, also when a measurement fails or on Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { Partitioners, type Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { aliasName, ensureAssetIndex, templateName } from '../src/adapters/elasticsearch/asset-index.ts';
import { writeDocuments } from '../src/adapters/elasticsearch/document-sink.ts';
import { createKafka } from '../src/adapters/kafka.ts';
import { loadConfig } from '../src/config.ts';
import { toAvro } from '../src/contract/avro.ts';
import type { ChangeEvent } from '../src/domain/change-event.ts';
import type { DocumentWrite, ProcessorDefinition } from '../src/domain/processor.ts';
import type { TopicDeclaration } from '../src/domain/topic.ts';
import { createLogger } from '../src/observability/logger.ts';
import { RuntimeMetrics } from '../src/runtime/metrics.ts';
import type { RunningProcessor } from '../src/runtime/processor-runtime.ts';
import { indexer } from '../processors/indexer/processor.ts';
import { metadataSync } from '../processors/metadata-sync/processor.ts';
import { assets, changes, dlq, retry } from '../topics/index.ts';
import { Cleanup, integer, machine, progress, rate, runBench, until, writeResult } from './common.ts';
import {
  createTopics,
  eventsCounted,
  openBench,
  startBenchProcessor,
  type Bench as BaseBench,
} from './harness.ts';
import { expectedOf, measureFreshness, searchable, type Expected, type Freshness } from './index-check.ts';
import { median, type Machine } from './report.ts';
import { workload, type Workload } from './workload.ts';

const PARTITIONS = 12;
const COLUMNS = 20;
const PRODUCE_BATCH = 1000;
/** The consumer settings of src/bin/run-processor.ts. */
/** Freshness: offered load as a share of the measured pipeline rate, for how long, 1 event in how many. */
const FRESHNESS_LOAD = 0.5;
const FRESHNESS_SECONDS = 15;
const SAMPLE_EVERY = 10;

interface Options {
  readonly events: number;
  readonly repetitions: number;
  readonly assets: number;
}

function parseOptions(): Options {
  return new Command('bench:catalog')
    .description('events/s from the changes topic to searchable documents, next to a raw bulk-index')
    .option('--events <n>', 'change events produced per repetition', integer(1), 20_000)
    .option('--repetitions <n>', 'pipeline and raw measurements (the median is reported)', integer(1), 1)
    .option('--assets <n>', 'distinct assets (URNs) the events are spread over', integer(1), 2000)
    .parse()
    .opts<Options>();
}

type Bench = BaseBench & { readonly brokers: number };

async function untilSearchable(
  bench: Bench,
  alias: string,
  expected: Expected,
  what: string,
): Promise<number> {
  return until(
    async () => {
      const { assets: count, revisionSum } = await searchable(bench.es, alias);
      return count === expected.assets ? revisionSum : Math.min(revisionSum, expected.revisionSum - 1);
    },
    expected.revisionSum,
    what,
    bench.signal,
  );
}

/** A fresh index (template, index, alias) under a unique prefix, removed at the end. */
async function freshIndex(bench: Bench, tag: string): Promise<string> {
  const prefix = `bench-catalog-${bench.id}-${tag}`;
  const alias = aliasName(prefix);
  bench.cleanup.defer(`delete index ${alias}`, async () => {
    const indices = await bench.es.indices.get({ index: `${alias}-*`, allow_no_indices: true });
    const names = Object.keys(indices);
    if (names.length) await bench.es.indices.delete({ index: names });
    await bench.es.indices.deleteIndexTemplate({ name: templateName(prefix) }, { ignore: [404] });
  });
  await ensureAssetIndex(bench.es, prefix);
  return alias;
}

const counter = eventsCounted;

interface Pipeline {
  readonly input: TopicDeclaration;
  readonly alias: string;
  readonly producer: Producer;
  readonly registries: readonly Registry[];
  readonly indexerMetrics: RuntimeMetrics;
  readonly stop: () => Promise<void>;
}

/** metadata-sync and the indexer on fresh topics, tables and index; resolves once both joined their group. */
async function startPipeline(
  bench: Bench,
  tag: string,
  dlqTopic: TopicDeclaration,
  retryTopic: TopicDeclaration,
) {
  const base = `bench.catalog.${bench.id}.${tag}`;
  const input: TopicDeclaration = { ...changes, name: `${base}.changes`, partitions: PARTITIONS };
  const output: TopicDeclaration = { ...assets, name: `${base}.assets` };
  await createTopics(bench, [input, output]);
  const groups = [`${base}.metadata-sync`, `${base}.indexer`] as const;
  // Before the topics go (deferred later, so run earlier): a group whose offsets were all on deleted
  // topics is removed by the broker, and deleting it then fails.
  bench.cleanup.defer('delete the consumer groups', () => bench.admin.deleteGroups([...groups]));
  const alias = await freshIndex(bench, tag);
  // Every repetition starts from empty tables, as it starts from an empty index (not timed).
  await bench.pool.query(
    'TRUNCATE assets, schema_versions, steward_state, steward_applied_events, steward_outbox',
  );
  const definitions = [
    { ...metadataSync({ input, output }), group: groups[0] },
    { ...indexer({ input: output }, alias), group: groups[1] },
  ] as const;
  const registries: Registry[] = [];
  const joins: Promise<void>[] = [];
  const running: RunningProcessor[] = [];
  let indexerMetrics: RuntimeMetrics | undefined;
  const stop = async (): Promise<void> => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
  };
  bench.cleanup.defer(`stop the pipeline ${tag}`, stop);
  const start = async <V, S, C>(processor: ProcessorDefinition<V, S, C>): Promise<void> => {
    const registry = new Registry();
    registries.push(registry);
    const metrics = new RuntimeMetrics(registry);
    if (processor.name === 'indexer') indexerMetrics = metrics;
    const kafka = createKafka(bench.config.kafka, bench.logger, `${base}.${processor.name}`);
    const create = kafka.consumer.bind(kafka);
    kafka.consumer = (consumerConfig) => {
      const consumer = create(consumerConfig);
      joins.push(new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve())));
      return consumer;
    };
    running.push(await startBenchProcessor(bench, processor, { kafka, metrics, dlqTopic, retryTopic }));
  };
  await start(definitions[0]);
  await start(definitions[1]);
  await Promise.race([
    Promise.all(joins),
    sleep(60_000, undefined, { signal: bench.signal }).then(() => {
      throw new Error('the processors did not join their groups within 60 s');
    }),
  ]);
  const producer = bench.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  bench.cleanup.defer('disconnect the producer', () => producer.disconnect());
  await producer.connect();
  if (!indexerMetrics) throw new Error('no indexer metrics');
  return { input, alias, producer, registries, indexerMetrics, stop } satisfies Pipeline;
}

async function encode(bench: Bench, input: TopicDeclaration, events: readonly ChangeEvent[]) {
  return Promise.all(
    events.map(async (event) => {
      const value = await bench.codec.encode(input, toAvro(event));
      if (!value) throw new Error('an event encoded to null');
      return { key: event.asset.urn, value };
    }),
  );
}

async function failOnDead(pipeline: Pipeline): Promise<void> {
  for (const registry of pipeline.registries) {
    const dead = await counter(registry, 'dead');
    if (dead) throw new Error(`${dead} events were dead-lettered; see the log`);
  }
}

interface PipelineRun {
  readonly events: number;
  readonly assetRecords: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly produceSeconds: number;
  readonly cpuMsPerEvent: number;
  readonly eventLoopUtilization: number;
  readonly indexerBatches: number;
  readonly indexerEventsPerBatch: number;
}

/** (b): produce the events (encoded beforehand) and wait until every asset is searchable at its revision. */
async function measurePipeline(
  bench: Bench,
  pipeline: Pipeline,
  events: readonly ChangeEvent[],
  expected: Expected,
): Promise<PipelineRun> {
  const messages = await encode(bench, pipeline.input, events);
  const began = performance.now();
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  for (let i = 0; i < messages.length; i += PRODUCE_BATCH) {
    bench.signal.throwIfAborted();
    await pipeline.producer.send({
      topic: pipeline.input.name,
      messages: messages.slice(i, i + PRODUCE_BATCH),
      acks: -1,
    });
  }
  const produceSeconds = (performance.now() - began) / 1000;
  const indexerRegistry = pipeline.registries[1] ?? new Registry();
  await until(
    async () => {
      await failOnDead(pipeline);
      return counter(indexerRegistry, 'processed');
    },
    expected.writes.length,
    'indexer processed',
    bench.signal,
  );
  const endedAt = await untilSearchable(bench, pipeline.alias, expected, 'pipeline searchable');
  const used = process.cpuUsage(cpu);
  const seconds = (endedAt - began) / 1000;
  let batches = 0;
  for (const { metricName, value } of (await pipeline.indexerMetrics.batchSeconds.get()).values)
    if (metricName?.endsWith('_count')) batches += value;
  return {
    events: events.length,
    assetRecords: expected.writes.length,
    seconds,
    eventsPerSecond: events.length / seconds,
    produceSeconds,
    cpuMsPerEvent: (used.user + used.system) / 1000 / events.length,
    eventLoopUtilization: performance.eventLoopUtilization(elu).utilization,
    indexerBatches: batches,
    indexerEventsPerBatch: expected.writes.length / batches,
  };
}

interface RawRun {
  readonly documents: number;
  readonly batchSize: number;
  readonly seconds: number;
  readonly documentsPerSecond: number;
  readonly cpuMsPerDocument: number;
}

/**
 * (a): the same document writes, through writeDocuments into a fresh alias, as many bulks in flight as the
 * pipeline consumes partitions concurrently (KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY).
 */
async function measureRaw(bench: Bench, tag: string, expected: Expected, batchSize: number): Promise<RawRun> {
  const alias = await freshIndex(bench, `${tag}-raw`);
  const writes = expected.writes.map((w) => ({ ...w, index: alias }));
  const chunks: DocumentWrite[][] = [];
  for (let i = 0; i < writes.length; i += batchSize) chunks.push(writes.slice(i, i + batchSize));
  const began = performance.now();
  const cpu = process.cpuUsage();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let chunk = chunks[next++]; chunk; chunk = chunks[next++]) {
      bench.signal.throwIfAborted();
      const failures = await writeDocuments(bench.es, chunk);
      if (failures.length)
        throw new Error(`raw bulk: ${failures.length} rejected, e.g. ${failures[0]?.reason}`);
    }
  };
  await Promise.all(Array.from({ length: bench.config.kafka.partitionsConsumedConcurrently }, worker));
  const endedAt = await untilSearchable(bench, alias, expected, 'raw bulk searchable');
  const used = process.cpuUsage(cpu);
  const seconds = (endedAt - began) / 1000;
  return {
    documents: writes.length,
    batchSize,
    seconds,
    documentsPerSecond: writes.length / seconds,
    cpuMsPerDocument: (used.user + used.system) / 1000 / writes.length,
  };
}

interface CatalogResult {
  readonly benchmark: 'catalog';
  readonly finishedAt: string;
  readonly machine: Machine;
  readonly workload: {
    readonly events: number;
    readonly repetitions: number;
    readonly assets: number;
    readonly columns: number;
    readonly kinds: { readonly upsert: number };
    readonly assetRecords: number;
    readonly partitions: number;
    readonly partitionsConsumedConcurrently: number;
    readonly maxBytesPerPartition: number;
  };
  readonly raw: { readonly medianDocumentsPerSecond: number; readonly runs: readonly RawRun[] };
  readonly pipeline: {
    readonly medianEventsPerSecond: number;
    readonly ratioToRaw: number;
    readonly medianCpuMsPerEvent: number;
    readonly runs: readonly PipelineRun[];
  };
  readonly freshness: Freshness;
}

const fixed = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');

function formatCatalog(result: CatalogResult): string {
  const { machine: m, workload: w, raw, pipeline: p, freshness: f } = result;
  const rows = [
    ['measurement', 'median/s', 'runs /s', 'CPU ms per event/doc', 'seconds'],
    [
      '(a) raw bulk-index, same documents',
      rate(raw.medianDocumentsPerSecond),
      raw.runs.map((r) => rate(r.documentsPerSecond)).join(' '),
      fixed(median(raw.runs.map((r) => r.cpuMsPerDocument)), 3),
      raw.runs.map((r) => fixed(r.seconds, 2)).join(' '),
    ],
    [
      '(b) pipeline, change events → searchable',
      rate(p.medianEventsPerSecond),
      p.runs.map((r) => rate(r.eventsPerSecond)).join(' '),
      fixed(p.medianCpuMsPerEvent, 3),
      p.runs.map((r) => fixed(r.seconds, 2)).join(' '),
    ],
  ];
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  const last = p.runs.at(-1);
  return [
    `Steward catalog throughput: ${rate(w.events)} upserts x ${w.repetitions} over ${rate(w.assets)} assets, ` +
      `${w.columns} columns; ${rate(w.assetRecords)} assets-topic records / document writes`,
    `machine: ${m.cores} cores (${m.cpuModel}), load ${fixed(m.loadAverage, 2)} at start, Node ${m.node}, ` +
      `commit ${m.commit}${m.dirty ? ' (uncommitted changes)' : ''}`,
    '',
    line(rows[0] ?? []),
    line(widths.map((n) => '-'.repeat(n))),
    ...rows.slice(1).map(line),
    '',
    `(b) vs (a): ${fixed(p.ratioToRaw, 3)}x; ` +
      (last
        ? `last run: produce ${fixed(last.produceSeconds, 2)} s, ELU ${fixed(last.eventLoopUtilization, 2)}, ` +
          `indexer ${rate(last.indexerBatches)} batches of ${fixed(last.indexerEventsPerBatch, 1)} records`
        : ''),
    `(c) freshness at ${rate(f.offeredEventsPerSecond)} events/s offered (${rate(f.achievedEventsPerSecond)} ` +
      `achieved) for ${fixed(f.seconds, 1)} s, ${rate(f.samples)} samples: produced→searchable ` +
      `p50 ${rate(f.p50Ms)} ms, p95 ${rate(f.p95Ms)} ms, p99 ${rate(f.p99Ms)} ms, max ${rate(f.maxMs)} ms` +
      (f.unresolved ? ` (${f.unresolved} never seen)` : ''),
  ].join('\n');
}

async function main(options: Options): Promise<void> {
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort(new Error('interrupted')));
  const config = loadConfig();
  const logger = createLogger(
    { level: process.env['LOG_LEVEL'] ? config.log.level : 'warn', name: 'steward-bench' },
    process.stderr,
  );
  const facts = machine();
  const id = randomBytes(4).toString('hex');
  const schema = `bench_catalog_${id}`;
  const events: Workload = workload({ urns: options.assets, columns: COLUMNS });
  const cleanup = new Cleanup(logger);
  try {
    const opened = await openBench({ config, logger, cleanup, signal: abort.signal, id, schema });
    const bench: Bench = { ...opened, brokers: (await opened.admin.describeCluster()).brokers.length };
    const dlqTopic: TopicDeclaration = { ...dlq, name: `bench.catalog.${id}.dlq` };
    const retryTopic: TopicDeclaration = { ...retry, name: `bench.catalog.${id}.retry` };
    await createTopics(bench, [dlqTopic, retryTopic]);

    const stream = events.events(Number.MAX_SAFE_INTEGER);
    const batch: ChangeEvent[] = [];
    for (let n = stream.next(); !n.done && batch.length < options.events; n = stream.next())
      batch.push(n.value);
    const expected = expectedOf(batch);
    progress(
      `bench ${id}: ${rate(batch.length)} events over ${rate(expected.assets)} assets → ` +
        `${rate(expected.writes.length)} document writes`,
    );

    const pipelineRuns: PipelineRun[] = [];
    const rawRuns: RawRun[] = [];
    let freshness: Freshness | undefined;
    for (let r = 1; r <= options.repetitions; r++) {
      const pipeline = await startPipeline(bench, `r${r}`, dlqTopic, retryTopic);
      const run = await measurePipeline(bench, pipeline, batch, expected);
      pipelineRuns.push(run);
      progress(
        `repetition ${r} (b) pipeline: ${rate(run.eventsPerSecond)} events/s (${run.seconds.toFixed(2)} s)`,
      );
      if (r === options.repetitions) {
        const offered = FRESHNESS_LOAD * median(pipelineRuns.map((p) => p.eventsPerSecond));
        progress(`(c) freshness: ${rate(offered)} events/s for ${FRESHNESS_SECONDS} s`);
        freshness = await measureFreshness(
          {
            es: bench.es,
            alias: pipeline.alias,
            signal: bench.signal,
            send: async (sent, timestamp) => {
              const messages = await encode(bench, pipeline.input, sent);
              await pipeline.producer.send({
                topic: pipeline.input.name,
                messages: messages.map((m) => ({ ...m, timestamp: String(timestamp) })),
                acks: -1,
              });
            },
            check: () => failOnDead(pipeline),
          },
          stream,
          { offered, seconds: FRESHNESS_SECONDS, sampleEvery: SAMPLE_EVERY },
        );
      }
      await pipeline.stop();
      const batchSize = Math.max(1, Math.round(run.indexerEventsPerBatch));
      const raw = await measureRaw(bench, `r${r}`, expected, batchSize);
      rawRuns.push(raw);
      progress(
        `repetition ${r} (a) raw bulk: ${rate(raw.documentsPerSecond)} docs/s (${raw.seconds.toFixed(2)} s)`,
      );
    }
    if (!freshness) throw new Error('no freshness measurement');
    const rawRate = median(rawRuns.map((r) => r.documentsPerSecond));
    const pipelineRate = median(pipelineRuns.map((r) => r.eventsPerSecond));
    const result: CatalogResult = {
      benchmark: 'catalog',
      finishedAt: new Date().toISOString(),
      machine: facts,
      workload: {
        events: batch.length,
        repetitions: options.repetitions,
        assets: expected.assets,
        columns: COLUMNS,
        kinds: { upsert: batch.length },
        assetRecords: expected.writes.length,
        partitions: PARTITIONS,
        partitionsConsumedConcurrently: bench.config.kafka.partitionsConsumedConcurrently,
        maxBytesPerPartition: bench.config.kafka.maxBytesPerPartition,
      },
      raw: { medianDocumentsPerSecond: rawRate, runs: rawRuns },
      pipeline: {
        medianEventsPerSecond: pipelineRate,
        ratioToRaw: pipelineRate / rawRate,
        medianCpuMsPerEvent: median(pipelineRuns.map((r) => r.cpuMsPerEvent)),
        runs: pipelineRuns,
      },
      freshness,
    };
    process.stdout.write(`\n${formatCatalog(result)}\n`);
    writeResult('catalog', result);
    progress('wrote bench/results/catalog-latest.json');
  } finally {
    progress('cleaning up');
    await cleanup.run();
  }
}

runBench(() => main(parseOptions()));
