import type { AddressInfo } from 'node:net';
import type { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { buildApp } from '../../api/app.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { aliasName } from '../adapters/elasticsearch/asset-index.ts';
import { assetSearch } from '../adapters/elasticsearch/asset-search.ts';
import { jwtVerifier, type JwtOptions } from '../adapters/jwt.ts';
import { idempotentProducer } from '../adapters/kafka.ts';
import { OutboxRelay } from '../adapters/outbox-relay.ts';
import { API_OUTBOX, apiMutations } from '../adapters/postgres/api-mutations.ts';
import { verifyApiKey } from '../adapters/postgres/api-keys.ts';
import { readAudit } from '../adapters/postgres/audit-reader.ts';
import { readFreshness } from '../adapters/postgres/freshness-store.ts';
import { governanceReader } from '../adapters/postgres/governance-reader.ts';
import { assetHistory } from '../adapters/postgres/history-reader.ts';
import type { Pool } from '../adapters/postgres/pool.ts';
import { redisReadCache } from '../adapters/redis-cache.ts';
import { redisRateCounter } from '../adapters/redis-rate-counter.ts';
import { TopicCodec } from '../adapters/registry.ts';
import { reevaluateAll } from '../commands/reevaluate.ts';
import type { Config } from '../config.ts';
import { freshnessStaleAfterMs, summariseFreshness } from '../domain/freshness.ts';
import type { TopicDeclaration } from '../domain/topic.ts';
import type { Check } from '../observability/health-server.ts';
import type { Logger } from '../observability/logger.ts';
import { ChangePublisher } from '../producer/publish.ts';
import { changes, commands, lineage } from '../../topics/index.ts';
import { lineageGraphSource } from '../adapters/postgres/lineage-graph.ts';
import { lineageReader } from '../adapters/postgres/lineage-reader.ts';
import { publishRunEvents } from '../lineage/publish.ts';

export interface ApiDependencyOptions {
  readonly pool: Pool;
  readonly elasticsearch: Client;
  readonly alias: string;
  readonly kafka: Kafka;
  readonly codec: TopicCodec;
  readonly redis: Config['redis'];
  readonly jwt: JwtOptions;
  readonly checks: Readonly<Record<string, Check>>;
  readonly metrics: Registry;
  readonly logger: Logger;
  /** The consumer groups whose progress the index reflects: their freshness is every answer's watermark. */
  readonly freshnessGroups: readonly string[];
  /** The changes, commands and lineage topics, unless a test binds copies. */
  readonly topics?: {
    readonly changes: TopicDeclaration;
    readonly commands: TopicDeclaration;
    readonly lineage?: TopicDeclaration;
  };
  /** How often to publish outbox rows a crashed request left behind (ms). */
  readonly outboxSweepMs?: number;
  /** Hold the lineage graph in memory up to this many active edges (0: walk in SQL); 2,000,000 unless set. */
  readonly lineageGraphMaxEdges?: number;
}

/**
 * The API's dependencies over the real adapters, with what they hold open: a producer (commands from the
 * outbox, HTTP ingest), the Redis rate counter and the outbox sweep. `start` connects, `close` releases.
 */
export function apiDependencies(options: ApiDependencyOptions): {
  deps: ApiDeps;
  start(): Promise<void>;
  close(): Promise<void>;
} {
  const { pool, logger } = options;
  const topics = options.topics ?? { changes, commands };
  const lineageTopic = topics.lineage ?? lineage;
  const rateCounter = redisRateCounter(options.redis);
  const cache = redisReadCache(options.redis);
  const producer = idempotentProducer(options.kafka);
  const relay = new OutboxRelay(pool, producer, options.codec, [topics.commands]);
  const publisher = new ChangePublisher({
    kafka: options.kafka,
    codec: options.codec,
    topic: topics.changes,
    logger,
  });
  const log = logger.child({ part: 'api' });
  // Kafka is needed for writes only: the API starts and serves reads without it, and connects on first use
  // (again after a failure).
  let connecting: Promise<void> | undefined;
  const connected = (): Promise<void> =>
    (connecting ??= Promise.all([producer.connect(), publisher.connect()]).then(
      () => undefined,
      (error: unknown) => {
        connecting = undefined;
        throw error;
      },
    ));
  const reevaluate = (reason: string): Promise<void> =>
    connected()
      .then(() =>
        reevaluateAll(
          { pool, producer, codec: options.codec, commands: topics.commands },
          { issuedBy: 'api', reason },
        ),
      )
      .then(
        (sent) => log.info({ sent, reason }, 're-evaluation requested'),
        // The policy is stored and audited; compliance-rescan re-evaluates every asset daily regardless.
        (error: unknown) => log.error({ err: error, reason }, 're-evaluation request failed'),
      );
  let sweeper: NodeJS.Timeout | undefined;
  let pruner: NodeJS.Timeout | undefined;
  const deps: ApiDeps = {
    assets: assetSearch(options.elasticsearch, options.alias),
    history: assetHistory(pool),
    governance: governanceReader(pool),
    mutations: apiMutations({
      pool,
      commands: topics.commands,
      publish: (rows) =>
        connected()
          .then(() => relay.publish(rows))
          .catch((error: unknown) => {
            log.warn({ err: error, rows: rows.length }, 'commands left to the outbox sweep');
            throw error;
          }),
      // In the background: the answer does not wait for thousands of commands.
      reevaluateAll: (reason) => {
        void reevaluate(reason);
        return Promise.resolve();
      },
    }),
    ingest: {
      publish: async (events) => {
        await connected();
        await publisher.publishChanges(events);
      },
    },
    lineage: lineageReader(
      pool,
      lineageGraphSource(pool, { maxEdges: options.lineageGraphMaxEdges ?? 2_000_000 }),
    ),
    lineageIngest: {
      publish: async (events) => {
        await connected();
        await publishRunEvents(producer, options.codec, lineageTopic, events);
      },
    },
    audit: (page) => readAudit(pool, page),
    freshness: async () => {
      const rows = await readFreshness(pool, options.freshnessGroups);
      const { partitions: _partitions, ...summary } = summariseFreshness(
        rows,
        new Date(),
        freshnessStaleAfterMs,
      );
      return summary;
    },
    checks: options.checks,
    metrics: options.metrics,
    credentials: {
      apiKey: (key) => verifyApiKey(pool, key),
      jwt: jwtVerifier(options.jwt),
    },
    rateCounter,
    cache,
  };
  return {
    deps,
    start() {
      connected().catch((error: unknown) => {
        log.warn({ err: error }, 'Kafka unreachable: writes will fail until it is back (reads are served)');
      });
      const sweepMs = options.outboxSweepMs ?? 15_000;
      sweeper = setInterval(() => {
        connected()
          .then(() => relay.sweep(API_OUTBOX, sweepMs))
          .then((published) => {
            if (published) log.info({ published }, 'outbox rows published by the sweep');
          })
          .catch((error: unknown) => log.warn({ err: error }, 'outbox sweep failed'));
      }, sweepMs);
      sweeper.unref();
      // Published rows are kept a day (for inspection), then deleted, as the processors' housekeeping does.
      pruner = setInterval(() => {
        relay.prune(API_OUTBOX, 86_400_000).catch((error: unknown) => {
          log.warn({ err: error }, 'outbox prune failed');
        });
      }, 3_600_000);
      pruner.unref();
      return Promise.resolve();
    },
    async close() {
      clearInterval(sweeper);
      clearInterval(pruner);
      await Promise.allSettled([
        producer.disconnect(),
        publisher.disconnect(),
        rateCounter.close(),
        cache.close(),
      ]);
    },
  };
}

export interface ApiServerOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly pool: Pool;
  readonly elasticsearch: Client;
  readonly kafka: Kafka;
  readonly codec: TopicCodec;
  readonly checks: Readonly<Record<string, Check>>;
  /** The consumer groups whose progress the index reflects: their freshness is every answer's watermark. */
  readonly freshnessGroups: readonly string[];
  /** Copies of the topics the API publishes to (test suites); the production ones unless set. */
  readonly topics?: ApiDependencyOptions['topics'];
}

