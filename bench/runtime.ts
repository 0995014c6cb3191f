/**
 * `npm run bench:runtime`: events/s through the Steward runtime with a no-op processor, next to raw
 * kafkajs consumption of the same topic, in the same run. See bench/README.md for the workload and how to
 * read the figures. Everything it creates (topics, subjects, consumer groups, a PostgreSQL schema) has a
 * unique name and is removed at the end, also when a measurement fails or on Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { Partitioners, type Admin, type Consumer, type EachBatchPayload, type Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { createKafka } from '../src/adapters/kafka.ts';
import { migrate } from '../src/adapters/postgres/migrate.ts';
import { createPool, type Pool } from '../src/adapters/postgres/pool.ts';
import { TopicCodec, createRegistry } from '../src/adapters/registry.ts';
import { createTopicsAndWait, creationOf } from '../src/adapters/topics-admin.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { acceptChangeEvent } from '../src/contract/accept.ts';
import { toAvro } from '../src/contract/avro.ts';
import type { ChangeEvent } from '../src/domain/change-event.ts';
import { define, type ProcessorDefinition } from '../src/domain/processor.ts';
import { valueSubject, type TopicDeclaration } from '../src/domain/topic.ts';
import { createLogger, type Logger } from '../src/observability/logger.ts';
import { RuntimeMetrics } from '../src/runtime/metrics.ts';
import { startProcessor } from '../src/runtime/processor-runtime.ts';
import { changes, dlq, retry } from '../topics/index.ts';
import { formatResult, summarize, type BenchResult, type Produced, type Run } from './report.ts';
import {
  Cleanup,
  deleteSubject,
  integer,
  machine,
  progress,
  rate,
  runBench,
  until,
  withSearchPath,
  writeResult,
} from './common.ts';
import { workload, type Workload } from './workload.ts';

const PARTITIONS = 12;
const URNS = 5000;
const COLUMNS = 20;
const PRODUCE_BATCH = 1000;
/** The consumer settings of src/bin/run-processor.ts, for every mode. */
const MAX_BYTES_PER_PARTITION = 256 * 1024;

interface Options {
  readonly events: number;
  readonly repetitions: number;
  readonly warmup: number;
  readonly concurrency: number;
}

function parseOptions(): Options {
  return new Command('bench:runtime')
    .description('events/s through a no-op Steward processor next to raw kafkajs, on the same topic')
    .option('--events <n>', 'events produced, and consumed by each measurement', integer(1), 100_000)
    .option('--repetitions <n>', 'measurements of each mode (the median is reported)', integer(1), 3)
    .option(
      '--warmup <n>',
      'events each mode consumes once, unmeasured, before the first repetition',
      integer(0),
      10_000,
    )
    .option('--concurrency <n>', 'partitionsConsumedConcurrently of every consumer', integer(1), 4)
    .parse()
    .opts<Options>();
}

/** What every mode needs: clients, the bench's own topics, and the abort signal (Ctrl-C). */
interface Bench {
  readonly config: Config;
  readonly logger: Logger;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly codec: TopicCodec;
  readonly pool: Pool;
  readonly input: TopicDeclaration;
  readonly dlqTopic: TopicDeclaration;
  readonly retryTopic: TopicDeclaration;
  readonly concurrency: number;
  readonly signal: AbortSignal;
  readonly id: string;
  /** Every consumer group used, deleted at the end. */
  readonly groups: string[];
}

/** Wall time, this process's CPU time and event-loop utilization between the group join and the end. */
class Window {
  #began:
    | { at: number; cpu: NodeJS.CpuUsage; elu: ReturnType<typeof performance.eventLoopUtilization> }
    | undefined;
  readonly #started = performance.now();

  /** Called on GROUP_JOIN; the first join counts (a rebalance later would be part of the measurement). */
  begin(): void {
    this.#began ??= {
      at: performance.now(),
      cpu: process.cpuUsage(),
      elu: performance.eventLoopUtilization(),
    };
  }

  end(events: number, endedAt: number): Run {
    const began = this.#began;
    if (!began) throw new Error('the consumer never joined its group');
    const seconds = (endedAt - began.at) / 1000;
    const cpu = process.cpuUsage(began.cpu);
    return {
      events,
      seconds,
      eventsPerSecond: events / seconds,
      startupMs: began.at - this.#started,
      cpuMsPerThousand: (cpu.user + cpu.system) / 1000 / (events / 1000),
      eventLoopUtilization: performance.eventLoopUtilization(began.elu).utilization,
    };
  }
}

/**
 * A Kafka client of its own (as a processor process has), whose consumers get `onConsumer` called on
 * creation: how the runtime's consumer, which startProcessor keeps to itself, is observed.
 */
