import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import { prepareIndexer } from '../../src/adapters/elasticsearch/asset-index.ts';
import { migrate } from '../../src/adapters/postgres/migrate.ts';
import { dependencyChecks } from '../../src/adapters/readiness.ts';
import { createRegistry, registerValueSchema } from '../../src/adapters/registry.ts';
import { loadConfig } from '../../src/config.ts';
import { runDoctor, type Finding } from '../../src/doctor/doctor.ts';
import { valueSubject, type TopicDeclaration } from '../../src/domain/topic.ts';
import { changes, commands } from '../../topics/index.ts';
import { assetIndexFor } from '../helpers/catalog.ts';
import { deleteSubject, endpoints, kafkaFor, postgresSchemaFor, uniqueName } from '../helpers/services.ts';

/**
 * `steward doctor` against the real stack: a healthy set-up passes, and each broken piece (migrations not
 * applied, a topic missing, a schema not registered, the index missing) fails with its fix.
 */
test('doctor should pass a healthy set-up and name the fix for each broken piece', async (t) => {
  const { pool, schema } = await postgresSchemaFor(t);
  const { client, prefix } = assetIndexFor(t);
  const kafka = kafkaFor(t);
  const present: TopicDeclaration = { ...changes, name: await kafka.topic(changes.partitions) };
  const missing: TopicDeclaration = { ...commands, name: uniqueName('test.missing') };
  t.after(() => deleteSubject(valueSubject(present)));
  const e = endpoints();
  const config = loadConfig({
    KAFKA_BROKERS: e.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: e.schemaRegistryUrl,
    ELASTICSEARCH_URL: e.elasticsearchUrl,
    ELASTICSEARCH_INDEX_PREFIX: prefix,
    DATABASE_URL: `${e.databaseUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    REDIS_URL: e.redisUrl,
  });
  const dependencies = dependencyChecks(config);
  t.after(() => dependencies.close());
  const admin = kafka.kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const es = new Client({ node: e.elasticsearchUrl });
  t.after(() => es.close());
  const run = (topics: readonly TopicDeclaration[]): Promise<Finding[]> =>
    runDoctor({
      config,
      reachability: dependencies.checks,
      admin,
      pool,
      elasticsearch: es,
      registry: async (path, body) => {
        const response = await fetch(`${e.schemaRegistryUrl}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
        return { status: response.status, body: await response.json() };
      },
      topics,
    });
  const verdictOf = (findings: readonly Finding[], check: string): Finding =>
    findings.find((f) => f.check === check) ?? assert.fail(`no check ${check}`);

  const broken = await run([present, missing]);
  for (const name of ['kafka', 'schemaRegistry', 'elasticsearch', 'postgres', 'redis'])
    assert.equal(verdictOf(broken, `${name} reachable`).verdict, 'ok', name);
  assert.match(verdictOf(broken, 'migrations applied').fix ?? '', /steward migrate/);
  // Created with the broker's defaults, not the declared settings: drift, fixed by topics apply.
  assert.deepEqual(
    [verdictOf(broken, `topic ${present.name}`).verdict, verdictOf(broken, `topic ${present.name}`).fix],
    ['warn', 'steward topics apply'],
  );
  assert.deepEqual(
    [verdictOf(broken, `topic ${missing.name}`).verdict, verdictOf(broken, `topic ${missing.name}`).fix],
    ['fail', 'steward topics apply'],
  );
  assert.equal(verdictOf(broken, `schema ${valueSubject(present)}`).verdict, 'fail');
  assert.match(verdictOf(broken, `index ${prefix}-assets`).fix ?? '', /steward start/);

  await migrate({ databaseUrl: e.databaseUrl, schema });
  await registerValueSchema(createRegistry({ url: e.schemaRegistryUrl }), present);
  await prepareIndexer(client, prefix);
  const healthy = await run([present]);
  const problems = healthy.filter((f) => f.verdict === 'fail');
  assert.deepEqual(problems, [], JSON.stringify(problems));
  assert.equal(verdictOf(healthy, `schema ${valueSubject(present)}`).detail, 'registered as declared');
});
