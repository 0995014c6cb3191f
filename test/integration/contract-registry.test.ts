import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { fromAvro, toAvro } from '../../src/contract/avro.ts';
import { generatedArtifacts } from '../../src/contract/artifacts.ts';
import { validateChangeEvent } from '../../src/domain/change-event.ts';
import { projectRoot } from '../../src/paths.ts';
import { deleteEvent, fullUpsertEvent, profileEvent } from '../fixtures/change-events.ts';
import { deleteSubject, registryClient, uniqueName } from '../helpers/services.ts';

// Real: the schema registry (Apicurio, ccompat API). Nothing is mocked.

/** The committed .avsc file, as producers and `steward topics apply` will register it. */
function committedAvroSchema(): string {
  const artifact = generatedArtifacts().find((candidate) => candidate.path.endsWith('.avsc'));
  assert.ok(artifact, 'no .avsc artifact is generated');
  return readFileSync(join(projectRoot(), artifact.path), 'utf8');
}

test('the registry should accept the generated change-event schema and round-trip every kind of event', async (t) => {
  const subject = `${uniqueName('test.changes')}-value`;
  t.after(() => deleteSubject(subject));
  const schema = committedAvroSchema();

  const { id } = await registryClient().register({ type: SchemaType.AVRO, schema }, { subject });
  const again = await registryClient().register({ type: SchemaType.AVRO, schema }, { subject });
  assert.equal(again.id, id, 'registering the same schema again is idempotent');

  for (const event of [fullUpsertEvent(), profileEvent(), deleteEvent()]) {
    const bytes = await registryClient().encode(id, toAvro(event));
    assert.equal(bytes[0], 0, 'Confluent wire format: magic byte 0');
    assert.equal(bytes.readInt32BE(1), id);
    // A fresh client knows nothing of the schema: it fetches it by the id in the bytes.
    const decoded: unknown = await registryClient().decode(bytes);
    const back = fromAvro(decoded);
    assert.deepEqual(back, event, `${event.kind} event`);
    assert.deepEqual(validateChangeEvent(back), { ok: true, event: back });
  }
});

test('the registry should refuse to encode an event whose required field is missing', async (t) => {
  const subject = `${uniqueName('test.changes')}-value`;
  t.after(() => deleteSubject(subject));
  const { id } = await registryClient().register(
    { type: SchemaType.AVRO, schema: committedAvroSchema() },
    { subject },
  );
  const record = toAvro(deleteEvent());
  await registryClient().encode(id, record);
  delete record.occurredAt;
  await assert.rejects(
    registryClient().encode(id, record),
    // ConfluentSchemaRegistryValidationError (not exported by the package) lists the invalid paths.
    (error) =>
      error instanceof Error && 'paths' in error && JSON.stringify(error.paths) === '[["occurredAt"]]',
  );
});
