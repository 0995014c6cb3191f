/**
 * The reliability suite's world: the local stack, fresh copies of Steward's topics, a PostgreSQL schema, an
 * index prefix and consumer groups of its own, fault proxies in front of PostgreSQL, Redis and
 * Elasticsearch, and Steward's parts as real child processes pointed through those proxies. Everything it
 * creates is removed by `close`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client as Elasticsearch } from '@elastic/elasticsearch';
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type Producer } from 'kafkajs';
import pg from 'pg';
import { migrate } from '../../src/adapters/postgres/migrate.ts';
import { TopicCodec, createRegistry } from '../../src/adapters/registry.ts';
import { createTopicsAndWait, creationOf } from '../../src/adapters/topics-admin.ts';
import { aliasName } from '../../src/domain/asset-document.ts';
import { valueSubject, type TopicDeclaration } from '../../src/domain/topic.ts';
import { projectRoot } from '../../src/paths.ts';
import type { DeadLetter } from '../../src/runtime/dead-letter.ts';
import { ccompatPath } from '../../src/stack/registry.ts';
import { loopback, ports } from '../../src/stack/layout.ts';
import { localStack, up } from '../../src/stack/stack.ts';
import { ensureDatabases, systemServices } from '../../src/stack/system.ts';
import { FaultProxy } from './fault-proxy.ts';
import { TOPIC_ROLES, groupOf, topicCopy, type Part, type PartFixture, type TopicRole } from './part.ts';

export const database = 'steward_test';

export interface Instance {
  readonly name: string;
  readonly part: Part;
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
  readonly healthPort: number;
  readonly apiPort: number | undefined;
  output(): string;
}

export interface Collected {
  /** Alert (transition) id → how many times it was published. */
  readonly alerts: Map<string, number>;
  /** Dead letters by their id (a letter published twice counts once). */
  readonly letters: Map<string, DeadLetter>;
}

const free = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, loopback, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

const OUTPUT_KEEP = 200_000;

export class Suite {
  readonly id = randomBytes(4).toString('hex');
  readonly schema = `reliability_${this.id}`;
  readonly indexPrefix = `reliability-${this.id}`;
  readonly fixture: Omit<PartFixture, 'part'>;
  readonly topics: Readonly<Record<TopicRole, TopicDeclaration>>;
  readonly instances: Instance[] = [];
  /** Instances killed and replaced, kept for their output (`--keep-logs`). */
  readonly retired: Instance[] = [];
  readonly collected: Collected = { alerts: new Map(), letters: new Map() };
  readonly urls: {
    readonly kafka: string;
    readonly registry: string;
    readonly postgres: string;
    readonly redis: string;
    readonly elasticsearch: string;
  };
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly producer: Producer;
  readonly codec: TopicCodec;
  readonly pool: pg.Pool;
  readonly es: Elasticsearch;
  readonly proxies: { postgres: FaultProxy; redis: FaultProxy; elasticsearch: FaultProxy };
  readonly #consumers: Consumer[] = [];
  readonly #log: (line: string) => void;
  #counter = 0;

  private constructor(urls: Suite['urls'], proxies: Suite['proxies'], log: (line: string) => void) {
    this.urls = urls;
    this.proxies = proxies;
    this.#log = log;
    const prefix = `reliability.${this.id}`;
    this.fixture = {
      groupPrefix: prefix,
      topics: Object.fromEntries(TOPIC_ROLES.map((role) => [role, `${prefix}.${role}`])) as Record<
        TopicRole,
        string
      >,
    };
    this.topics = Object.fromEntries(
      TOPIC_ROLES.map((role) => [role, topicCopy(role, this.fixture.topics[role])]),
    ) as Record<TopicRole, TopicDeclaration>;
    this.kafka = new Kafka({
      clientId: `${prefix}.driver`,
      brokers: [urls.kafka],
      logLevel: logLevel.NOTHING,
      retry: { retries: 10 },
    });
    this.admin = this.kafka.admin();
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.codec = new TopicCodec(createRegistry({ url: urls.registry }));
    this.pool = new pg.Pool({
      connectionString: `${urls.postgres}?options=${encodeURIComponent(`-c search_path=${this.schema}`)}`,
      max: 4,
    });
    this.pool.on('error', () => undefined);
    this.es = new Elasticsearch({ node: urls.elasticsearch });
  }

