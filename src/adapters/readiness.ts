import { Redis } from 'ioredis';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Config } from '../config.ts';
import type { Check } from '../observability/health-server.ts';
import { createElasticsearch } from './elasticsearch/client.ts';
import { createPool } from './postgres/pool.ts';

export interface DependencyChecks {
  readonly checks: Record<'kafka' | 'schemaRegistry' | 'elasticsearch' | 'postgres' | 'redis', Check>;
  close(): Promise<void>;
}

/**
 * One long-lived client per dependency, connected on the first probe, so /readyz costs one round trip
 * each. Elasticsearch is probed with _cluster/health: the integration-test distribution has no `GET /`.
 */
export function dependencyChecks(config: Config): DependencyChecks {
  const kafka = new Kafka({
    clientId: `${config.kafka.clientId}-readiness`,
    brokers: [...config.kafka.brokers],
    logLevel: logLevel.NOTHING,
  });
  let admin: Promise<Admin> | undefined;
  const connectAdmin = async (): Promise<Admin> => {
    const client = kafka.admin();
    await client.connect();
    return client;
  };
  const es = createElasticsearch(config.elasticsearch);
  const pool = createPool(config.postgres, 1);
  const redis = new Redis(config.redis.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  // Its failures are what the probe reports; unhandled, each reconnect attempt would print to stderr.
  redis.on('error', () => undefined);
  const registryAuth = config.schemaRegistry.auth;
  const registryHeaders: Record<string, string> = registryAuth
    ? {
        authorization: `Basic ${Buffer.from(`${registryAuth.username}:${registryAuth.password}`).toString('base64')}`,
      }
    : {};

  return {
    checks: {
      kafka: async () => {
        admin ??= connectAdmin();
        try {
          await (await admin).describeCluster();
        } catch (error) {
          // Reconnect on the next probe rather than keep a broken client.
          const broken = admin;
          admin = undefined;
          await broken.then((a) => a.disconnect()).catch(() => undefined);
          throw error;
        }
      },
      schemaRegistry: async () => {
        const response = await fetch(`${config.schemaRegistry.url}/subjects`, { headers: registryHeaders });
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`registry answered ${response.status}`);
      },
      elasticsearch: async () => {
        const health = await es.cluster.health();
        if (health.status === 'red') throw new Error('cluster status red');
      },
      postgres: async () => {
        await pool.query('SELECT 1');
      },
      redis: async () => {
        if (redis.status === 'wait' || redis.status === 'end') await redis.connect();
        await redis.ping();
      },
    },
    async close() {
      const closing = admin?.then((a) => a.disconnect());
      await Promise.allSettled([closing, es.close(), pool.end(), Promise.resolve(redis.disconnect())]);
    },
  };
}