function observedKafka(bench: Bench, tag: string, onConsumer: (consumer: Consumer) => void): Kafka {
  const { config } = bench;
  const kafka = createKafka(config.kafka, bench.logger, `${config.kafka.clientId}-bench-${bench.id}-${tag}`);
  const create = kafka.consumer.bind(kafka);
  kafka.consumer = (consumerConfig) => {
    const consumer = create(consumerConfig);
    onConsumer(consumer);
    return consumer;
  };
  return kafka;
}

/** Produces `count` events keyed by URN, encoded with the registry, in batches; encoding overlaps sends. */
async function produce(bench: Bench, events: Workload, count: number): Promise<Produced> {
  const producer = bench.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    const began = performance.now();
    let encodeMs = 0;
    let bytes = 0;
    let sent: Promise<unknown> = Promise.resolve();
    let batch: ChangeEvent[] = [];
    const flush = async (): Promise<void> => {
      const encodeBegan = performance.now();
      const messages = await Promise.all(
        batch.map(async (event) => {
          const value = await bench.codec.encode(bench.input, toAvro(event));
          if (!value) throw new Error('an event encoded to null');
          bytes += value.length;
          return { key: event.asset.urn, value };
        }),
      );
      encodeMs += performance.now() - encodeBegan;
      batch = [];
      await sent;
      const sending = producer.send({ topic: bench.input.name, messages, acks: -1 });
      void sending.catch(() => undefined); // awaited before the next send: no unhandled rejection meanwhile
      sent = sending;
    };
    for (const event of events.events(count)) {
      batch.push(event);
      if (batch.length === PRODUCE_BATCH) {
        bench.signal.throwIfAborted();
        await flush();
      }
    }
    if (batch.length) await flush();
    await sent;
    const seconds = (performance.now() - began) / 1000;
    return {
      events: count,
      seconds,
      eventsPerSecond: count / seconds,
      mebibytes: bytes / 1024 / 1024,
      meanValueBytes: bytes / count,
      encodeSeconds: encodeMs / 1000,
    };
  } finally {
    await producer.disconnect();
  }
}

/** (a) and (b): a plain kafkajs consumer group whose eachBatch counts (and, with decode, decodes). */
async function consumeRaw(bench: Bench, group: string, target: number, decode: boolean): Promise<Run> {
  const { config } = bench;
  const window = new Window();
  const consumer = bench.kafka.consumer({
    groupId: group,
    sessionTimeout: config.kafka.sessionTimeoutMs,
    heartbeatInterval: config.kafka.heartbeatIntervalMs,
    maxBytesPerPartition: MAX_BYTES_PER_PARTITION,
  });
  consumer.on(consumer.events.GROUP_JOIN, () => window.begin());
  let seen = 0;
  let reachedAt: number | undefined;
  const count = (n: number): void => {
    seen += n;
    if (seen >= target) reachedAt ??= performance.now();
  };
  const eachBatch = decode
    ? async ({ batch }: EachBatchPayload): Promise<void> => {
        await Promise.all(batch.messages.flatMap((m) => (m.value ? [bench.codec.decode(m.value)] : [])));
        count(batch.messages.length);
      }
    : ({ batch }: EachBatchPayload): Promise<void> => {
        count(batch.messages.length);
        return Promise.resolve();
      };
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: bench.input.name, fromBeginning: true });
    await consumer.run({ partitionsConsumedConcurrently: bench.concurrency, eachBatch });
    const polledAt = await until(() => seen, target, group, bench.signal);
    return window.end(seen, reachedAt ?? polledAt);
  } finally {
    await consumer.disconnect();
  }
}

/** Sum of the runtime's steward_events_total by outcome, read from the registry given to RuntimeMetrics. */
async function outcomes(registry: Registry): Promise<Map<string, number>> {
  const metric = registry.getSingleMetric('steward_events_total');
  const totals = new Map<string, number>();
  if (!metric) return totals;
  for (const { labels, value } of (await metric.get()).values) {
    const outcome = String(labels['outcome']);
    totals.set(outcome, (totals.get(outcome) ?? 0) + value);
  }
  return totals;
}

/** Count and sum of steward_batch_duration_seconds. */
async function batchDurations(metrics: RuntimeMetrics): Promise<{ count: number; sum: number }> {
  const result = { count: 0, sum: 0 };
  for (const { metricName, value } of (await metrics.batchSeconds.get()).values) {
    if (metricName?.endsWith('_count')) result.count += value;
    else if (metricName?.endsWith('_sum')) result.sum += value;
  }
  return result;
}

