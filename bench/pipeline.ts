/**
 * `npm run bench`: the governance pipeline end to end in one run, side by side with its two ceilings, then
 * freshness at fixed loads, the API's latency idle and during ingest, and the resources of every process.
 * See bench/README.md ("npm run bench") for the workload, the modes and how to read the table.
 *
 * Every stage runs as its own child process (bench/stage.ts), so CPU per stage is read from /proc. The
 * workload is generated and encoded once; each repetition of each mode gets fresh topics, consumer groups,
 * an index and empty tables, warms its processes up on a separate set of tables, then measures. Everything
 * created has a unique name and is removed at the end, also on failure or Ctrl-C. Exit 0 whatever the
 * figures; 1 only when the bench could not run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { Partitioners, type Admin, type Message, type Producer } from 'kafkajs';
import { aliasName, ensureAssetIndex, templateName } from '../src/adapters/elasticsearch/asset-index.ts';
import { toAvro } from '../src/contract/avro.ts';
import type { ChangeEvent } from '../src/domain/change-event.ts';
import type { TopicDeclaration } from '../src/domain/topic.ts';
import { projectRoot } from '../src/paths.ts';
import { ENDPOINTS, phase, queries, startApi, type Endpoint, type PhaseResult } from './api-shared.ts';
import {
  Cleanup,
  deleteSubject,
  integer,
  killOnExit,
  machine,
  progress,
  rate,
  runBench,
  withSearchPath,
  writeResult,
} from './common.ts';
import { governanceWorkload, WORKLOAD_DEFAULTS, type GovernanceWorkload } from './governance-workload.ts';
import { createTopics, withBench, type Bench as BaseBench } from './harness.ts';
import { expectedOf, measureFreshness, searchable, type Expectation, type Freshness } from './index-check.ts';
import { median, type Machine } from './report.ts';
import { cpuDelta, ResourceMonitor, stackServers, type ProcessUsage } from './resources.ts';
import {
  noopVersion,
  stageTopics,
  type RawWrite,
  type StageRole,
  type StageSpec,
  type StageTopics,
} from './stage.ts';

type Bench = BaseBench & { readonly schema: string };

interface Options {
  readonly events: number;
  readonly assets: number;
  readonly repetitions: number;
  readonly warmup: number;
  readonly freshnessSeconds: number;
  readonly apiRate: number;
  readonly apiSeconds: number;
  readonly queries: number;
  readonly quick: boolean;
}

const QUICK = { events: 3000, assets: 2000, repetitions: 1, warmup: 500, freshnessSeconds: 5, apiSeconds: 3 };

function parseOptions(): Options {
  const parsed = new Command('bench')
    .description('the governance pipeline end to end, next to its raw and same-hops ceilings; freshness; API')
    .option('--events <n>', 'measured change events per repetition and mode', integer(1), 200_000)
    .option('--assets <n>', 'tables the events are drawn over (Zipf)', integer(1), 20_000)
    .option('--repetitions <n>', 'measurements per mode (median and min-max)', integer(1), 3)
    .option(
      '--warmup <n>',
      'events through fresh processes before each measurement (own tables)',
      integer(0),
      10_000,
    )
    .option('--freshness-seconds <n>', 'seconds of fixed load at 50 % and at 80 % of the max', integer(1), 30)
    .option('--api-rate <n>', 'offered API requests per second, per endpoint', integer(1), 200)
    .option('--api-seconds <n>', 'measured seconds per endpoint and phase', integer(1), 15)
    .option('--queries <n>', 'distinct requests per endpoint', integer(1), 1200)
    .option('--quick', 'a small check: 3,000 events over 2,000 tables, 1 repetition, short phases', false)
    .parse();
  const opts = parsed.opts<Options>();
  if (!opts.quick) return opts;
  const given = (name: string): boolean => parsed.getOptionValueSource(name) === 'cli';
  return {
    ...opts,
    events: given('events') ? opts.events : QUICK.events,
    assets: given('assets') ? opts.assets : QUICK.assets,
    repetitions: given('repetitions') ? opts.repetitions : QUICK.repetitions,
    warmup: given('warmup') ? opts.warmup : QUICK.warmup,
    freshnessSeconds: given('freshnessSeconds') ? opts.freshnessSeconds : QUICK.freshnessSeconds,
    apiSeconds: given('apiSeconds') ? opts.apiSeconds : QUICK.apiSeconds,
  };
}

type Mode = 'raw' | 'noop' | 'pipeline';
const MODES: readonly Mode[] = ['raw', 'noop', 'pipeline'];
const MODE_LABEL: Record<Mode, string> = {
  raw: '(a) raw 1-hop ceiling',
  noop: '(b) same-hops ceiling',
  pipeline: 'pipeline',
};
const ROLES: Record<Mode, readonly StageRole[]> = {
  raw: ['raw-indexer'],
  noop: ['noop-metadata-sync', 'noop-compliance', 'noop-quality', 'noop-indexer'],
  pipeline: ['metadata-sync', 'compliance', 'quality', 'indexer'],
};
const PRODUCE_BATCH = 1000;
const STALL_MS = 120_000;
const POLL_MS = 250;
const PRODUCER = 'bench (producer, checks)';

/** The workload, generated and encoded once. */
interface Prepared {
  readonly workload: GovernanceWorkload;
  readonly warm: GovernanceWorkload;
  readonly kinds: Record<string, number>;
  readonly distinctAssets: number;
  readonly meanChangeBytes: number;
  readonly meanDocumentBytes: number;
  /** Confluent wire format, schema id patched per topic. */
  readonly changes: { readonly measured: Message[]; readonly warm: Message[]; schemaId: number };
  readonly raw: { readonly measured: Message[]; readonly warm: Message[] };
  readonly expect: Record<'raw' | 'noop', Expectation>;
}