  /** Starts the local stack (idempotent), then the suite's topics, schema and proxies. */
  static async open(log: (line: string) => void): Promise<Suite> {
    await up(localStack(), (line) => log(`[stack] ${line}`));
    const system = systemServices();
    await ensureDatabases(system.postgresUrl, [database]);
    const postgres = new URL(system.postgresUrl);
    postgres.pathname = `/${database}`;
    const redis = new URL(system.redisUrl);
    const urls = {
      kafka: `${loopback}:${ports.kafka}`,
      registry: `http://${loopback}:${ports.registry}${ccompatPath}`,
      postgres: postgres.toString(),
      redis: redis.toString(),
      elasticsearch: `http://${loopback}:${ports.elasticsearch}`,
    };
    const proxies = {
      postgres: await FaultProxy.start({ host: postgres.hostname, port: Number(postgres.port || 5432) }),
      redis: await FaultProxy.start({ host: redis.hostname, port: Number(redis.port || 6379) }),
      elasticsearch: await FaultProxy.start({ host: loopback, port: ports.elasticsearch }),
    };
    const suite = new Suite(urls, proxies, log);
    await suite.#prepare();
    return suite;
  }

  async #prepare(): Promise<void> {
    await this.admin.connect();
    await this.producer.connect();
    await migrate({ databaseUrl: this.urls.postgres, schema: this.schema });
    const brokers = (await this.admin.describeCluster()).brokers.length;
    await createTopicsAndWait(
      this.admin,
      Object.values(this.topics).map((topic) => creationOf(topic, brokers)),
    );
    await this.#collect();
  }

  /** Keeps every alert id and dead letter published from now on, for the checks. */
  async #collect(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: `${this.fixture.groupPrefix}.driver` });
    this.#consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({
      topics: [this.topics.alerts.name, this.topics.dlq.name],
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (!message.value) return;
        const value = await this.codec.decode(message.value);
        if (topic === this.topics.dlq.name) {
          const letter = value as DeadLetter;
          this.collected.letters.set(letter.id, letter);
        } else {
          const id = (value as { id: string }).id;
          this.collected.alerts.set(id, (this.collected.alerts.get(id) ?? 0) + 1);
        }
      },
    });
  }

  /** The environment of a Steward part: Kafka and the registry direct, the rest through the proxies. */
  #env(part: Part, healthPort: number, apiPort: number | undefined): NodeJS.ProcessEnv {
    const postgres = new URL(this.urls.postgres);
    postgres.hostname = loopback;
    postgres.port = String(this.proxies.postgres.port);
    postgres.searchParams.set('options', `-c search_path=${this.schema}`);
    const redis = new URL(this.urls.redis);
    redis.hostname = loopback;
    redis.port = String(this.proxies.redis.port);
    return {
      ...process.env,
      STEWARD_FIXTURE: JSON.stringify({ ...this.fixture, part } satisfies PartFixture),
      KAFKA_BROKERS: this.urls.kafka,
      SCHEMA_REGISTRY_URL: this.urls.registry,
      DATABASE_URL: postgres.toString(),
      REDIS_URL: redis.toString(),
      ELASTICSEARCH_URL: `http://${loopback}:${this.proxies.elasticsearch.port}`,
      ELASTICSEARCH_INDEX_PREFIX: this.indexPrefix,
      METRICS_PORT: String(healthPort),
      LOG_LEVEL: 'info',
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
      ...(apiPort && {
        API_PORT: String(apiPort),
        API_HOST: loopback,
        API_AUTH: 'open',
        API_RATE_LIMIT_MAX: '1000000',
      }),
    };
  }

  /** Starts a part as a child process and waits until it logged that it is ready. */
  async spawn(part: Part): Promise<Instance> {
    const healthPort = await free();
    const apiPort = part === 'api' ? await free() : undefined;
    const child = spawn(
      process.execPath,
      ['--disable-warning=TimeoutNegativeWarning', 'test/reliability/part.ts'],
      { cwd: projectRoot(), env: this.#env(part, healthPort, apiPort), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const keep = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.length > OUTPUT_KEEP * 2) output = output.slice(-OUTPUT_KEEP);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    this.#counter += 1;
    const instance: Instance = {
      name: `${part}#${this.#counter}`,
      part,
      child,
      exited,
      healthPort,
      apiPort,
      output: () => output,
    };
    this.instances.push(instance);
    const deadline = Date.now() + 120_000;
    while (!/"msg":"ready"/.test(output)) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${instance.name} exited before it was ready:\n${output.slice(-3000)}`);
      if (Date.now() > deadline)
        throw new Error(`${instance.name} not ready in 120 s:\n${output.slice(-3000)}`);
      await sleep(100);
    }
    return instance;
  }

  /** kill -9, then a new instance of the same part in its place. */
  async killAndRestart(instance: Instance): Promise<Instance> {
    instance.child.kill('SIGKILL');
    await instance.exited;
    this.instances.splice(this.instances.indexOf(instance), 1);
    this.retired.push(instance);
    return this.spawn(instance.part);
  }

  /** Each part's /readyz: the names of those that do not answer 200, with what they said. */
  async notReady(): Promise<string[]> {
    const failing: string[] = [];
    for (const instance of this.instances) {
      if (instance.child.exitCode !== null || instance.child.signalCode !== null) {
        failing.push(`${instance.name} exited`);
        continue;
      }
      try {
        const response = await fetch(`http://${loopback}:${instance.healthPort}/readyz`, {
          signal: AbortSignal.timeout(5000),
        });
        const body = await response.text();
        if (response.status !== 200) failing.push(`${instance.name}: ${body}`);
      } catch (error) {
        failing.push(`${instance.name}: ${(error as Error).message}`);
      }
    }
    return failing;
  }

  get groups(): string[] {
    return (['metadata-sync', 'compliance', 'quality', 'indexer'] as const).map((p) =>
      groupOf(this.fixture, p),
    );
  }

  get alias(): string {
    return aliasName(this.indexPrefix);
  }

  /** Stops every part and removes what the suite created; a failing step is logged, the rest still runs. */
  async close(): Promise<void> {
    const step = async (what: string, run: () => Promise<unknown>): Promise<void> => {
      try {
        await run();
      } catch (error) {
        this.#log(`cleanup: ${what} failed: ${(error as Error).message}`);
      }
    };
    for (const instance of this.instances) instance.child.kill('SIGKILL');
    await Promise.all(this.instances.map((i) => i.exited));
    for (const consumer of this.#consumers) await step('stop a consumer', () => consumer.disconnect());
    for (const group of [...this.groups, `${this.fixture.groupPrefix}.driver`])
      await step(`delete group ${group}`, async () => {
        // Members that just left may still be listed while the coordinator rebalances: retry a while.
        for (let attempt = 1; ; attempt++) {
          try {
            return await this.admin.deleteGroups([group]);
          } catch (error) {
            // kafkajs reports each group's own error (a group that never committed does not exist).
            const groups = (error as { groups?: { error?: { type?: string } }[] }).groups;
            const type = groups?.[0]?.error?.type;
            if (type === 'GROUP_ID_NOT_FOUND') return;
            if (type !== 'NON_EMPTY_GROUP' || attempt === 10)
              throw new Error(type ?? (error as Error).message);
            await sleep(2000);
          }
        }
      });
    await step('delete the topics', () =>
      this.admin.deleteTopics({ topics: Object.values(this.topics).map((t) => t.name) }),
    );
    for (const topic of Object.values(this.topics))
      await step(`delete the subject of ${topic.name}`, async () => {
        const base = `${this.urls.registry}/subjects/${encodeURIComponent(valueSubject(topic))}`;
        for (const url of [base, `${base}?permanent=true`])
          await (await fetch(url, { method: 'DELETE' })).arrayBuffer();
      });
    await step('delete the indices', async () => {
      const indices = await this.es.indices.get({ index: `${this.indexPrefix}-*`, allow_no_indices: true });
      const names = Object.keys(indices);
      if (names.length) await this.es.indices.delete({ index: names });
      const templates = await this.es.indices.getIndexTemplate(
        { name: `${this.indexPrefix}*` },
        { ignore: [404] },
      );
      for (const t of templates.index_templates ?? [])
        await this.es.indices.deleteIndexTemplate({ name: t.name });
    });
    await step('drop the schema', () => this.pool.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`));
    await step('disconnect', async () => {
      await this.producer.disconnect();
      await this.admin.disconnect();
      await this.pool.end();
      await this.es.close();
    });
    for (const proxy of Object.values(this.proxies)) await proxy.close();
  }
}
