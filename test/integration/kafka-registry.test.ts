import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { deleteSubject, kafkaFor, registryClient, uniqueName } from '../helpers/services.ts';

const schemaFor = (name: string): string =>
  JSON.stringify({
    type: 'record',
    name,
    namespace: 'steward.test',
    fields: [
      { name: 'id', type: 'string' },
      { name: 'count', type: 'long' },
      { name: 'note', type: ['null', 'string'], default: null },
    ],
  });

test('kafka and the registry should round-trip an Avro record registered under <topic>-value', async (t) => {
  const kafka = kafkaFor(t);
  const topic = await kafka.topic();
  const registry = registryClient();
  const subject = `${topic}-value`;
  t.after(() => deleteSubject(subject));

  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: schemaFor(uniqueName('Smoke')) },
    { subject },
  );
  const sent = { id: 'evt-1', count: 42, note: 'hello' };
  const producer = await kafka.producer({ idempotent: true });
  await producer.send({ topic, messages: [{ key: 'urn:1', value: await registry.encode(id, sent) }] });

  const consumer = await kafka.consumer();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received = await new Promise<{ key: string; value: unknown }>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          if (!message.value) return reject(new Error('empty message'));
          resolve({ key: message.key?.toString() ?? '', value: await registry.decode(message.value) });
        },
      })
      .catch(reject);
  });
  assert.equal(received.key, 'urn:1');
  // avsc decodes into an instance of a generated record class; compare the fields.
  assert.deepEqual({ ...(received.value as object) }, sent);
  // Confluent wire format: magic byte 0, then the 4-byte schema id.
  const encoded = await registry.encode(id, sent);
  assert.equal(encoded[0], 0);
  assert.equal(encoded.readInt32BE(1), id);
});

test('the registry should reject a BACKWARD-incompatible schema for an existing subject', async (t) => {
  const registry = registryClient();
  const subject = `${uniqueName('test.compat')}-value`;
  t.after(() => deleteSubject(subject));
  const name = uniqueName('Compat');
  await registry.register({ type: SchemaType.AVRO, schema: schemaFor(name) }, { subject });
  const incompatible = JSON.stringify({
    type: 'record',
    name,
    namespace: 'steward.test',
    fields: [{ name: 'required_new', type: 'string' }],
  });
  await assert.rejects(registry.register({ type: SchemaType.AVRO, schema: incompatible }, { subject }));
});
