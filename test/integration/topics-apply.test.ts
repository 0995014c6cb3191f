import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { applyTopics } from '../../src/adapters/topics-admin.ts';
import { valueSubject, type TopicDeclaration } from '../../src/domain/topic.ts';
import { changes, dlq, retry } from '../../topics/index.ts';
import { deleteSubject, kafkaFor, registryClient, uniqueName } from '../helpers/services.ts';

const { ConfigResourceTypes } = kafkajs;

test('topics apply should create, converge and never shrink declared topics, registering their schemas', async (t) => {
  const { kafka } = kafkaFor(t);
  const admin = kafka.admin();
  await admin.connect();
  const declared: TopicDeclaration[] = [changes, dlq, retry].map((topic) => ({
    ...topic,
    name: uniqueName('test.apply'),
  }));
  t.after(async () => {
    await admin.deleteTopics({ topics: declared.map((d) => d.name) }).catch(() => undefined);
    for (const d of declared) await deleteSubject(valueSubject(d));
    await admin.disconnect();
  });
  const registry = registryClient();
  const [input, letters, retries] = declared as [TopicDeclaration, TopicDeclaration, TopicDeclaration];

  const first = await applyTopics(admin, registry, declared);
  assert.deepEqual(
    first.map((r) => r.actions),
    [['created'], ['created'], ['created']],
  );
  assert.ok(first[0]?.schemaId, 'the Avro value schema is registered');
  assert.equal(first[2]?.schemaId, undefined, 'raw topics register nothing');
  assert.equal(await registry.getLatestSchemaId(valueSubject(input)), first[0]?.schemaId);

  const [metadata] = (await admin.fetchTopicMetadata({ topics: [input.name] })).topics;
  assert.equal(metadata?.partitions.length, input.partitions);
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: input.name }],
  });
  const entries = new Map(configs.resources[0]?.configEntries.map((e) => [e.configName, e.configValue]));
  assert.equal(entries.get('retention.ms'), String(input.config['retention.ms']));
  assert.equal(entries.get('max.message.bytes'), String(input.config['max.message.bytes']));
  assert.equal(entries.get('min.insync.replicas'), '1', 'capped at the single local broker');

  const again = await applyTopics(admin, registry, declared);
  assert.deepEqual(
    again.map((r) => r.actions),
    [['unchanged'], ['unchanged'], ['unchanged']],
  );
  assert.equal(again[0]?.schemaId, first[0]?.schemaId, 'the same schema keeps its id');

  const changed = await applyTopics(admin, registry, [
    { ...input, partitions: input.partitions + 2, config: { ...input.config, 'retention.ms': 3_600_000 } },
    { ...letters, partitions: letters.partitions - 1 },
    retries,
  ]);
  assert.deepEqual(changed[0]?.actions, ['partitions-added', 'config-updated']);
  assert.deepEqual(changed[1]?.actions, ['refused']);
  assert.match(changed[1]?.detail ?? '', /never decreased/);
  const [grown] = (await admin.fetchTopicMetadata({ topics: [input.name] })).topics;
  assert.equal(grown?.partitions.length, input.partitions + 2);
  const [shrunk] = (await admin.fetchTopicMetadata({ topics: [letters.name] })).topics;
  assert.equal(shrunk?.partitions.length, letters.partitions, 'the refused topic kept its partitions');
});