async function prepare(bench: Bench, options: Options): Promise<Prepared> {
  const began = performance.now();
  const workload = governanceWorkload({ assets: options.assets });
  const warm = governanceWorkload({ assets: Math.min(options.assets, 2000), prefix: 'warm', seed: 43 });
  const template: TopicDeclaration = stageTopics({
    topics: names(`bench.pipe.${bench.id}.template`),
  }).changes;
  const kinds: Record<string, number> = {};
  const encodeAll = async (events: Iterable<ChangeEvent>, count: boolean): Promise<Message[]> => {
    const out: Message[] = [];
    for (const event of events) {
      if (count) kinds[event.kind] = (kinds[event.kind] ?? 0) + 1;
      const value = await bench.codec.encode(template, toAvro(event));
      out.push({ key: event.asset.urn, value });
    }
    return out;
  };
  bench.cleanup.defer('delete the template subject', () =>
    deleteSubject(bench.config, `${template.name}-value`),
  );
  const measured = await encodeAll(workload.events(0, options.events), true);
  const warmed = await encodeAll(warm.events(0, options.warmup), false);
  const schemaId = (measured[0]?.value as Buffer).readUInt32BE(1);
  // The raw ceiling's records: the documents metadata-sync's fold writes, one per change, ready to bulk.
  const rawOf = (events: Iterable<ChangeEvent>): { messages: Message[]; expected: Expectation } => {
    const messages: Message[] = [];
    const expected = expectedOf(events, (w) => {
      const raw: RawWrite = { id: w.id, version: w.version, document: w.document };
      messages.push({ key: w.id, value: Buffer.from(JSON.stringify(raw)) });
    });
    return { messages, expected };
  };
  const rawMeasured = rawOf(workload.events(0, options.events));
  const rawWarm = rawOf(warm.events(0, options.warmup));
  // The no-op indexer writes each record as a document at its occurredAt in seconds: the last one per URN stays.
  const noopOf = (events: Iterable<ChangeEvent>): Expectation => {
    const last = new Map<string, number>();
    for (const event of events) last.set(event.asset.urn, noopVersion(event));
    let revisionSum = 0;
    for (const v of last.values()) revisionSum += v;
    return { assets: last.size, revisionSum };
  };
  const noopMeasured = noopOf(workload.events(0, options.events));
  const noopWarm = noopOf(warm.events(0, options.warmup));
  const add = (a: Expectation, b: Expectation): Expectation => ({
    assets: a.assets + b.assets,
    revisionSum: a.revisionSum + b.revisionSum,
  });
  const bytes = (messages: readonly Message[]): number =>
    messages.reduce((sum, m) => sum + (m.value as Buffer).length, 0) / Math.max(1, messages.length);
  progress(
    `workload: ${rate(options.events)} events over ${rate(options.assets)} tables ` +
      `(${Object.entries(kinds)
        .map(([k, n]) => `${k} ${rate(n)}`)
        .join(', ')}; ${rate(noopMeasured.assets)} distinct), mean ${rate(bytes(measured))} B Avro, ` +
      `generated and encoded in ${((performance.now() - began) / 1000).toFixed(1)} s`,
  );
  return {
    workload,
    warm,
    kinds,
    distinctAssets: noopMeasured.assets,
    meanChangeBytes: bytes(measured),
    meanDocumentBytes: bytes(rawMeasured.messages),
    changes: { measured, warm: warmed, schemaId },
    raw: { measured: rawMeasured.messages, warm: rawWarm.messages },
    expect: {
      raw: add(rawMeasured.expected, rawWarm.expected),
      noop: add(noopMeasured, noopWarm),
    },
  };
}

