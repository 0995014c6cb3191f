import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { migrate } from '../../src/adapters/postgres/migrate.ts';
import { TopicCodec } from '../../src/adapters/registry.ts';
import { toAvro } from '../../src/contract/avro.ts';
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import { valueSubject, type TopicDeclaration } from '../../src/domain/topic.ts';
import type { DeadLetter } from '../../src/runtime/dead-letter.ts';
import { projectRoot } from '../../src/paths.ts';
import { changes, dlq, retry } from '../../topics/index.ts';
import {
  deleteSubject,
  endpoints,
  kafkaFor,
  postgresSchemaFor,
  registryClient,
  uniqueName,
  type KafkaFixture,
} from './services.ts';

/** The environment of a Steward process pointed at the test's services and PostgreSQL schema. */
export function processEnv(databaseUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KAFKA_BROKERS: endpoints().kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: endpoints().schemaRegistryUrl,
    ELASTICSEARCH_URL: endpoints().elasticsearchUrl,
    DATABASE_URL: databaseUrl,
    REDIS_URL: endpoints().redisUrl,
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    KAFKA_HEARTBEAT_INTERVAL_MS: '500',
  };
}

/**
 * Runs a fixture script (test/fixtures/run-*.ts) as a child process, its output kept for diagnostics.
 * The caller kills it (SIGKILL) after its test if it is still running: see `killAfter`.
 */
