import type { TestContext } from 'node:test';
import type { Client } from '@elastic/elasticsearch';
import type { FastifyInstance } from 'fastify';
import { Kafka, logLevel } from 'kafkajs';
import type pg from 'pg';
import { Registry } from 'prom-client';
import { buildApp, type AppOptions } from '../../api/app.ts';
import type { JwtOptions } from '../../src/adapters/jwt.ts';
import { TopicCodec } from '../../src/adapters/registry.ts';
import { apiDependencies } from '../../src/bin/api-server.ts';
import type { TopicDeclaration } from '../../src/domain/topic.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { changes, commands, lineage } from '../../topics/index.ts';
import { endpoints, registryClient, uniqueName } from './services.ts';

/**
 * The API app over real adapters (Elasticsearch alias, PostgreSQL pool, Kafka, Redis), wired as
 * src/bin/api-server.ts wires it, for integration tests; closed after the test. `freshnessGroups` are the
 * groups whose watermark it reports; `topics` the test's own changes and commands topics (by default,
 * uniquely named ones no test reads).
 */
export async function apiFor(
  t: TestContext,
  options: {
    readonly pool: pg.Pool;
    readonly client: Client;
    readonly alias: string;
    readonly freshnessGroups?: readonly string[];
    readonly auth?: AppOptions['auth'];
    readonly jwt?: Omit<JwtOptions, 'roleClaim'>;
    readonly rateLimit?: AppOptions['rateLimit'];
    /** Redis for the rate limits (default: the test Redis). */
    readonly redisUrl?: string;
    readonly topics?: {
      readonly changes: TopicDeclaration;
      readonly commands: TopicDeclaration;
      readonly lineage?: TopicDeclaration;
    };
    readonly codec?: TopicCodec;
    /** Another Kafka client (e.g. one pointed at nothing), instead of the test Kafka. */
    readonly kafka?: Kafka;
  },
): Promise<FastifyInstance> {
  const logger = createLogger({ level: 'silent', name: 'test' });
  const dependencies = apiDependencies({
    pool: options.pool,
    elasticsearch: options.client,
    alias: options.alias,
    kafka:
      options.kafka ??
      new Kafka({
        clientId: uniqueName('test-api'),
        brokers: [...endpoints().kafkaBrokers],
        logLevel: logLevel.NOTHING,
      }),
    codec: options.codec ?? new TopicCodec(registryClient()),
    redis: { url: options.redisUrl ?? endpoints().redisUrl, tls: false },
    jwt: { roleClaim: 'role', ...options.jwt },
    checks: {},
    metrics: new Registry(),
    logger,
    freshnessGroups: options.freshnessGroups ?? [],
    topics: {
      changes: { ...changes, name: uniqueName('unused.changes') },
      commands: { ...commands, name: uniqueName('unused.commands') },
      lineage: { ...lineage, name: uniqueName('unused.lineage') },
      ...options.topics,
    },
    outboxSweepMs: 1000,
  });
  await dependencies.start();
  t.after(() => dependencies.close());
  const app = await buildApp(dependencies.deps, {
    logger,
    auth: options.auth ?? 'open',
    rateLimit: options.rateLimit ?? { max: 10_000, windowMs: 60_000 },
  });
  t.after(() => app.close());
  return app;
}
