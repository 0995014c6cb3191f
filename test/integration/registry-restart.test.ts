import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { localStack, up } from '../../src/stack/stack.ts';
import { ownedPid, stopProcess } from '../../src/stack/processes.ts';
import { deleteSubject, endpoints, kafkaFor, uniqueName } from '../helpers/services.ts';

const fromLocalStack = process.env['STEWARD_TEST_SOURCE'] === 'local-stack';

test(
  'records written before a registry restart should decode after it (schema ids persist in PostgreSQL)',
  { skip: fromLocalStack ? false : 'needs the local stack: this test restarts the registry process' },
  async (t) => {
    const kafka = kafkaFor(t);
    const topic = await kafka.topic();
    const subject = `${topic}-value`;
    t.after(() => deleteSubject(subject));
    const schema = JSON.stringify({
      type: 'record',
      name: uniqueName('Restart'),
      fields: [{ name: 'n', type: 'int' }],
    });
    const before = new SchemaRegistry({ host: endpoints().schemaRegistryUrl });
    const { id } = await before.register({ type: SchemaType.AVRO, schema }, { subject });
    const producer = await kafka.producer();
    await producer.send({
      topic,
      messages: await Promise.all([1, 2, 3].map(async (n) => ({ value: await before.encode(id, { n }) }))),
    });

    const stack = localStack();
    const registry = stack.services.find((s) => s.name === 'registry');
    assert.ok(registry);
    const pid = ownedPid(registry.layout.pidFile, registry.marker);
    assert.ok(pid, 'the registry runs from the local stack');
    await stopProcess(pid, registry.stopGraceMs);
    await up(stack, () => undefined);
    assert.notEqual(ownedPid(registry.layout.pidFile, registry.marker), pid, 'a new registry process');

    // A fresh client has no cached schemas: every decode asks the restarted registry for the id.
    const after = new SchemaRegistry({ host: endpoints().schemaRegistryUrl });
    const consumer = await kafka.consumer();
    await consumer.subscribe({ topic, fromBeginning: true });
    const decoded: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            if (!message.value) return;
            decoded.push({ ...((await after.decode(message.value)) as object) });
            if (decoded.length === 3) resolve();
          },
        })
        .catch(reject);
    });
    assert.deepEqual(decoded, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    assert.equal(await after.getLatestSchemaId(subject), id);
  },
);
