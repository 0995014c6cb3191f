import { homedir } from 'node:os';
import { join } from 'node:path';
import { versions } from './versions.ts';

/**
 * Where the local stack keeps downloaded artifacts, unpacked servers, data, logs and pid files.
 * Outside the repository so a fresh clone reuses the cache. Elasticsearch refuses to run as root, so
 * when we are root it runs as an unprivileged user, which must be able to traverse every parent
 * directory: root's home is not traversable, hence a system cache directory for root.
 */
export function stackHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env['STEWARD_STACK_HOME']) return env['STEWARD_STACK_HOME'];
  if (process.getuid?.() === 0) return '/var/cache/steward-stack';
  return join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'steward-stack');
}

/** Fixed loopback ports of the local stack; they match the config defaults. */
export const ports = {
  kafka: 9092,
  kafkaController: 9093,
  elasticsearch: 9200,
  elasticsearchTransport: 9300,
  registry: 8081,
} as const;

export const loopback = '127.0.0.1';

export interface ServiceLayout {
  /** Unpacked server (or jar directory). */
  readonly installDir: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly pidFile: string;
}

export function layoutFor(home: string, service: 'kafka' | 'elasticsearch' | 'registry'): ServiceLayout {
  const installDir = {
    kafka: join(home, `kafka_${versions.scala}-${versions.kafka}`),
    elasticsearch: join(home, `elasticsearch-${versions.elasticsearch}`),
    registry: join(home, `apicurio-registry-${versions.apicurio}`),
  }[service];
  const runDir = join(home, 'run', service);
  return {
    installDir,
    dataDir: join(runDir, 'data'),
    logFile: join(runDir, 'logs', `${service}.log`),
    pidFile: join(runDir, `${service}.pid`),
  };
}
