import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ConfigError, loadConfig, redactedConfig } from '../../src/config.ts';

/** Runs loadConfig and returns the ConfigError it must throw. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected loadConfig to throw');
}

const variablesOf = (error: ConfigError) => error.issues.map((issue) => issue.variable);

describe('loadConfig', () => {
  it('should return the local defaults when the environment is empty', () => {
    assert.deepEqual(loadConfig({}), {
      env: 'development',
      log: { level: 'info' },
      kafka: {
        brokers: ['127.0.0.1:9092'],
        clientId: 'steward',
        ssl: { enabled: false },
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 1_000,
        maxBytesPerPartition: 262_144,
        partitionsConsumedConcurrently: 4,
      },
      schemaRegistry: { url: 'http://127.0.0.1:8081/apis/ccompat/v7' },
      elasticsearch: { url: 'http://127.0.0.1:9200', indexPrefix: 'steward' },
      postgres: { url: 'postgres://postgres@127.0.0.1:5432/steward', ssl: 'disable', poolMax: 10 },
      redis: { url: 'redis://127.0.0.1:6379', tls: false },
      api: {
        host: '127.0.0.1',
        port: 3000,
        auth: 'open',
        jwt: { roleClaim: 'role' },
        rateLimit: { max: 600, windowMs: 60_000 },
        corsOrigins: [],
      },
      metrics: { port: 9464 },
      scheduler: {
        pollMs: 1_000,
        lateToleranceMs: 300_000,
        catchUpLimit: 10,
        jobs: {},
        clock: { kind: 'system' },
      },
      sweeps: { leaseMs: 60_000 },
      scan: {},
      lineage: { namespaces: {}, graphMaxEdges: 2_000_000 },
      notifier: { maxAttempts: 6, backoffMs: 500, timeoutMs: 5_000 },
    });
  });

  it('should parse an accelerated scheduler clock and job overrides when they are set', () => {
    const config = loadConfig({
      SCHEDULER_CLOCK: 'accelerated',
      SCHEDULER_CLOCK_ORIGIN: '2026-03-28T12:00:00Z',
      SCHEDULER_CLOCK_ANCHOR: '2026-12-03T18:00:00.000Z',
      SCHEDULER_CLOCK_SPEED: '960',
      SCHEDULER_JOBS: '{"kpi-aggregate":{"cron":"30 2 * * *","timeZone":"Europe/Berlin","catchUp":"all"}}',
    });
    assert.deepEqual(config.scheduler.clock, {
      kind: 'accelerated',
      originMs: Date.parse('2026-03-28T12:00:00Z'),
      anchorMs: Date.parse('2026-12-03T18:00:00Z'),
      speed: 960,
    });
    assert.deepEqual(config.scheduler.jobs, {
      'kpi-aggregate': { cron: '30 2 * * *', timeZone: 'Europe/Berlin', catchUp: 'all' },
    });
  });

  it('should name the missing origin and anchor, and refuse malformed job overrides', () => {
    assert.throws(
      () => loadConfig({ SCHEDULER_CLOCK: 'accelerated' }),
      (error: ConfigError) =>
        error.issues.some((i) => i.variable === 'SCHEDULER_CLOCK_ORIGIN') &&
        error.issues.some((i) => i.variable === 'SCHEDULER_CLOCK_ANCHOR'),
    );
    for (const jobs of ['not json', '{"kpi-aggregate":{"catchUp":"sometimes"}}', '{"x":{"unknownField":1}}'])
      assert.throws(
        () => loadConfig({ SCHEDULER_JOBS: jobs }),
        (error: ConfigError) => error.issues.some((i) => i.variable === 'SCHEDULER_JOBS'),
        jobs,
      );
  });

  it('should treat a variable as unset when it is empty', () => {
    assert.deepEqual(loadConfig({ API_PORT: '', KAFKA_SASL_MECHANISM: ' ' }), loadConfig({}));
  });

  it('should ignore unrelated variables when the environment has them', () => {
    assert.deepEqual(loadConfig({ PATH: '/usr/bin', HOME: '/home/steward' }), loadConfig({}));
  });

  it('should parse the kafka group when all kafka variables are set', () => {
    const config = loadConfig({
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9093,[::1]:9094',
      KAFKA_CLIENT_ID: 'steward-catalog',
      KAFKA_SSL: '1',
      KAFKA_SSL_CA_FILE: 'certs/kafka-ca.pem',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'steward',
      KAFKA_SASL_PASSWORD: 'kafka-secret',
      KAFKA_SESSION_TIMEOUT_MS: '30000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '3000',
      KAFKA_MAX_BYTES_PER_PARTITION: '1048576',
      KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY: '8',
    });
    assert.deepEqual(config.kafka, {
      brokers: ['kafka-1:9092', 'kafka-2:9093', '[::1]:9094'],
      clientId: 'steward-catalog',
      ssl: { enabled: true, caFile: 'certs/kafka-ca.pem' },
      sasl: { mechanism: 'scram-sha-512', username: 'steward', password: 'kafka-secret' },
      sessionTimeoutMs: 30_000,
      heartbeatIntervalMs: 3_000,
      maxBytesPerPartition: 1_048_576,
      partitionsConsumedConcurrently: 8,
    });
  });

  it('should accept true, false, 1 and 0 in any case when a boolean is set', () => {
    assert.equal(loadConfig({ KAFKA_SSL: 'TRUE' }).kafka.ssl.enabled, true);
    assert.equal(loadConfig({ KAFKA_SSL: 'false' }).kafka.ssl.enabled, false);
    assert.equal(loadConfig({ REDIS_TLS: '1' }).redis.tls, true);
    assert.equal(loadConfig({ REDIS_TLS: '0' }).redis.tls, false);
  });

  it('should parse the schema registry group when credentials are set', () => {
    const config = loadConfig({
      SCHEMA_REGISTRY_URL: 'https://registry.internal:8443/apis/ccompat/v7',
      SCHEMA_REGISTRY_USERNAME: 'steward',
      SCHEMA_REGISTRY_PASSWORD: 'registry-secret',
    });
    assert.deepEqual(config.schemaRegistry, {
      url: 'https://registry.internal:8443/apis/ccompat/v7',
      auth: { username: 'steward', password: 'registry-secret' },
    });
  });

  it('should parse the elasticsearch group when basic auth is set', () => {
    const config = loadConfig({
      ELASTICSEARCH_URL: 'https://es.internal:9200',
      ELASTICSEARCH_USERNAME: 'elastic',
      ELASTICSEARCH_PASSWORD: 'es-secret',
      ELASTICSEARCH_CA_FILE: 'certs/es-ca.pem',
      ELASTICSEARCH_INDEX_PREFIX: 'steward_prod-1',
    });
    assert.deepEqual(config.elasticsearch, {
      url: 'https://es.internal:9200',
      auth: { username: 'elastic', password: 'es-secret' },
      caFile: 'certs/es-ca.pem',
      indexPrefix: 'steward_prod-1',
    });
  });

  it('should parse the elasticsearch auth as an api key when only the api key is set', () => {
    assert.deepEqual(loadConfig({ ELASTICSEARCH_API_KEY: 'es-api-key' }).elasticsearch.auth, {
      apiKey: 'es-api-key',
    });
  });

  it('should parse the postgres group when all database variables are set', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://steward:pg-secret@db.internal:5433/steward',
      DATABASE_SSL: 'verify-full',
      DATABASE_SSL_CA_FILE: 'certs/pg-ca.pem',
      DATABASE_POOL_MAX: '25',
    });
    assert.deepEqual(config.postgres, {
      url: 'postgresql://steward:pg-secret@db.internal:5433/steward',
      ssl: 'verify-full',
      caFile: 'certs/pg-ca.pem',
      poolMax: 25,
    });
  });

  it('should parse the redis group and imply TLS when the URL is rediss://', () => {
    const config = loadConfig({
      REDIS_URL: 'rediss://redis.internal:6380/2',
      REDIS_PASSWORD: 'redis-secret',
    });
    assert.deepEqual(config.redis, {
      url: 'rediss://redis.internal:6380/2',
      password: 'redis-secret',
      tls: true,
    });
  });

  it('should run the API open only in development on loopback, and refuse open elsewhere by name', () => {
    assert.equal(loadConfig({}).api.auth, 'open');
    assert.equal(loadConfig({ STEWARD_ENV: 'production' }).api.auth, 'required');
    assert.equal(loadConfig({ API_HOST: '0.0.0.0' }).api.auth, 'required');
    assert.throws(
      () => loadConfig({ API_AUTH: 'open', API_HOST: '10.0.0.5' }),
      (error: ConfigError) => error.issues.some((i) => i.variable === 'API_AUTH'),
    );
    assert.throws(
      () => loadConfig({ API_JWT_SECRET: 's'.repeat(32), API_JWKS_URL: 'https://idp.example/jwks' }),
      (error: ConfigError) => error.issues.some((i) => i.variable === 'API_JWKS_URL'),
    );
    assert.throws(
      () => loadConfig({ API_JWT_SECRET: 'short' }),
      (error: ConfigError) =>
        error.issues.some((i) => i.variable === 'API_JWT_SECRET') && !error.message.includes('short'),
    );
    const secret = 'a-32-character-secret-for-hs256!';
    const config = loadConfig({ API_JWT_SECRET: secret, API_JWT_ISSUER: 'idp', API_JWT_ROLE_CLAIM: 'roles' });
    assert.deepEqual(config.api.jwt, { roleClaim: 'roles', secret, issuer: 'idp' });
    assert.ok(!JSON.stringify(redactedConfig(config)).includes(secret));
  });

  it('should parse the api, metrics, log and env settings when they are set', () => {
    const config = loadConfig({
      API_HOST: '0.0.0.0',
      API_PORT: '8080',
      METRICS_PORT: '0',
      LOG_LEVEL: 'debug',
      STEWARD_ENV: 'production',
      API_CORS_ORIGINS: 'https://catalog.example.com, http://localhost:5173',
    });
    assert.deepEqual(config.api, {
      host: '0.0.0.0',
      port: 8080,
      auth: 'required',
      jwt: { roleClaim: 'role' },
      rateLimit: { max: 600, windowMs: 60_000 },
      corsOrigins: ['https://catalog.example.com', 'http://localhost:5173'],
    });
    assert.deepEqual(config.metrics, { port: 0 });
    assert.deepEqual(config.log, { level: 'debug' });
    assert.equal(config.env, 'production');
  });

  it('should report every invalid variable by name in one error when several are invalid', () => {
    const error = configError({ KAFKA_BROKERS: 'kafka-1', API_PORT: '70000', LOG_LEVEL: 'loud' });
    assert.equal(error.name, 'ConfigError');
    assert.equal(error.code, 'STW_CONFIG_INVALID');
    assert.deepEqual(variablesOf(error).sort(), ['API_PORT', 'KAFKA_BROKERS', 'LOG_LEVEL']);
    assert.match(error.message, /^Invalid configuration: /);
    assert.match(error.message, /KAFKA_BROKERS: expected host:port list/);
    assert.match(error.message, /API_PORT: expected an integer 0-65535/);
    assert.match(error.message, /LOG_LEVEL: expected one of /);
  });

  it('should reject malformed values when each kind of variable is invalid', () => {
    const error = configError({
      KAFKA_BROKERS: 'kafka-1:9092,,kafka-2:99999',
      KAFKA_SSL: 'yes',
      KAFKA_SASL_MECHANISM: 'gssapi',
      KAFKA_SESSION_TIMEOUT_MS: '1.5',
      SCHEMA_REGISTRY_URL: 'ftp://registry',
      ELASTICSEARCH_URL: 'not a url',
      ELASTICSEARCH_INDEX_PREFIX: 'Steward',
      DATABASE_SSL: 'prefer',
      DATABASE_POOL_MAX: '0',
      REDIS_URL: 'http://127.0.0.1:6379',
      METRICS_PORT: '-1',
      STEWARD_ENV: 'staging',
    });
    assert.deepEqual(variablesOf(error).sort(), [
      'DATABASE_POOL_MAX',
      'DATABASE_SSL',
      'ELASTICSEARCH_INDEX_PREFIX',
      'ELASTICSEARCH_URL',
      'KAFKA_BROKERS',
      'KAFKA_SASL_MECHANISM',
      'KAFKA_SESSION_TIMEOUT_MS',
      'KAFKA_SSL',
      'METRICS_PORT',
      'REDIS_URL',
      'SCHEMA_REGISTRY_URL',
      'STEWARD_ENV',
    ]);
  });

  it('should never echo a secret when DATABASE_URL is invalid', () => {
    const password = 'hunter2-do-not-log';
    const error = configError({ DATABASE_URL: `mysql://steward:${password}@127.0.0.1:3306/steward` });
    assert.deepEqual(error.issues, [
      { variable: 'DATABASE_URL', problem: 'expected a postgres:// or postgresql:// URL' },
    ]);
    assert.ok(!error.message.includes(password), 'message leaks the password');
    assert.ok(!JSON.stringify(error.issues).includes(password), 'issues leak the password');
    assert.equal(error.cause, undefined);
  });

  it('should report the missing password by name when a SASL mechanism has no password', () => {
    const error = configError({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'steward' });
    assert.deepEqual(error.issues, [
      { variable: 'KAFKA_SASL_PASSWORD', problem: 'required when KAFKA_SASL_MECHANISM is set' },
    ]);
  });

  it('should report the missing mechanism when SASL credentials are set without one', () => {
    const error = configError({ KAFKA_SASL_USERNAME: 'steward', KAFKA_SASL_PASSWORD: 'kafka-secret' });
    assert.deepEqual([...new Set(variablesOf(error))], ['KAFKA_SASL_MECHANISM']);
    assert.ok(!error.message.includes('kafka-secret'));
  });

  it('should report both timeouts when the heartbeat is not lower than the session timeout', () => {
    for (const heartbeat of ['10000', '20000']) {
      const error = configError({
        KAFKA_SESSION_TIMEOUT_MS: '10000',
        KAFKA_HEARTBEAT_INTERVAL_MS: heartbeat,
      });
      assert.deepEqual(variablesOf(error), ['KAFKA_HEARTBEAT_INTERVAL_MS']);
      assert.match(error.message, /KAFKA_HEARTBEAT_INTERVAL_MS: must be lower than KAFKA_SESSION_TIMEOUT_MS/);
    }
  });

  it('should reject the api key when elasticsearch has both an api key and a username', () => {
    const error = configError({
      ELASTICSEARCH_API_KEY: 'es-api-key',
      ELASTICSEARCH_USERNAME: 'elastic',
      ELASTICSEARCH_PASSWORD: 'es-secret',
    });
    assert.deepEqual(error.issues, [
      { variable: 'ELASTICSEARCH_API_KEY', problem: 'not allowed together with ELASTICSEARCH_USERNAME' },
    ]);
  });

  it('should report the missing half when only one of a username and password is set', () => {
    assert.deepEqual(variablesOf(configError({ SCHEMA_REGISTRY_USERNAME: 'steward' })), [
      'SCHEMA_REGISTRY_PASSWORD',
    ]);
    assert.deepEqual(variablesOf(configError({ ELASTICSEARCH_PASSWORD: 'es-secret' })), [
      'ELASTICSEARCH_USERNAME',
    ]);
  });

  it('should report cross-field problems alongside invalid variables when both occur', () => {
    const error = configError({
      API_PORT: 'http',
      KAFKA_SSL: 'yes',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'steward',
      KAFKA_HEARTBEAT_INTERVAL_MS: '20000',
    });
    assert.deepEqual(variablesOf(error).sort(), [
      'API_PORT',
      'KAFKA_HEARTBEAT_INTERVAL_MS',
      'KAFKA_SASL_PASSWORD',
      'KAFKA_SSL',
    ]);
  });

  it('should skip a cross-field rule when a variable it reads is itself invalid', () => {
    const error = configError({ KAFKA_SESSION_TIMEOUT_MS: 'soon', KAFKA_HEARTBEAT_INTERVAL_MS: '20000' });
    assert.deepEqual(variablesOf(error), ['KAFKA_SESSION_TIMEOUT_MS']);
  });

  it('should return a deeply frozen config when parsing succeeds', () => {
    const config = loadConfig({
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
    });
    assert.ok(Object.isFrozen(config));
    assert.throws(() => {
      (config as { env: string }).env = 'production';
    }, TypeError);
    assert.throws(() => {
      (config.api as { port: number }).port = 1;
    }, TypeError);
    assert.throws(() => {
      (config.kafka.sasl as { password: string }).password = 'changed';
    }, TypeError);
    assert.throws(() => {
      (config.kafka.brokers as string[]).push('127.0.0.1:9093');
    }, TypeError);
  });
});

describe('redactedConfig', () => {
  it('should hide the DATABASE_URL password and the SASL password when both are set', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://steward:pg-secret@127.0.0.1:5432/steward',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'steward',
      KAFKA_SASL_PASSWORD: 'kafka-secret',
    });
    const redacted = redactedConfig(config);
    assert.equal(redacted.postgres.url, 'postgres://steward:[redacted]@127.0.0.1:5432/steward');
    assert.deepEqual(redacted.kafka.sasl, {
      mechanism: 'plain',
      username: 'steward',
      password: '[redacted]',
    });
    assert.equal(config.kafka.sasl?.password, 'kafka-secret', 'the original config is left intact');
  });

  it('should leave no secret in the logged output when every secret is set', () => {
    const secrets = {
      KAFKA_SASL_PASSWORD: 'secret-kafka',
      SCHEMA_REGISTRY_PASSWORD: 'secret-registry',
      ELASTICSEARCH_API_KEY: 'secret-es-key',
      DATABASE_URL: 'postgres://steward:secret-pg@127.0.0.1:5432/steward?sslpassword=secret-pg-key',
      REDIS_URL: 'redis://:secret-redis-url@127.0.0.1:6379',
      REDIS_PASSWORD: 'secret-redis',
      SCHEMA_REGISTRY_URL: 'http://registry:secret-registry-url@127.0.0.1:8081/apis/ccompat/v7',
      ELASTICSEARCH_URL: 'http://elastic:secret-es-url@127.0.0.1:9200',
    };
    const logged = JSON.stringify(
      redactedConfig(
        loadConfig({
          ...secrets,
          KAFKA_SASL_MECHANISM: 'plain',
          KAFKA_SASL_USERNAME: 'steward',
          SCHEMA_REGISTRY_USERNAME: 'steward',
        }),
      ),
    );
    assert.doesNotMatch(logged, /secret-/);
    assert.match(logged, /"apiKey":"\[redacted\]"/);
    assert.match(logged, /redis:\/\/:\[redacted\]@127\.0\.0\.1:6379/);
  });

  it('should keep the config unchanged when it holds no secret', () => {
    const config = loadConfig({});
    assert.deepEqual(redactedConfig(config), config);
  });
});