export function spawnFixture(script: string, env: NodeJS.ProcessEnv): ProcessorChild {
  const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', script], {
    cwd: projectRoot(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const handle = { child, exited, output: () => output };
  liveChildren.add(handle);
  return handle;
}

/** SIGKILLs the test's children still running once it ends, and forgets them. */
export function killAfter(t: TestContext, children: readonly ProcessorChild[]): void {
  t.after(async () => {
    const keep = process.env['STEWARD_TEST_KEEP_LOGS'];
    for (const handle of children) {
      const { child, exited } = handle;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      liveChildren.delete(handle);
      // STEWARD_TEST_KEEP_LOGS=<dir>: every child's whole output, for a failure the last lines do not explain.
      if (keep) mkdirSync(keep, { recursive: true });
      if (keep)
        writeFileSync(
          join(keep, `${t.name.slice(0, 40).replace(/\W+/g, '-')}-${child.pid ?? 0}.log`),
          handle.output(),
        );
    }
  });
}

/** Every processor child of the running test, so a timeout can show what they were doing. */
const liveChildren = new Set<ProcessorChild>();

/** The last lines each processor child printed (its warnings and errors explain most timeouts). */
function childDiagnostics(lines = 25): string {
  return [...liveChildren]
    .map((c, i) => {
      const tail = c
        .output()
        .trimEnd()
        .split('\n')
        .slice(-lines)
        .map((l) => l.slice(0, 400));
      return `--- processor child ${i} (pid ${c.child.pid ?? '?'}, exit ${c.child.exitCode ?? c.child.signalCode ?? 'running'}):\n${tail.join('\n')}`;
    })
    .join('\n');
}

export interface ProcessorChild {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly output: () => string;
}

/**
 * Everything a runtime test needs, unique to the test: a PostgreSQL schema with the migrations applied,
 * input/output/DLQ/retry topics, their registry subjects, and a way to run the counter processor as a
 * child process (so it can be killed with SIGKILL). All of it is removed after the test.
 */
export async function runtimeFixture(t: TestContext, options: { partitions: number }) {
  const kafka: KafkaFixture = kafkaFor(t);
  const { pool, schema } = await postgresSchemaFor(t);
  const databaseUrl = `${endpoints().databaseUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  await migrate({ databaseUrl: endpoints().databaseUrl, schema });
  await pool.query('CREATE TABLE test_effects (event_id text PRIMARY KEY, urn text NOT NULL)');
  const names = {
    name: uniqueName('counter'),
    group: uniqueName('counter-group'),
    input: await kafka.topic(options.partitions),
    output: await kafka.topic(options.partitions),
    dlq: await kafka.topic(1),
    retry: await kafka.topic(options.partitions),
  };
  const input: TopicDeclaration = { ...changes, name: names.input };
  const dlqTopic: TopicDeclaration = { ...dlq, name: names.dlq };
  t.after(async () => {
    for (const name of [names.input, names.output, names.dlq])
      await deleteSubject(valueSubject({ ...changes, name }));
  });
  const codec = new TopicCodec(registryClient());
  const producer = await kafka.producer({ idempotent: true });
  const children: ProcessorChild[] = [];
  killAfter(t, children);

  const env = processEnv(databaseUrl);

  return {
    names,
    databaseUrl,
    pool,
    input,
    dlqTopic,
    retryTopic: { ...retry, name: names.retry },
    codec,
    /** Produces events keyed by URN in batches (never one awaited send per message). */
    async produce(events: readonly ChangeEvent[]): Promise<void> {
      for (let i = 0; i < events.length; i += 500) {
        const slice = events.slice(i, i + 500);
        const messages = await Promise.all(
          slice.map(async (e) => ({ key: e.asset.urn, value: await codec.encode(input, toAvro(e)) })),
        );
        await producer.send({ topic: input.name, messages });
      }
    },
    async produceRaw(messages: { key: string; value: Buffer }[]): Promise<void> {
      await producer.send({ topic: input.name, messages });
    },
    async encode(value: unknown): Promise<Buffer> {
      const encoded = await codec.encode(input, value);
      if (!encoded) throw new Error('null encoding');
      return encoded;
    },
    /** Runs an instance; `overrides` change the fixture (e.g. a "fixed" build with failOn: ''). */
    start(
      overrides: { failOn?: string; dlqMaxBytes?: number } = {},
      extraEnv: Record<string, string> = {},
    ): ProcessorChild {
      const handle = spawnFixture('test/fixtures/run-counter.ts', {
        ...env,
        ...extraEnv,
        STEWARD_FIXTURE: JSON.stringify({ ...names, ...overrides }),
      });
      children.push(handle);
      return handle;
    },
    /** Effects rows, ledger rows, and the sum of per-URN counts (over-counts if anything applied twice). */
    async counts(): Promise<{ effects: number; ledger: number; applications: number }> {
      const { rows } = await pool.query<{ effects: string; ledger: string; applications: string | null }>(
        `SELECT (SELECT count(*) FROM test_effects) AS effects,
                (SELECT count(*) FROM steward_applied_events WHERE processor = $1) AS ledger,
                (SELECT sum((state->>'count')::bigint) FROM steward_state WHERE processor = $1) AS applications`,
        [names.name],
      );
      const row = rows[0];
      return {
        effects: Number(row?.effects),
        ledger: Number(row?.ledger),
        applications: Number(row?.applications ?? 0),
      };
    },
    /** Reads the DLQ topic from the beginning until `count` dead letters arrived (or the timeout). */
    async deadLetters(count: number, timeoutMs = 60_000): Promise<DeadLetter[]> {
      const consumer = await kafka.consumer();
      await consumer.subscribe({ topic: dlqTopic.name, fromBeginning: true });
      // By the letter's id: the same failed record in the same group always gets the same id, and a batch
      // taken over in a rebalance (after its dead letters were published, before its offsets were
      // committed) publishes them again; `steward dlq list` and replay count them once too.
      const letters = new Map<string, DeadLetter>();
      const registry = registryClient();
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (message.value) {
            const letter = (await registry.decode(message.value)) as DeadLetter;
            letters.set(letter.id, letter);
          }
        },
      });
      const deadline = Date.now() + timeoutMs;
      while (letters.size < count && Date.now() < deadline) await sleep(200);
      await sleep(500); // anything beyond `count` would show up now
      await consumer.stop();
      return [...letters.values()];
    },
    /** Messages on the output topic, decoded, once `expectedIds` distinct event ids arrived (or the timeout). */
    async outputs(expectedIds: number, timeoutMs = 60_000): Promise<{ id: string; count: number }[]> {
      const consumer = await kafka.consumer();
      await consumer.subscribe({ topic: names.output, fromBeginning: true });
      // By position: a rebalance of this reader may deliver a record twice; the topic holds it once.
      const out = new Map<string, { id: string; count: number }>();
      const registry = registryClient();
      await consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            if (!m.value) continue;
            out.set(`${batch.partition}/${m.offset}`, {
              ...((await registry.decode(m.value)) as { id: string; count: number }),
            });
          }
        },
      });
      const distinct = (): number => new Set([...out.values()].map((o) => o.id)).size;
      const deadline = Date.now() + timeoutMs;
      while (distinct() < expectedIds && Date.now() < deadline) await sleep(500);
      await consumer.stop();
      return [...out.values()];
    },
  };
}

/** The Prometheus text the child serves on its (ephemeral) METRICS_PORT, which it logs when ready. */
export async function metricsOf(processor: ProcessorChild): Promise<string> {
  const line = processor
    .output()
    .split('\n')
    .find((l) => l.includes('"metricsPort"'));
  const port = line ? (JSON.parse(line) as { metricsPort: number }).metricsPort : undefined;
  if (!port) throw new Error('the processor has not logged its metrics port');
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

/** Polls until `predicate` holds; fails with the last observed value. */
export async function waitFor<T>(
  probe: () => Promise<T>,
  predicate: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!predicate(last)) {
    if (Date.now() > deadline) {
      const diagnostics = childDiagnostics();
      throw new Error(
        `timed out waiting for ${what}; last: ${JSON.stringify(last)}${diagnostics ? `\n${diagnostics}` : ''}`,
      );
    }
    await sleep(250);
    last = await probe();
  }
  return last;
}
