import { changes } from '../../topics/changes.ts';
import { assetIndexTemplate } from '../adapters/elasticsearch/asset-index.ts';
import { ChangeEventSchema } from '../domain/change-event.ts';
import { valueSubject } from '../domain/topic.ts';
import { changeEventAvroSchema } from './avro-schemas.ts';
import { formatJson } from './json-format.ts';
import { plainJsonSchema, type JsonSchema } from './json-schema.ts';
import { PolicySchema } from '../domain/policy.ts';

/** A generated file: its path relative to the project root and its exact content. */
export interface Artifact {
  readonly path: string;
  readonly content: string;
}

export const CHANGE_EVENT_SCHEMA_ID = 'https://steward.dev/schemas/change-event.schema.json';

/** The contract as a standalone JSON Schema document, for producers that validate before they send. */
export function changeEventJsonSchema(): JsonSchema {
  // The root's title names the Avro record; the document gets a title for people instead.
  const schema = Object.entries(plainJsonSchema(ChangeEventSchema)).filter(
    ([keyword]) => keyword !== 'title',
  );
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: CHANGE_EVENT_SCHEMA_ID,
    title: 'Steward change event',
    $comment:
      'Generated from src/domain/change-event.ts by npm run generate; do not edit. Cross-field rules ' +
      '(canonical URN agreeing with source, profile required when kind is "profile" and absent on "delete", ' +
      'unique columns, min/max per valueType, total sample size) are checked by validateChangeEvent.',
    ...Object.fromEntries(schema),
  };
}

/** The policy schema (src/domain/policy.ts) as a JSON Schema, for policy authors. */
export function policyJsonSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://steward.dev/schemas/policy.schema.json',
    $comment: 'Generated from src/domain/policy.ts by npm run generate; do not edit.',
    ...plainJsonSchema(PolicySchema),
  };
}

/** Every generated artifact, committed and checked for drift in CI (`npm run check:drift`). */
export function generatedArtifacts(): readonly Artifact[] {
  return [
    { path: `topics/schemas/${valueSubject(changes)}.avsc`, content: formatJson(changeEventAvroSchema) },
    { path: 'schemas/change-event.schema.json', content: formatJson(changeEventJsonSchema()) },
    { path: 'schemas/policy.schema.json', content: formatJson(policyJsonSchema()) },
    // The asset index template as `steward start` installs it (prefix `steward`; other prefixes differ
    // only in the index pattern): reviewable as a file, and a mapping change shows up in the diff.
    {
      path: 'schemas/elasticsearch/steward-assets.index-template.json',
      content: formatJson(assetIndexTemplate('steward')),
    },
  ];
}
