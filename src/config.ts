import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'STW_CONFIG_INVALID';
  readonly issues: readonly { variable: string; problem: string }[];

  constructor(issues: ConfigError['issues']) {
    super(`Invalid configuration: ${issues.map((i) => `${i.variable}: ${i.problem}`).join('; ')}`);
    this.issues = issues;
  }
}

const REDACTED = '[redacted]';
const BROKER = /^(?:\[[\da-f:.]+\]|[\w.-]+):(\d{1,5})$/i;

const int = (min: number, max: number, fallback: number) => {
  const problem = `expected an integer ${min}-${max}`;
  return z
    .string()
    .trim()
    .regex(/^\d+$/, problem)
    .transform(Number)
    .refine((n) => n >= min && n <= max, problem)
    .default(fallback);
};
const port = (fallback: number) => int(0, 65535, fallback);
// Not z.stringbool(): its issue aborts the whole parse, which would hide the cross-field rules.
const bool = (fallback: boolean) =>
  z
    .string()
    .regex(/^(true|false|1|0)$/i, 'expected true, false, 1 or 0')
    .transform((flag) => /^(true|1)$/i.test(flag))
    .default(fallback);
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected one of ${values.join('|')}` });
const url = (protocol: RegExp, problem: string) => z.url({ protocol, error: problem });
const httpUrl = (fallback: string) => url(/^https?$/, 'expected an http(s) URL').default(fallback);
const optional = z.string().optional();

/** A job's settings that SCHEDULER_JOBS may override; the scheduler checks names, zones and expressions. */
const jobOverride = z.strictObject({
  cron: z.string().optional(),
  timeZone: z.string().optional(),
  catchUp: z.enum(['skip', 'latest', 'all']).optional(),
  enabled: z.boolean().optional(),
  payload: z.record(z.string(), z.unknown()).optional(),
});

const brokers = z
  .string()
  .transform((list) => list.split(',').map((broker) => broker.trim()))
  .refine(
    (list) => list.every((broker) => Number(BROKER.exec(broker)?.[1] ?? NaN) <= 65535),
    'expected host:port list',
  );

/** A variable holding JSON; what it must hold is piped after. */
const json = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected JSON' });
    return z.NEVER;
  }
});

// Every variable, keyed by its name so an issue's path is the variable to report.
const variables = z.object({
  STEWARD_ENV: oneOf(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  KAFKA_BROKERS: brokers.default(() => ['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().default('steward'),
  KAFKA_SSL: bool(false),
  KAFKA_SSL_CA_FILE: optional,
  KAFKA_SASL_MECHANISM: oneOf(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: optional,
  KAFKA_SASL_PASSWORD: optional,
  KAFKA_SESSION_TIMEOUT_MS: int(1, 3_600_000, 10_000),
  KAFKA_HEARTBEAT_INTERVAL_MS: int(1, 3_600_000, 1_000),
  KAFKA_MAX_BYTES_PER_PARTITION: int(16_384, 67_108_864, 262_144),
  KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY: int(1, 64, 4),

  SCHEMA_REGISTRY_URL: httpUrl('http://127.0.0.1:8081/apis/ccompat/v7'),
  SCHEMA_REGISTRY_USERNAME: optional,
  SCHEMA_REGISTRY_PASSWORD: optional,

  ELASTICSEARCH_URL: httpUrl('http://127.0.0.1:9200'),
  ELASTICSEARCH_USERNAME: optional,
  ELASTICSEARCH_PASSWORD: optional,
  ELASTICSEARCH_API_KEY: optional,
  ELASTICSEARCH_CA_FILE: optional,
  // Elasticsearch index names are lowercase and must not start with '-' or '_'.
  ELASTICSEARCH_INDEX_PREFIX: z
    .string()
    .regex(/^[a-z\d][a-z\d_-]*$/, "expected lowercase letters, digits, '-' or '_' (not leading '-' or '_')")
    .default('steward'),

  DATABASE_URL: url(/^postgres(ql)?$/, 'expected a postgres:// or postgresql:// URL').default(
    'postgres://postgres@127.0.0.1:5432/steward',
  ),
  DATABASE_SSL: oneOf(['disable', 'require', 'verify-full']).default('disable'),
  DATABASE_SSL_CA_FILE: optional,
  DATABASE_POOL_MAX: int(1, 1000, 10),

  REDIS_URL: url(/^rediss?$/, 'expected a redis:// or rediss:// URL').default('redis://127.0.0.1:6379'),
  REDIS_PASSWORD: optional,
  REDIS_TLS: bool(false),

  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: port(3000),
  // Default: open in development on a loopback API_HOST (local use), required everywhere else.
  API_AUTH: oneOf(['open', 'required']).optional(),
  API_JWT_SECRET: z.string().min(32, 'expected at least 32 characters (HS256)').optional(),
  API_JWKS_URL: url(/^https?$/, 'expected an http(s) URL').optional(),
  API_JWT_ISSUER: optional,
  API_JWT_AUDIENCE: optional,
  API_JWT_ROLE_CLAIM: z.string().min(1).default('role'),
  API_RATE_LIMIT_MAX: int(1, 1_000_000, 600),
  API_RATE_LIMIT_WINDOW_MS: int(1_000, 3_600_000, 60_000),
  // Browser origins allowed to call the API (comma-separated, e.g. https://catalog.example.com); none by default.
  API_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/, error: 'expected http(s) origins, comma-separated' }))),
  METRICS_PORT: port(9464),

  // The scheduler (src/scheduler): how often it looks for due slots, and its clock.
  SCHEDULER_POLL_MS: int(50, 600_000, 1_000),
  SCHEDULER_LATE_TOLERANCE_MS: int(0, 86_400_000, 300_000),
  SCHEDULER_CATCH_UP_LIMIT: int(1, 1_000, 10),
  SCHEDULER_JOBS: json
    .pipe(
      z.record(z.string(), jobOverride, {
        error: 'expected {"<job>": {cron, timeZone, catchUp, enabled, payload}}',
      }),
    )
    .default({}),
  SCHEDULER_CLOCK: oneOf(['system', 'accelerated']).default('system'),
  SCHEDULER_CLOCK_ORIGIN: z.iso.datetime({ offset: true, error: 'expected an ISO-8601 instant' }).optional(),
  SCHEDULER_CLOCK_ANCHOR: z.iso.datetime({ offset: true, error: 'expected an ISO-8601 instant' }).optional(),
  SCHEDULER_CLOCK_SPEED: int(1, 1_000_000, 1),
  // The sweeps (tick consumers): a run's claim on its (job, slot) lapses this long after its last renewal.
  SWEEP_LEASE_MS: int(1_000, 3_600_000, 60_000),
  // The notifier (src/notifier): the default webhook signing secret (an endpoint may name its own
  // variable instead), attempts per delivery before it is dead-lettered, and the timeouts.
  NOTIFIER_SIGNING_SECRET: z.string().min(16, 'expected at least 16 characters').optional(),
  NOTIFIER_MAX_ATTEMPTS: int(1, 20, 6),
  NOTIFIER_BACKOFF_MS: int(10, 600_000, 500),
  NOTIFIER_TIMEOUT_MS: int(100, 120_000, 5_000),
  // The scanners (src/scanner): the JSON file declaring the scanned sources; none when unset.
  SCAN_SOURCES_FILE: optional,
  // Lineage (processors/lineage): OpenLineage namespace → Steward instance, e.g.
  // {"postgres://db.example.com:5432": "shop-prod"}; unmapped namespaces use their host.
  LINEAGE_NAMESPACES: json
    .pipe(
      z.record(z.string().min(1), z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/), {
        error: 'expected {"<namespace>": "<instance>"} with lower-case instances',
      }),
    )
    .default({}),
  // The API holds the active lineage graph in memory for walks while it has at most this many edges
  // (src/adapters/postgres/lineage-graph.ts); past it, or 0, walks run in SQL.
  LINEAGE_GRAPH_MAX_EDGES: int(0, 50_000_000, 2_000_000),
});

type Variables = z.output<typeof variables>;
type Variable = keyof Variables;
interface Rule {
  reads: readonly Variable[];
  holds: (vars: Variables) => boolean;
  variable: Variable;
  problem: string;
}

const requires = (a: Variable, b: Variable): Rule => ({
  reads: [a, b],
  holds: (vars) => vars[a] === undefined || vars[b] !== undefined,
  variable: b,
  problem: `required when ${a} is set`,
});

const bothOrNeither = (a: Variable, b: Variable) => [requires(a, b), requires(b, a)];

const rules: readonly Rule[] = [
  ...bothOrNeither('KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME'),
  ...bothOrNeither('KAFKA_SASL_MECHANISM', 'KAFKA_SASL_PASSWORD'),
  ...bothOrNeither('SCHEMA_REGISTRY_USERNAME', 'SCHEMA_REGISTRY_PASSWORD'),
  ...bothOrNeither('ELASTICSEARCH_USERNAME', 'ELASTICSEARCH_PASSWORD'),
  {
    reads: ['ELASTICSEARCH_API_KEY', 'ELASTICSEARCH_USERNAME'],
    holds: (vars) => vars.ELASTICSEARCH_API_KEY === undefined || vars.ELASTICSEARCH_USERNAME === undefined,
    variable: 'ELASTICSEARCH_API_KEY',
    problem: 'not allowed together with ELASTICSEARCH_USERNAME',
  },
  {
    reads: ['API_JWT_SECRET', 'API_JWKS_URL'],
    holds: (vars) => vars.API_JWT_SECRET === undefined || vars.API_JWKS_URL === undefined,
    variable: 'API_JWKS_URL',
    problem: 'not allowed together with API_JWT_SECRET (one way to verify tokens)',
  },
  {
    reads: ['API_AUTH', 'API_HOST'],
    holds: (vars) => vars.API_AUTH !== 'open' || isLoopback(vars.API_HOST),
    variable: 'API_AUTH',
    problem: 'open is for local use: only with a loopback API_HOST (127.0.0.1, ::1, localhost)',
  },
  {
    reads: ['KAFKA_HEARTBEAT_INTERVAL_MS', 'KAFKA_SESSION_TIMEOUT_MS'],
    holds: (vars) => vars.KAFKA_HEARTBEAT_INTERVAL_MS < vars.KAFKA_SESSION_TIMEOUT_MS,
    variable: 'KAFKA_HEARTBEAT_INTERVAL_MS',
    problem: 'must be lower than KAFKA_SESSION_TIMEOUT_MS',
  },
  {
    reads: ['SCHEDULER_CLOCK', 'SCHEDULER_CLOCK_ORIGIN'],
    holds: (vars) => vars.SCHEDULER_CLOCK === 'system' || vars.SCHEDULER_CLOCK_ORIGIN !== undefined,
    variable: 'SCHEDULER_CLOCK_ORIGIN',
    problem: 'required when SCHEDULER_CLOCK is accelerated',
  },
  {
    reads: ['SCHEDULER_CLOCK', 'SCHEDULER_CLOCK_ANCHOR'],
    holds: (vars) => vars.SCHEDULER_CLOCK === 'system' || vars.SCHEDULER_CLOCK_ANCHOR !== undefined,
    variable: 'SCHEDULER_CLOCK_ANCHOR',
    problem: 'required when SCHEDULER_CLOCK is accelerated (the same real instant for every instance)',
  },
];

// A rule runs unless a variable it reads is itself invalid, so one error lists every problem.
const schema = rules.reduce(
  (acc, { reads, holds, variable, problem }) =>
    acc.refine(holds, {
      path: [variable],
      error: problem,
      when: (payload) => !payload.issues.some((issue) => reads.some((name) => name === issue.path?.[0])),
    }),
  variables,
);

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

const credentials = (username?: string, password?: string) => username && password && { username, password };

// Optional settings are spread in with `&&` so an absent one is a missing key, not `undefined`.
function toConfig(v: Variables) {
  const sasl = credentials(v.KAFKA_SASL_USERNAME, v.KAFKA_SASL_PASSWORD);
  const registryAuth = credentials(v.SCHEMA_REGISTRY_USERNAME, v.SCHEMA_REGISTRY_PASSWORD);
  const esAuth = v.ELASTICSEARCH_API_KEY
    ? { apiKey: v.ELASTICSEARCH_API_KEY }
    : credentials(v.ELASTICSEARCH_USERNAME, v.ELASTICSEARCH_PASSWORD);
  return {
    env: v.STEWARD_ENV,
    log: { level: v.LOG_LEVEL },
    kafka: {
      brokers: v.KAFKA_BROKERS,
      clientId: v.KAFKA_CLIENT_ID,
      ssl: { enabled: v.KAFKA_SSL, ...(v.KAFKA_SSL_CA_FILE && { caFile: v.KAFKA_SSL_CA_FILE }) },
      ...(v.KAFKA_SASL_MECHANISM && sasl && { sasl: { mechanism: v.KAFKA_SASL_MECHANISM, ...sasl } }),
      sessionTimeoutMs: v.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: v.KAFKA_HEARTBEAT_INTERVAL_MS,
      // A fetch per partition is one batch: one PostgreSQL transaction and one bulk request.
      maxBytesPerPartition: v.KAFKA_MAX_BYTES_PER_PARTITION,
      partitionsConsumedConcurrently: v.KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY,
    },
    schemaRegistry: { url: v.SCHEMA_REGISTRY_URL, ...(registryAuth && { auth: registryAuth }) },
    elasticsearch: {
      url: v.ELASTICSEARCH_URL,
      ...(esAuth && { auth: esAuth }),
      ...(v.ELASTICSEARCH_CA_FILE && { caFile: v.ELASTICSEARCH_CA_FILE }),
      indexPrefix: v.ELASTICSEARCH_INDEX_PREFIX,
    },
    postgres: {
      url: v.DATABASE_URL,
      ssl: v.DATABASE_SSL,
      ...(v.DATABASE_SSL_CA_FILE && { caFile: v.DATABASE_SSL_CA_FILE }),
      poolMax: v.DATABASE_POOL_MAX,
    },
    redis: {
      url: v.REDIS_URL,
      ...(v.REDIS_PASSWORD && { password: v.REDIS_PASSWORD }),
      tls: v.REDIS_TLS || v.REDIS_URL.startsWith('rediss:'),
    },
    api: {
      host: v.API_HOST,
      port: v.API_PORT,
      auth: v.API_AUTH ?? (v.STEWARD_ENV === 'development' && isLoopback(v.API_HOST) ? 'open' : 'required'),
      jwt: {
        roleClaim: v.API_JWT_ROLE_CLAIM,
        ...(v.API_JWT_SECRET && { secret: v.API_JWT_SECRET }),
        ...(v.API_JWKS_URL && { jwksUrl: v.API_JWKS_URL }),
        ...(v.API_JWT_ISSUER && { issuer: v.API_JWT_ISSUER }),
        ...(v.API_JWT_AUDIENCE && { audience: v.API_JWT_AUDIENCE }),
      },
      rateLimit: { max: v.API_RATE_LIMIT_MAX, windowMs: v.API_RATE_LIMIT_WINDOW_MS },
      corsOrigins: v.API_CORS_ORIGINS,
    },
    metrics: { port: v.METRICS_PORT },
    scheduler: {
      pollMs: v.SCHEDULER_POLL_MS,
      lateToleranceMs: v.SCHEDULER_LATE_TOLERANCE_MS,
      catchUpLimit: v.SCHEDULER_CATCH_UP_LIMIT,
      jobs: v.SCHEDULER_JOBS,
      clock:
        v.SCHEDULER_CLOCK === 'accelerated' && v.SCHEDULER_CLOCK_ORIGIN && v.SCHEDULER_CLOCK_ANCHOR
          ? {
              kind: 'accelerated' as const,
              originMs: Date.parse(v.SCHEDULER_CLOCK_ORIGIN),
              anchorMs: Date.parse(v.SCHEDULER_CLOCK_ANCHOR),
              speed: v.SCHEDULER_CLOCK_SPEED,
            }
          : { kind: 'system' as const },
    },
    sweeps: { leaseMs: v.SWEEP_LEASE_MS },
    scan: { ...(v.SCAN_SOURCES_FILE && { sourcesFile: v.SCAN_SOURCES_FILE }) },
    lineage: { namespaces: v.LINEAGE_NAMESPACES, graphMaxEdges: v.LINEAGE_GRAPH_MAX_EDGES },
    notifier: {
      ...(v.NOTIFIER_SIGNING_SECRET && { signingSecret: v.NOTIFIER_SIGNING_SECRET }),
      maxAttempts: v.NOTIFIER_MAX_ATTEMPTS,
      backoffMs: v.NOTIFIER_BACKOFF_MS,
      timeoutMs: v.NOTIFIER_TIMEOUT_MS,
    },
  };
}

type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export type Config = DeepReadonly<ReturnType<typeof toConfig>>;

function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value as DeepReadonly<T>;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Only our variables, and an empty assignment (`FOO=`) counts as unset.
  const input = Object.fromEntries(
    Object.keys(variables.shape).flatMap((name) => {
      const value = env[name];
      return value === undefined || value.trim() === '' ? [] : [[name, value]];
    }),
  );
  const result = schema.safeParse(input);
  if (!result.success) {
    // Only the variable's name and the expectation: the value may be a secret.
    throw new ConfigError(
      result.error.issues.map((issue) => ({ variable: String(issue.path[0]), problem: issue.message })),
    );
  }
  return deepFreeze(toConfig(result.data));
}

/** Replaces the password in `scheme://user:password@host` (the last '@' ends the userinfo). */
function redactUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z\d+.-]*:\/\/[^:/?#@]*:)[^/?#]*@/i, `$1${REDACTED}@`)
    .replace(/([?&](?:ssl)?password=)[^&#]*/gi, `$1${REDACTED}`);
}

/** A copy of the config that is safe to log: every secret is replaced by '[redacted]'. */
export function redactedConfig(config: Config): Config {
  const { kafka, schemaRegistry: registry, elasticsearch: es, postgres, redis, notifier } = config;
  return {
    ...config,
    kafka: { ...kafka, ...(kafka.sasl && { sasl: { ...kafka.sasl, password: REDACTED } }) },
    schemaRegistry: {
      url: redactUrl(registry.url),
      ...(registry.auth && { auth: { ...registry.auth, password: REDACTED } }),
    },
    elasticsearch: {
      ...es,
      url: redactUrl(es.url),
      ...(es.auth && {
        auth: 'apiKey' in es.auth ? { apiKey: REDACTED } : { ...es.auth, password: REDACTED },
      }),
    },
    postgres: { ...postgres, url: redactUrl(postgres.url) },
    redis: { ...redis, url: redactUrl(redis.url), ...(redis.password && { password: REDACTED }) },
    notifier: { ...notifier, ...(notifier.signingSecret && { signingSecret: REDACTED }) },
    api: { ...config.api, jwt: { ...config.api.jwt, ...(config.api.jwt.secret && { secret: REDACTED }) } },
  };
}