function names(base: string): StageTopics {
  return {
    changes: `${base}.changes`,
    assets: `${base}.assets`,
    compliance: `${base}.compliance`,
    quality: `${base}.quality`,
    alerts: `${base}.alerts`,
    commands: `${base}.commands`,
    dlq: `${base}.dlq`,
    retry: `${base}.retry`,
    raw: `${base}.raw`,
  };
}

/** A set of stage processes on fresh topics, groups, index and tables. */
interface Setup {
  readonly mode: Mode;
  readonly tag: string;
  readonly topics: StageTopics;
  readonly prefix: string;
  readonly alias: string;
  readonly input: TopicDeclaration;
  /** Every group with the topics it consumes (for the lag check). */
  readonly groups: readonly { readonly group: string; readonly topics: readonly string[] }[];
  readonly children: readonly { readonly role: StageRole; readonly child: ChildProcess }[];
  /** Its own admin client: offsets of topics that are deleted at teardown stay out of the bench's. */
  readonly admin: Admin;
  /** Its own producer, for the same reason. */
  readonly producer: Producer;
  readonly teardown: () => Promise<void>;
}

async function setUp(bench: Bench, monitor: ResourceMonitor, mode: Mode, tag: string): Promise<Setup> {
  const base = `bench.pipe.${bench.id}.${tag}`;
  const topics = names(base);
  const t = stageTopics({ topics });
  const scope = new Cleanup(bench.logger);
  let tornDown = false;
  const teardown = async (): Promise<void> => {
    if (tornDown) return;
    tornDown = true;
    await scope.run();
  };
  bench.cleanup.defer(`tear down ${tag}`, teardown);
  const scoped = { ...bench, cleanup: scope };
  const input: TopicDeclaration =
    mode === 'raw' ? { ...t.changes, name: topics.raw, value: { format: 'raw' } } : t.changes;
  const declared =
    mode === 'raw'
      ? [input, t.dlq]
      : [
          t.changes,
          mode === 'noop' ? t.noopAssets : t.assets,
          t.compliance,
          t.quality,
          t.alerts,
          t.commands,
          t.dlq,
          t.retry,
        ];
  await createTopics(scoped, declared);
  const admin = bench.kafka.admin();
  scope.defer('disconnect the admin client', () => admin.disconnect());
  await admin.connect();
  const producer = await producerFor(scoped);
  const consumed: Record<StageRole, readonly string[]> = {
    'raw-indexer': [topics.raw],
    'metadata-sync': [topics.changes, topics.commands],
    compliance: [topics.changes, topics.assets, topics.commands],
    quality: [topics.changes, topics.assets, topics.compliance, topics.commands],
    indexer: [topics.assets, topics.compliance, topics.quality],
    'noop-metadata-sync': [topics.changes, topics.commands],
    'noop-compliance': [topics.changes, topics.assets, topics.commands],
    'noop-quality': [topics.changes, topics.assets, topics.compliance, topics.commands],
    'noop-indexer': [topics.assets, topics.compliance, topics.quality],
  };
  const groups = ROLES[mode].map((role) => ({ role, group: `${base}.${role}`, topics: consumed[role] }));
  scope.defer('delete the consumer groups', () =>
    bench.admin.deleteGroups(groups.map((g) => g.group)).catch(() => undefined),
  );
  const prefix = `bench-pipe-${bench.id}-${tag.replaceAll('.', '-')}`;
  const alias = aliasName(prefix);
  scope.defer(`delete index ${alias}`, async () => {
    const indices = await bench.es.indices.get({ index: `${alias}-*`, allow_no_indices: true });
    const found = Object.keys(indices);
    if (found.length) await bench.es.indices.delete({ index: found });
    await bench.es.indices.deleteIndexTemplate({ name: templateName(prefix) }, { ignore: [404] });
  });
  await ensureAssetIndex(bench.es, prefix);
  if (mode === 'pipeline') {
    // Every measurement starts from empty tables (the compliance process seeds the policies again).
    const { rows } = await bench.pool.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 AND tablename <> 'pgmigrations'`,
      [bench.schema],
    );
    if (rows.length) await bench.pool.query(`TRUNCATE ${rows.map((r) => `"${r.name}"`).join(', ')}`);
  }
  const children: { role: StageRole; child: ChildProcess }[] = [];
  scope.defer('stop the stage processes', async () => {
    monitor.sample();
    await Promise.all(
      children.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        if ((await Promise.race([exited, sleep(15_000).then(() => 'timeout')])) === 'timeout')
          child.kill('SIGKILL');
      }),
    );
  });
  for (const { role, group } of groups) {
    const spec: StageSpec = { role, group, topics, alias };
    const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', 'bench/stage.ts'], {
      cwd: projectRoot(),
      env: {
        ...process.env,
        STEWARD_BENCH_STAGE: JSON.stringify(spec),
        DATABASE_URL: withSearchPath(bench.config.postgres.url, bench.schema),
        ELASTICSEARCH_INDEX_PREFIX: prefix,
        METRICS_PORT: '0',
        LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    killOnExit(child);
    children.push({ role, child });
    if (child.pid !== undefined) monitor.trackPid(role, child.pid);
  }
  // Ready when every group has a member and is stable (the processes have joined).
  const deadline = Date.now() + 120_000;
  for (const { group } of groups) {
    for (;;) {
      bench.signal.throwIfAborted();
      const dead = children.find((c) => c.child.exitCode !== null);
      if (dead) throw new Error(`stage ${dead.role} exited with ${String(dead.child.exitCode)}`);
      const [described] = (await admin.describeGroups([group])).groups;
      if (described?.state === 'Stable' && described.members.length) break;
      if (Date.now() > deadline) throw new Error(`${group} did not join within 120 s`);
      await sleep(POLL_MS);
    }
  }
  return {
    mode,
    tag,
    topics,
    prefix,
    alias,
    input,
    groups,
    children,
    admin,
    producer,
    teardown,
  };
}

async function producerFor(bench: Bench): Promise<Producer> {
  const producer = bench.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  bench.cleanup.defer('disconnect a producer', () => producer.disconnect());
  await producer.connect();
  return producer;
}

/** Patches the schema id of pre-encoded values to the one `topic`'s subject has. */
async function forTopic(bench: Bench, prepared: Prepared, topic: TopicDeclaration): Promise<void> {
  const [first] = [...prepared.workload.events(0, 1)];
  if (!first) return;
  const probe = await bench.codec.encode(topic, toAvro(first));
  const id = probe?.readUInt32BE(1);
  if (id === undefined || id === prepared.changes.schemaId) return;
  for (const m of [...prepared.changes.measured, ...prepared.changes.warm])
    (m.value as Buffer).writeUInt32BE(id, 1);
  prepared.changes.schemaId = id;
}

async function produceAll(bench: Bench, producer: Producer, topic: string, messages: readonly Message[]) {
  for (let i = 0; i < messages.length; i += PRODUCE_BATCH) {
    bench.signal.throwIfAborted();
    await producer.send({ topic, messages: messages.slice(i, i + PRODUCE_BATCH), acks: -1 });
  }
}

/** Records behind across every group's topics; -1 when a topic's end moved since `ends` was taken. */
async function lag(
  bench: Bench,
  setup: Setup,
  ends: Map<string, number>,
): Promise<{ lag: number; moved: boolean }> {
  const topics = [...new Set(setup.groups.flatMap((g) => g.topics))];
  const high = new Map<string, Map<number, number>>();
  let moved = false;
  for (const topic of topics) {
    const offsets = await setup.admin.fetchTopicOffsets(topic);
    high.set(topic, new Map(offsets.map((o) => [o.partition, Number(o.high)])));
    const end = offsets.reduce((s, o) => s + Number(o.high), 0);
    if (ends.get(topic) !== end) moved = true;
    ends.set(topic, end);
  }
  let behind = 0;
  for (const { group, topics: consumed } of setup.groups) {
    const committed = await setup.admin.fetchOffsets({ groupId: group, topics: [...consumed] });
    for (const { topic, partitions } of committed)
      for (const { partition, offset } of partitions) {
        const end = high.get(topic)?.get(partition) ?? 0;
        behind += Math.max(0, end - Math.max(0, Number(offset)));
      }
  }
  return { lag: behind, moved };
}

/** What the index must show once every stage is done: predicted, or (pipeline) read from PostgreSQL. */
async function expectation(bench: Bench, setup: Setup, prepared: Prepared): Promise<Expectation> {
  if (setup.mode !== 'pipeline') return prepared.expect[setup.mode];
  const { rows } = await bench.pool.query<{ assets: number; sum: string }>(
    `SELECT count(*)::int AS assets,
            coalesce(sum(a.revision + coalesce(c.revision, 0) + coalesce(q.revision, 0)), 0)::text AS sum
       FROM assets a
       JOIN steward_state s ON s.processor = 'metadata-sync' AND s.key = a.urn
       LEFT JOIN asset_compliance c ON c.urn = a.urn
       LEFT JOIN asset_quality q ON q.urn = a.urn
      WHERE NOT a.deleted`,
  );
  return { assets: rows[0]?.assets ?? 0, revisionSum: Number(rows[0]?.sum ?? 0) };
}

/**
 * Waits until every group has committed the end of every topic it reads, twice in a row with no topic end
 * moving in between (downstream stages have nothing left to emit), then until a search (no forced
 * refresh) shows the expected documents. Returns Date.now() of that search; `expectIndex` false skips it.
 */
async function drained(bench: Bench, setup: Setup, prepared: Prepared, expectIndex = true): Promise<number> {
  const ends = new Map<string, number>();
  let last = Infinity;
  let movedAt = Date.now();
  let quiet = 0;
  for (;;) {
    bench.signal.throwIfAborted();
    const { lag: behind, moved } = await lag(bench, setup, ends);
    quiet = behind === 0 && !moved ? quiet + 1 : 0;
    if (quiet >= 2) break;
    if (behind < last) {
      last = behind;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > STALL_MS)
      throw new Error(`${setup.tag}: stuck ${behind} records behind`);
    const dead = setup.children.find((c) => c.child.exitCode !== null);
    if (dead) throw new Error(`stage ${dead.role} exited with ${String(dead.child.exitCode)}`);
    await sleep(POLL_MS, undefined, { signal: bench.signal });
  }
  if (!expectIndex) return Date.now();
  const want = await expectation(bench, setup, prepared);
  const since = Date.now();
  for (;;) {
    const seen = await searchable(bench.es, setup.alias);
    if (seen.assets === want.assets && seen.revisionSum === want.revisionSum) return Date.now();
    if (Date.now() - since > STALL_MS)
      throw new Error(`${setup.tag}: index shows ${JSON.stringify(seen)}, expected ${JSON.stringify(want)}`);
    await sleep(50, undefined, { signal: bench.signal });
  }
}

interface Run {
  readonly mode: Mode;
  readonly repetition: number;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly produceSeconds: number;
  /** CPU seconds per process group over the measured window. */
  readonly cpuSeconds: Record<string, number>;
  readonly deadLettered: number;
}

async function deadLettered(bench: Bench, setup: Setup): Promise<number> {
  const offsets = await setup.admin.fetchTopicOffsets(setup.topics.dlq);
  return offsets.reduce((s, o) => s + Number(o.high), 0);
}

async function measure(
  bench: Bench,
  monitor: ResourceMonitor,
  prepared: Prepared,
  setup: Setup,
  repetition: number,
): Promise<Run> {
  const { producer } = setup;
  const raw = setup.mode === 'raw';
  if (!raw) await forTopic(bench, prepared, setup.input);
  const warm = raw ? prepared.raw.warm : prepared.changes.warm;
  const measured = raw ? prepared.raw.measured : prepared.changes.measured;
  if (warm.length) {
    await produceAll(bench, producer, setup.input.name, warm);
    await drained(bench, setup, prepared, false);
  }
  const cpuBefore = monitor.cpu();
  const self = process.cpuUsage();
  const began = Date.now();
  await produceAll(bench, producer, setup.input.name, measured);
  const produceSeconds = (Date.now() - began) / 1000;
  const ended = await drained(bench, setup, prepared);
  const used = process.cpuUsage(self);
  const cpuSeconds = cpuDelta(cpuBefore, monitor.cpu());
  cpuSeconds[PRODUCER] = (used.user + used.system) / 1e6;
  const seconds = (ended - began) / 1000;
  const events = prepared.changes.measured.length;
  return {
    mode: setup.mode,
    repetition,
    events,
    seconds,
    eventsPerSecond: events / seconds,
    produceSeconds,
    cpuSeconds,
    deadLettered: await deadLettered(bench, setup),
  };
}

/** Offered change events at a fixed rate until stopped (the API's "during ingest" load). */
function steadyLoad(
  bench: Bench,
  producer: Producer,
  setup: Setup,
  stream: Iterator<ChangeEvent>,
  offered: number,
) {
  const state = { running: false, sent: 0 };
  let loop: Promise<void> = Promise.resolve();
  return {
    started() {
      state.running = true;
      loop = (async () => {
        const began = Date.now();
        for (let tick = 1; state.running; tick++) {
          const due = Math.floor((offered * tick * 100) / 1000) - state.sent;
          const events: ChangeEvent[] = [];
          for (let i = 0; i < due; i++) {
            const next = stream.next();
            if (!next.done) events.push(next.value);
          }
          if (events.length) {
            await send(bench, producer, setup.input, events, Date.now());
            state.sent += events.length;
          }
          const wait = began + tick * 100 - Date.now();
          if (wait > 0) await sleep(wait);
        }
      })();
    },
    async stopped() {
      state.running = false;
      await loop;
      return state.sent;
    },
  };
}

async function send(
  bench: Bench,
  producer: Producer,
  topic: TopicDeclaration,
  events: readonly ChangeEvent[],
  at: number,
) {
  const messages = await Promise.all(
    events.map(async (event) => ({
      key: event.asset.urn,
      value: await bench.codec.encode(topic, toAvro(event)),
      timestamp: String(at),
    })),
  );
  await producer.send({ topic: topic.name, messages, acks: -1 });
}

interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}
const summary = (values: readonly number[]): Summary => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values),
});

interface PipelineResult {
  readonly benchmark: 'pipeline';
  readonly finishedAt: string;
  readonly machine: Machine;
  readonly options: Options;
  readonly workload: {
    readonly events: number;
    readonly assets: number;
    readonly distinctAssets: number;
    readonly kinds: Record<string, number>;
    readonly columnsPerAsset: readonly [number, number];
    readonly samplesPerColumn: number;
    readonly zipfExponent: number;
    readonly meanChangeBytes: number;
    readonly meanDocumentBytes: number;
    readonly warmupEvents: number;
    readonly partitionsConsumedConcurrently: number;
    readonly maxBytesPerPartition: number;
    readonly produceBatch: number;
    readonly compression: 'none';
    readonly refreshInterval: '1s';
  };
  readonly throughput: Record<Mode, Summary & { readonly cpuMsPerEvent: Record<string, number> }>;
  readonly ratios: { readonly toRaw: number; readonly toSameHops: number };
  readonly runs: readonly Run[];
  readonly freshness: { readonly at50: Freshness; readonly at80: Freshness } | null;
  readonly api: {
    readonly distinct: Record<Endpoint, number>;
    readonly idle: PhaseResult;
    readonly ingest: PhaseResult;
    readonly ingestOfferedEventsPerSecond: number;
  } | null;
  readonly resources: readonly ProcessUsage[];
  readonly seconds: number;
}

const fixed = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const ms = (n: number): string => (Number.isFinite(n) ? `${Math.round(n)}` : '-');
const spread = (s: Summary, f: (n: number) => string = rate): string =>
  `${f(s.median)} (${f(s.min)}–${f(s.max)})`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function format(result: PipelineResult): string {
  const { throughput: t, ratios, freshness: f, api, machine: m, workload: w } = result;
  const verdict = (ok: boolean | undefined): string => (ok === undefined ? '' : ok ? 'met' : 'NOT MET');
  const main: string[][] = [
    ['end-to-end throughput, events/s', spread(t.pipeline), '≥ 5,000', verdict(t.pipeline.median >= 5000)],
    [MODE_LABEL.raw + ', events/s', spread(t.raw), '', ''],
    [MODE_LABEL.noop + ', events/s', spread(t.noop), '', ''],
    ['pipeline ÷ (a)', fixed(ratios.toRaw, 2), '', ''],
    ['pipeline ÷ (b)', fixed(ratios.toSameHops, 2), '≥ 0.8', verdict(ratios.toSameHops >= 0.8)],
  ];
  if (f) {
    for (const [label, x, target] of [
      ['50 %', f.at50, true],
      ['80 %', f.at80, false],
    ] as const)
      main.push([
        `produced→searchable p50/p95/p99 ms at ${label} (${rate(x.offeredEventsPerSecond)} ev/s)`,
        `${ms(x.p50Ms)} / ${ms(x.p95Ms)} / ${ms(x.p99Ms)}${x.unresolved ? ` (${x.unresolved} unseen)` : ''}`,
        target ? 'p99 ≤ 2,000' : '',
        target ? verdict(x.p99Ms <= 2000) : '',
      ]);
  }
  if (api) {
    for (const endpoint of ENDPOINTS) {
      const idle = api.idle.endpoints[endpoint];
      const busy = api.ingest.endpoints[endpoint];
      const search = endpoint === 'search';
      main.push(
        [
          `API ${endpoint} p50/p99 ms idle (${rate(idle.achievedRate)} req/s)`,
          `${ms(idle.p50Ms)} / ${ms(idle.p99Ms)}`,
          search ? 'p99 ≤ 50' : '',
          search ? verdict(idle.p99Ms <= 50) : '',
        ],
        [
          `API ${endpoint} p50/p99 ms during ingest (${rate(busy.achievedRate)} req/s)`,
          `${ms(busy.p50Ms)} / ${ms(busy.p99Ms)}`,
          search ? 'p99 ≤ 100' : '',
          search ? verdict(busy.p99Ms <= 100) : '',
        ],
        [`API ${endpoint} p99 ingest ÷ idle`, fixed(busy.p99Ms / Math.max(1, idle.p99Ms), 2), '', ''],
      );
    }
    const ratio = (r: number | null): string => (r === null ? 'n/a' : `${(r * 100).toFixed(1)} %`);
    main.push([
      'asset-detail cache hit ratio idle / during ingest',
      `${ratio(api.idle.detailCacheHitRatio)} / ${ratio(api.ingest.detailCacheHitRatio)}`,
      '',
      '',
    ]);
  }
  const stages = [...new Set(MODES.flatMap((mode) => Object.keys(t[mode].cpuMsPerEvent)))].sort((a, b) =>
    a === PRODUCER ? -1 : b === PRODUCER ? 1 : a.localeCompare(b),
  );
  const cpu = table(
    ['CPU ms per event (median)', ...MODES.map((mode) => MODE_LABEL[mode])],
    [
      ...stages
        .map((stage) => [
          stage,
          ...MODES.map((mode) => {
            const v = t[mode].cpuMsPerEvent[stage];
            return v === undefined || (v === 0 && !ROLES[mode].includes(stage as StageRole))
              ? ''
              : fixed(v, 3);
          }),
        ])
        .filter((row) => row.slice(1).some(Boolean)),
      [
        'total',
        ...MODES.map((mode) =>
          fixed(
            Object.values(t[mode].cpuMsPerEvent).reduce((a, b) => a + b, 0),
            3,
          ),
        ),
      ],
    ],
  );
  const resources = table(
    ['process', 'peak RSS MiB', 'CPU s', 'mean cores'],
    result.resources.map((r) =>
      r.measured
        ? [r.name, rate(r.peakRssMiB), fixed(r.cpuSeconds, 1), fixed(r.cpuSeconds / result.seconds, 2)]
        : [r.name, 'not measured', '', ''],
    ),
  );
  return [
    `Steward pipeline bench: ${rate(w.events)} events × ${result.options.repetitions} repetitions per mode ` +
      `(+${rate(w.warmupEvents)} warm-up each) over ${rate(w.assets)} tables (Zipf s=${w.zipfExponent}, ` +
      `${rate(w.distinctAssets)} touched), ${w.columnsPerAsset[0]}–${w.columnsPerAsset[1]} columns; ` +
      Object.entries(w.kinds)
        .map(([k, n]) => `${k} ${rate(n)}`)
        .join(', ') +
      `; mean ${rate(w.meanChangeBytes)} B Avro`,
    `machine: ${m.cores} cores (${m.cpuModel}), load ${fixed(m.loadAverage, 2)} at start, Node ${m.node}, ` +
      `kafkajs ${m.kafkajs}, commit ${m.commit}${m.dirty ? ' (uncommitted changes)' : ''}; ` +
      `consumers ${w.partitionsConsumedConcurrently} partitions at once, ${rate(w.maxBytesPerPartition)} B/partition; ` +
      `produce ${w.produceBatch}/send, no compression; index refresh 1 s`,
    '',
    table(['figure', 'median (min–max) / value', 'target', 'met?'], main),
    '',
    cpu,
    '',
    resources,
    '',
    `dead-lettered: ${result.runs.reduce((s, r) => s + r.deadLettered, 0)}; run took ${fixed(result.seconds / 60, 1)} min`,
  ].join('\n');
}

async function main(options: Options): Promise<void> {
  const began = Date.now();
  const facts = machine();
  const monitor = new ResourceMonitor();
  for (const [name, pids] of Object.entries(stackServers())) monitor.track(name, 'server', pids);
  monitor.track(PRODUCER, 'steward', () => [process.pid]);
  monitor.start();
  const startCpu = monitor.cpu();
  await withBench('pipe', async (bench) => {
    const prepared = await prepare(bench, options);
    const runs: Run[] = [];
    let freshness: PipelineResult['freshness'] = null;
    let api: PipelineResult['api'] = null;
    for (let r = 1; r <= options.repetitions; r++) {
      for (const mode of MODES) {
        const setup = await setUp(bench, monitor, mode, `${mode}.r${r}`);
        const run = await measure(bench, monitor, prepared, setup, r);
        const { producer } = setup;
        runs.push(run);
        progress(
          `repetition ${r} ${MODE_LABEL[mode]}: ${rate(run.eventsPerSecond)} events/s ` +
            `(${run.seconds.toFixed(1)} s, produced in ${run.produceSeconds.toFixed(1)} s)`,
        );
        if (mode === 'pipeline' && r === options.repetitions) {
          const max = median(runs.filter((x) => x.mode === 'pipeline').map((x) => x.eventsPerSecond));
          const stream = prepared.workload.events(options.events, Number.MAX_SAFE_INTEGER);
          const target = {
            es: bench.es,
            alias: setup.alias,
            signal: bench.signal,
            send: (events: readonly ChangeEvent[], at: number) =>
              send(bench, producer, setup.input, events, at),
          };
          const load = (share: number) => ({
            offered: share * max,
            seconds: options.freshnessSeconds,
            sampleEvery: 10,
            sampled: (e: ChangeEvent) => e.kind === 'upsert',
          });
          progress(
            `freshness at 50 % (${rate(0.5 * max)} events/s) and 80 % for ${options.freshnessSeconds} s each`,
          );
          const at50 = await measureFreshness(target, stream, load(0.5));
          await drained(bench, setup, prepared, false);
          const at80 = await measureFreshness(target, stream, load(0.8));
          freshness = { at50, at80 };
          await drained(bench, setup, prepared, false);
          progress('API: idle, then during ingest at 50 % of the max');
          const { url, child } = await startApi(bench, { prefix: setup.prefix });
          if (child.pid !== undefined) monitor.trackPid('api', child.pid);
          const requests = queries(prepared.workload, options.queries);
          const rateOpts = { rate: options.apiRate, seconds: options.apiSeconds };
          const idle = await phase(url, requests, rateOpts, undefined);
          const offered = 0.5 * max;
          const ingest = await phase(
            url,
            requests,
            rateOpts,
            steadyLoad(bench, producer, setup, stream, offered),
          );
          api = {
            distinct: {
              search: requests.search.length,
              autocomplete: requests.autocomplete.length,
              detail: requests.detail.length,
            },
            idle,
            ingest,
            ingestOfferedEventsPerSecond: offered,
          };
        }
        await setup.teardown();
      }
    }
    monitor.stop();
    const endCpu = monitor.cpu();
    const seconds = (Date.now() - began) / 1000;
    const throughput = Object.fromEntries(
      MODES.map((mode) => {
        const of = runs.filter((x) => x.mode === mode);
        const names = [...new Set(of.flatMap((x) => Object.keys(x.cpuSeconds)))];
        const cpuMsPerEvent = Object.fromEntries(
          names.map((n) => [n, median(of.map((x) => ((x.cpuSeconds[n] ?? 0) * 1000) / x.events))]),
        );
        return [mode, { ...summary(of.map((x) => x.eventsPerSecond)), cpuMsPerEvent }];
      }),
    ) as PipelineResult['throughput'];
    const result: PipelineResult = {
      benchmark: 'pipeline',
      finishedAt: new Date().toISOString(),
      machine: facts,
      options,
      workload: {
        events: options.events,
        assets: options.assets,
        distinctAssets: prepared.distinctAssets,
        kinds: prepared.kinds,
        columnsPerAsset: [WORKLOAD_DEFAULTS.minColumns, WORKLOAD_DEFAULTS.maxColumns],
        samplesPerColumn: WORKLOAD_DEFAULTS.samplesPerColumn,
        zipfExponent: WORKLOAD_DEFAULTS.zipfExponent,
        meanChangeBytes: prepared.meanChangeBytes,
        meanDocumentBytes: prepared.meanDocumentBytes,
        warmupEvents: options.warmup,
        partitionsConsumedConcurrently: bench.config.kafka.partitionsConsumedConcurrently,
        maxBytesPerPartition: bench.config.kafka.maxBytesPerPartition,
        produceBatch: PRODUCE_BATCH,
        compression: 'none',
        refreshInterval: '1s',
      },
      throughput,
      ratios: {
        toRaw: throughput.pipeline.median / throughput.raw.median,
        toSameHops: throughput.pipeline.median / throughput.noop.median,
      },
      runs,
      freshness,
      api,
      resources: monitor
        .usage()
        .map((u) => ({ ...u, cpuSeconds: (endCpu.get(u.name) ?? 0) - (startCpu.get(u.name) ?? 0) })),
      seconds,
    };
    process.stdout.write(`\n${format(result)}\n`);
    // bench/results/latest.json, as the issue names it, and pipeline-latest.json next to the other benches'.
    writeResult('pipeline', result);
    copyFileSync(
      join(projectRoot(), 'bench', 'results', 'pipeline-latest.json'),
      join(projectRoot(), 'bench', 'results', 'latest.json'),
    );
    progress('wrote bench/results/latest.json');
  });
}

runBench(() => main(parseOptions()));
