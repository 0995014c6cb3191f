import type { AvroSchema } from '../../src/domain/topic.ts';
import { labels, optional } from './fields.ts';

/**
 * An asset's current state after metadata-sync merged a change: the value of the compacted assets topic,
 * keyed by URN (when the asset is deleted: its deleted state, then a tombstone). Profiles carry statistics only, never sample
 * values. Every optional field is `["null", T]` with a null default, so the schema can evolve BACKWARD.
 */
export const assetStateSchema: AvroSchema = {
  type: 'record',
  name: 'AssetState',
  namespace: 'steward.v1',
  fields: [
    { name: 'urn', type: 'string' },
    { name: 'revision', type: 'long', doc: 'per-asset revision: +1 on every merge that changed it' },
    { name: 'deleted', type: 'boolean' },
    { name: 'placeholder', type: 'boolean', doc: 'known only from lineage: no change event merged yet' },
    { name: 'platform', type: 'string' },
    { name: 'instance', type: 'string' },
    { name: 'type', type: 'string', doc: 'table, view, materialized_view, topic, file or dataset' },
    { name: 'name', type: 'string' },
    { name: 'qualifiedName', type: 'string' },
    optional('description', 'string'),
    { name: 'owners', type: labels, doc: "stewards' curated owners, else the reported ones" },
    { name: 'tags', type: labels },
    {
      name: 'columns',
      doc: 'in the contract order; empty when none were ever reported',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Column',
          fields: [
            { name: 'name', type: 'string' },
            { name: 'type', type: 'string' },
            optional('nullable', 'boolean'),
            optional('description', 'string'),
            { name: 'tags', type: labels },
            optional('ordinal', 'int'),
            optional('primaryKey', 'boolean'),
            optional('unique', 'boolean'),
          ],
        },
      },
    },
    optional('schemaVersion', 'int', 'the schema_versions version of these columns'),
    optional('schemaFingerprint', 'string'),
    optional('lastModifiedAt', 'string', "ISO-8601 instant the source last changed the asset's data"),
    optional(
      'profile',
      {
        type: 'record',
        name: 'ProfileStatistics',
        fields: [
          optional('rowCount', 'long'),
          { name: 'profiledAt', type: 'string', doc: 'ISO-8601 instant' },
          optional('sampleSize', 'long'),
          {
            name: 'columns',
            type: {
              type: 'array',
              items: {
                type: 'record',
                name: 'ColumnStatistics',
                fields: [
                  { name: 'name', type: 'string' },
                  optional('nullCount', 'long'),
                  optional('distinctCount', 'long'),
                  optional('min', 'string'),
                  optional('max', 'string'),
                  { name: 'valueType', type: 'string' },
                ],
              },
            },
          },
        ],
      },
      'statistics only: sample values never leave the changes topic',
    ),
    { name: 'updatedAt', type: 'string', doc: "the newest aspect stamp's occurredAt" },
    {
      name: 'stale',
      type: 'boolean',
      default: false,
      doc: 'its source has not reported it within the expected interval (metadata-resync)',
    },
  ],
};