/** Sum of the group's committed offsets on the input topic (its partitions start at offset 0). */
async function committed(bench: Bench, group: string): Promise<number> {
  const [topic] = await bench.admin.fetchOffsets({ groupId: group, topics: [bench.input.name] });
  return (topic?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/**
 * (c) and (d): startProcessor, as src/bin/run-processor.ts configures it. The measurement ends when the
 * processed counter reaches `target` and, for a full pass, the group's committed offsets reach the end.
 */
async function consumeRuntime<S>(
  bench: Bench,
  processor: ProcessorDefinition<ChangeEvent, S>,
  target: number,
  untilCommitted: boolean,
): Promise<Run> {
  const { config } = bench;
  const registry = new Registry();
  const metrics = new RuntimeMetrics(registry);
  const window = new Window();
  const running = await startProcessor({
    processor,
    kafka: observedKafka(bench, processor.name, (consumer) => {
      consumer.on(consumer.events.GROUP_JOIN, () => window.begin());
    }),
    codec: bench.codec,
    pool: bench.pool,
    logger: bench.logger,
    metrics,
    dlqTopic: bench.dlqTopic,
    retryTopic: bench.retryTopic,
    consumer: {
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      heartbeatIntervalMs: config.kafka.heartbeatIntervalMs,
      partitionsConsumedConcurrently: bench.concurrency,
      maxBytesPerPartition: MAX_BYTES_PER_PARTITION,
      fromBeginning: true,
    },
    retry: { initialMs: 200, maxMs: 5000, attemptsBeforePause: 5, pauseMs: 10_000 },
    outboxSweepAfterMs: 10_000,
  });
  try {
    let endedAt = await until(
      async () => {
        const totals = await outcomes(registry);
        const dead = totals.get('dead') ?? 0;
        if (dead) throw new Error(`${processor.name}: ${dead} events were dead-lettered; see the log`);
        return totals.get('processed') ?? 0;
      },
      target,
      processor.name,
      bench.signal,
    );
    if (untilCommitted)
      endedAt = await until(
        () => committed(bench, processor.group),
        target,
        `${processor.group} commits`,
        bench.signal,
      );
    const run = window.end(target, endedAt);
    const batches = await batchDurations(metrics);
    return { ...run, batches: batches.count, meanBatchMs: (batches.sum / batches.count) * 1000 };
  } finally {
    await running.stop();
  }
}

function noopProcessor(bench: Bench, tag: string) {
  return define({
    name: `bench-noop-${tag}`,
    group: `bench.runtime.${bench.id}.noop.${tag}`,
    consumes: [bench.input],
    produces: [],
    idempotency: 'effects',
    accept: (v, _t, key) => acceptChangeEvent(v, key),
    handle: () => ({}),
  });
}

/** The ledger path: one PostgreSQL transaction per batch (ledger rows and a count per URN). */
function ledgerProcessor(bench: Bench, tag: string): ProcessorDefinition<ChangeEvent, { count: number }> {
  return define<ChangeEvent, { count: number }>({
    name: `bench-ledger-${tag}`,
    group: `bench.runtime.${bench.id}.ledger.${tag}`,
    consumes: [bench.input],
    produces: [],
    idempotency: 'ledger',
    accept: (v, _t, key) => acceptChangeEvent(v, key),
    eventId: (event) => event.id,
    handle: (_event, state) => ({ state: { count: (state?.count ?? 0) + 1 } }),
  });
}

interface Mode {
  readonly key: string;
  readonly label: string;
  /** One measurement in a fresh consumer group; `full` is a measured pass over the whole topic. */
  readonly measure: (bench: Bench, tag: string, target: number, full: boolean) => Promise<Run>;
}

const modes: readonly Mode[] = [
  {
    key: 'raw',
    label: '(a) raw kafkajs, count only',
    measure: (bench, tag, target) => {
      const group = `bench.runtime.${bench.id}.raw.${tag}`;
      bench.groups.push(group);
      return consumeRaw(bench, group, target, false);
    },
  },
  {
    key: 'raw-decode',
    label: '(b) raw kafkajs + registry decode',
    measure: (bench, tag, target) => {
      const group = `bench.runtime.${bench.id}.decode.${tag}`;
      bench.groups.push(group);
      return consumeRaw(bench, group, target, true);
    },
  },
  {
    key: 'runtime-effects',
    label: "(c) runtime, no-op, idempotency 'effects'",
    measure: (bench, tag, target, full) => {
      const processor = noopProcessor(bench, tag);
      bench.groups.push(processor.group);
      return consumeRuntime(bench, processor, target, full);
    },
  },
  {
    key: 'runtime-ledger',
    label: "(d) runtime, count per URN, 'ledger'",
    measure: async (bench, tag, target, full) => {
      const processor = ledgerProcessor(bench, tag);
      bench.groups.push(processor.group);
      // Every run starts from empty tables, so the runs are alike (not timed).
      await bench.pool.query('TRUNCATE steward_state, steward_applied_events, steward_outbox');
      const run = await consumeRuntime(bench, processor, target, full);
      if (full) {
        const { rows } = await bench.pool.query<{ applications: string | null }>(
          `SELECT sum((state->>'count')::bigint) AS applications FROM steward_state WHERE processor = $1`,
          [processor.name],
        );
        const applications = Number(rows[0]?.applications ?? 0);
        if (applications !== target)
          bench.logger.warn({ applications, target }, 'ledger state does not count every event once');
      }
      return run;
    },
  },
];

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
  const input: TopicDeclaration = { ...changes, name: `bench.runtime.${id}`, partitions: PARTITIONS };
  const dlqTopic: TopicDeclaration = { ...dlq, name: `bench.runtime.${id}.dlq` };
  const retryTopic: TopicDeclaration = { ...retry, name: `bench.runtime.${id}.retry` };
  const schema = `bench_runtime_${id}`;
  const kafka = createKafka(config.kafka, logger, `${config.kafka.clientId}-bench-${id}`);
  const events = workload({ urns: URNS, columns: COLUMNS });
  const cleanup = new Cleanup(logger);
  try {
    const admin = kafka.admin();
    cleanup.defer('disconnect the admin client', () => admin.disconnect());
    await admin.connect();
    const pool = createPool({ ...config.postgres, url: withSearchPath(config.postgres.url, schema) });
    cleanup.defer('close the PostgreSQL pool', () => pool.end());
    cleanup.defer(`drop schema ${schema}`, () => pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    await migrate({ databaseUrl: config.postgres.url, schema });
    const ours = [input, dlqTopic, retryTopic];
    cleanup.defer('delete the registry subjects', async () => {
      for (const topic of ours) await deleteSubject(config, valueSubject(topic));
    });
    cleanup.defer('delete the topics', async () => {
      const existing = new Set(await admin.listTopics());
      const topics = ours.map((t) => t.name).filter((name) => existing.has(name));
      if (topics.length) await admin.deleteTopics({ topics });
    });
    const brokers = (await admin.describeCluster()).brokers.length;
    await createTopicsAndWait(
      admin,
      ours.map((topic) => creationOf(topic, brokers)),
    );
    const bench: Bench = {
      config,
      logger,
      kafka,
      admin,
      codec: new TopicCodec(createRegistry(config.schemaRegistry)),
      pool,
      input,
      dlqTopic,
      retryTopic,
      concurrency: options.concurrency,
      signal: abort.signal,
      id,
      groups: [],
    };
    cleanup.defer('delete the consumer groups', async () => {
      if (bench.groups.length) await admin.deleteGroups(bench.groups);
    });

    progress(`bench ${id}: producing ${rate(options.events)} events to ${input.name}`);
    const produced = await produce(bench, events, options.events);
    const offsets = await admin.fetchTopicOffsets(input.name);
    const total = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
    if (total !== options.events) throw new Error(`the topic holds ${total} records, not ${options.events}`);
    progress(`produced in ${produced.seconds.toFixed(1)} s: ${rate(produced.eventsPerSecond)} events/s`);

    const warmup = Math.min(options.warmup, total);
    if (warmup) {
      progress(`warm-up: every mode consumes ${rate(warmup)} events, unmeasured`);
      for (const mode of modes) await mode.measure(bench, 'warmup', warmup, false);
    }
    const runs = new Map<string, Run[]>(modes.map((m) => [m.key, []]));
    for (let r = 1; r <= options.repetitions; r++) {
      for (const mode of modes) {
        const run = await mode.measure(bench, `r${r}`, total, true);
        runs.get(mode.key)?.push(run);
        progress(
          `repetition ${r}/${options.repetitions} ${mode.label}: ${rate(run.eventsPerSecond)} events/s ` +
            `(${run.seconds.toFixed(2)} s)`,
        );
      }
    }

    const result: BenchResult = {
      benchmark: 'runtime',
      finishedAt: new Date().toISOString(),
      machine: facts,
      workload: {
        events: total,
        repetitions: options.repetitions,
        warmup,
        partitions: PARTITIONS,
        urns: URNS,
        columns: COLUMNS,
        partitionsConsumedConcurrently: options.concurrency,
        maxBytesPerPartition: MAX_BYTES_PER_PARTITION,
      },
      produce: produced,
      modes: summarize(
        modes.map((m) => ({ key: m.key, label: m.label, runs: runs.get(m.key) ?? [] })),
        'raw',
      ),
    };
    process.stdout.write(`\n${formatResult(result)}\n`);
    writeResult('runtime', result);
    progress('wrote bench/results/runtime-latest.json');
  } finally {
    progress('cleaning up');
    await cleanup.run();
  }
}

runBench(() => main(parseOptions()));
