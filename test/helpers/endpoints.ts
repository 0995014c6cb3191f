/**
 * Where integration tests find their servers, in this order: STEWARD_TEST_* variables, the project's local
 * stack (started if it is not running), then testcontainers where a Docker engine exists. With none of
 * them it fails loudly: a suite that silently skips looks green.
 */
export interface Endpoints {
  readonly kafkaBrokers: readonly string[];
  readonly schemaRegistryUrl: string;
  readonly elasticsearchUrl: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
}

export type EndpointSource = 'env' | 'local-stack' | 'testcontainers';

export interface ResolvedEndpoints {
  readonly source: EndpointSource;
  readonly endpoints: Endpoints;
}

/** The variables, by field; all of them or none must be set. */
export const testVariables = {
  kafkaBrokers: 'STEWARD_TEST_KAFKA_BROKERS',
  schemaRegistryUrl: 'STEWARD_TEST_SCHEMA_REGISTRY_URL',
  elasticsearchUrl: 'STEWARD_TEST_ELASTICSEARCH_URL',
  databaseUrl: 'STEWARD_TEST_DATABASE_URL',
  redisUrl: 'STEWARD_TEST_REDIS_URL',
} as const satisfies Record<keyof Endpoints, string>;

export interface Probes {
  /** Java and Maven are there, so the local stack can be installed and run. */
  localStackAvailable(): Promise<boolean>;
  /** Starts the local stack if it is not running (idempotent) and returns its endpoints. */
  startLocalStack(): Promise<Endpoints>;
  dockerAvailable(): Promise<boolean>;
  startContainers(): Promise<Endpoints>;
}

export class EndpointError extends Error {
  override readonly name = 'EndpointError';
}

function fromEnv(env: NodeJS.ProcessEnv): Endpoints | undefined {
  const entries = Object.entries(testVariables).map(([field, variable]) => [field, env[variable]] as const);
  const set = entries.filter(([, value]) => value);
  if (set.length === 0) return undefined;
  if (set.length < entries.length) {
    const missing = entries
      .filter(([, value]) => !value)
      .map(([field]) => testVariables[field as keyof Endpoints]);
    throw new EndpointError(
      `set all STEWARD_TEST_* endpoint variables or none; missing: ${missing.join(', ')}`,
    );
  }
  const get = (field: keyof Endpoints): string => env[testVariables[field]] ?? '';
  return {
    kafkaBrokers: get('kafkaBrokers')
      .split(',')
      .map((b) => b.trim()),
    schemaRegistryUrl: get('schemaRegistryUrl'),
    elasticsearchUrl: get('elasticsearchUrl'),
    databaseUrl: get('databaseUrl'),
    redisUrl: get('redisUrl'),
  };
}

function hostOf(endpoint: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)) return new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
  const host = endpoint.replace(/:\d+$/, '');
  return host.replace(/^\[|\]$/g, '');
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Tests drop topics, indices and schemas: a shell configured for production must never be their target.
 */
export function assertLoopback(endpoints: Endpoints, env: NodeJS.ProcessEnv): void {
  if (env['STEWARD_TEST_ALLOW_REMOTE'] === '1') return;
  const all = [
    ...endpoints.kafkaBrokers,
    endpoints.schemaRegistryUrl,
    endpoints.elasticsearchUrl,
    endpoints.databaseUrl,
    endpoints.redisUrl,
  ];
  const remote = all.map(hostOf).filter((host) => !isLoopback(host));
  if (remote.length) {
    throw new EndpointError(
      `refusing non-loopback test endpoints (${[...new Set(remote)].join(', ')}); set STEWARD_TEST_ALLOW_REMOTE=1 if you mean it`,
    );
  }
}

export async function resolveEndpoints(env: NodeJS.ProcessEnv, probes: Probes): Promise<ResolvedEndpoints> {
  const resolved = await pick(env, probes);
  assertLoopback(resolved.endpoints, env);
  return resolved;
}

async function pick(env: NodeJS.ProcessEnv, probes: Probes): Promise<ResolvedEndpoints> {
  const configured = fromEnv(env);
  if (configured) return { source: 'env', endpoints: configured };
  if (await probes.localStackAvailable())
    return { source: 'local-stack', endpoints: await probes.startLocalStack() };
  if (await probes.dockerAvailable())
    return { source: 'testcontainers', endpoints: await probes.startContainers() };
  throw new EndpointError(
    'no test endpoints: set the STEWARD_TEST_* variables, install Java 17+ and Maven for the local stack, or run a Docker engine',
  );
}

/** What the global setup hands to test processes, which inherit its environment. */
export function toEnv(endpoints: Endpoints): Record<string, string> {
  return {
    [testVariables.kafkaBrokers]: endpoints.kafkaBrokers.join(','),
    [testVariables.schemaRegistryUrl]: endpoints.schemaRegistryUrl,
    [testVariables.elasticsearchUrl]: endpoints.elasticsearchUrl,
    [testVariables.databaseUrl]: endpoints.databaseUrl,
    [testVariables.redisUrl]: endpoints.redisUrl,
  };
}