/** The query API on API_HOST:API_PORT (wiring only: the app is api/app.ts). */
export async function startApi(options: ApiServerOptions): Promise<{ port: number; stop(): Promise<void> }> {
  const { config, logger } = options;
  const dependencies = apiDependencies({
    pool: options.pool,
    elasticsearch: options.elasticsearch,
    alias: aliasName(config.elasticsearch.indexPrefix),
    kafka: options.kafka,
    codec: options.codec,
    redis: config.redis,
    jwt: config.api.jwt,
    checks: options.checks,
    metrics: options.registry,
    logger,
    freshnessGroups: options.freshnessGroups,
    lineageGraphMaxEdges: config.lineage.graphMaxEdges,
    ...(options.topics && { topics: options.topics }),
  });
  await dependencies.start();
  const app = await buildApp(dependencies.deps, {
    logger: logger.child({ part: 'api' }),
    auth: config.api.auth,
    rateLimit: config.api.rateLimit,
    corsOrigins: config.api.corsOrigins,
  });
  if (config.api.auth === 'open')
    logger.warn({ host: config.api.host }, 'the API runs open (API_AUTH=open): every caller is an admin');
  await app.listen({ host: config.api.host, port: config.api.port });
  const { port } = app.server.address() as AddressInfo;
  logger.info(
    { port, url: `http://${config.api.host}:${port}/v1`, docs: `http://${config.api.host}:${port}/docs` },
    'api listening',
  );
  return {
    port,
    stop: async () => {
      await app.close();
      await dependencies.close();
    },
  };
}
