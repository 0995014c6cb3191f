import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EndpointError,
  resolveEndpoints,
  testVariables,
  type Endpoints,
  type Probes,
} from '../../helpers/endpoints.ts';

const local: Endpoints = {
  kafkaBrokers: ['127.0.0.1:9092'],
  schemaRegistryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
  elasticsearchUrl: 'http://127.0.0.1:9200',
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/steward_test',
  redisUrl: 'redis://127.0.0.1:6379',
};
const containers: Endpoints = {
  ...local,
  kafkaBrokers: ['localhost:39092'],
  elasticsearchUrl: 'http://localhost:32768',
};

/** Probes that record what was asked, so the order of resolution is visible. */
function probes(available: { stack: boolean; docker: boolean }): Probes & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    localStackAvailable: () => (calls.push('stack?'), Promise.resolve(available.stack)),
    startLocalStack: () => (calls.push('stack up'), Promise.resolve(local)),
    dockerAvailable: () => (calls.push('docker?'), Promise.resolve(available.docker)),
    startContainers: () => (calls.push('containers up'), Promise.resolve(containers)),
  };
}

const envFor = (endpoints: Endpoints): NodeJS.ProcessEnv => ({
  [testVariables.kafkaBrokers]: endpoints.kafkaBrokers.join(','),
  [testVariables.schemaRegistryUrl]: endpoints.schemaRegistryUrl,
  [testVariables.elasticsearchUrl]: endpoints.elasticsearchUrl,
  [testVariables.databaseUrl]: endpoints.databaseUrl,
  [testVariables.redisUrl]: endpoints.redisUrl,
});

describe('resolveEndpoints', () => {
  it('should use STEWARD_TEST_* variables first and start nothing when they are set', async () => {
    const p = probes({ stack: true, docker: true });
    const resolved = await resolveEndpoints(envFor({ ...local, kafkaBrokers: ['127.0.0.2:19092'] }), p);
    assert.equal(resolved.source, 'env');
    assert.deepEqual(resolved.endpoints.kafkaBrokers, ['127.0.0.2:19092']);
    assert.deepEqual(p.calls, []);
  });

  it('should start the local stack when no variables are set and Java and Maven are there', async () => {
    const p = probes({ stack: true, docker: true });
    const resolved = await resolveEndpoints({}, p);
    assert.equal(resolved.source, 'local-stack');
    assert.deepEqual(p.calls, ['stack?', 'stack up']);
  });

  it('should fall back to testcontainers when the local stack cannot run and Docker can', async () => {
    const p = probes({ stack: false, docker: true });
    const resolved = await resolveEndpoints({}, p);
    assert.equal(resolved.source, 'testcontainers');
    assert.deepEqual(resolved.endpoints, containers);
    assert.deepEqual(p.calls, ['stack?', 'docker?', 'containers up']);
  });

  it('should fail loudly, not skip, when nothing can provide the servers', async () => {
    const p = probes({ stack: false, docker: false });
    await assert.rejects(resolveEndpoints({}, p), (error: Error) => {
      assert.ok(error instanceof EndpointError);
      assert.match(error.message, /no test endpoints/);
      return true;
    });
  });

  it('should name the missing variables when only some are set', async () => {
    const env = { ...envFor(local), [testVariables.redisUrl]: '' };
    await assert.rejects(
      resolveEndpoints(env, probes({ stack: true, docker: true })),
      /STEWARD_TEST_REDIS_URL/,
    );
  });

  it('should refuse a non-loopback endpoint unless STEWARD_TEST_ALLOW_REMOTE=1', async () => {
    const env = envFor({ ...local, elasticsearchUrl: 'https://search.prod.example.com:9200' });
    await assert.rejects(
      resolveEndpoints(env, probes({ stack: true, docker: true })),
      /search\.prod\.example\.com/,
    );
    const allowed = await resolveEndpoints(
      { ...env, STEWARD_TEST_ALLOW_REMOTE: '1' },
      probes({ stack: true, docker: true }),
    );
    assert.equal(allowed.endpoints.elasticsearchUrl, 'https://search.prod.example.com:9200');
  });

  it('should treat a remote Kafka broker given as host:port as non-loopback', async () => {
    const env = envFor({ ...local, kafkaBrokers: ['127.0.0.1:9092', 'kafka-1.internal:9092'] });
    await assert.rejects(resolveEndpoints(env, probes({ stack: true, docker: true })), /kafka-1\.internal/);
  });

  it('should accept localhost, 127.x.y.z and [::1] as loopback', async () => {
    const env = envFor({
      ...local,
      kafkaBrokers: ['localhost:9092', '[::1]:9092'],
      redisUrl: 'redis://127.0.0.5:6379',
      databaseUrl: 'postgres://u:p@[::1]:5432/x',
    });
    const resolved = await resolveEndpoints(env, probes({ stack: false, docker: false }));
    assert.equal(resolved.source, 'env');
  });
});
