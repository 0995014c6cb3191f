import type { AvroSchema } from '../../src/domain/topic.ts';
import { optional } from './fields.ts';

const dimension = (name: string) => optional(name, 'double');

/** An asset's latest quality score (processors/quality/result.ts): scores only, never a sample. */
export const qualityResultSchema: AvroSchema = {
  type: 'record',
  name: 'QualityResult',
  namespace: 'steward.v1',
  fields: [
    { name: 'urn', type: 'string' },
    { name: 'revision', type: 'long', doc: "quality's revision of the asset: +1 on every change" },
    { name: 'deleted', type: 'boolean' },
    optional('score', 'double', 'overall 0–100; null when nothing could be measured'),
    optional('band', 'string', 'healthy (≥ 90), at_risk (≥ 75) or critical'),
    {
      name: 'dimensions',
      type: {
        type: 'record',
        name: 'Dimensions',
        fields: ['completeness', 'uniqueness', 'validity', 'freshness', 'volume'].map(dimension),
      },
    },
    {
      name: 'columns',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'ColumnScore',
          fields: [
            { name: 'name', type: 'string' },
            ...['completeness', 'uniqueness', 'validity'].map(dimension),
          ],
        },
      },
    },
    {
      name: 'freshnessFrom',
      type: 'string',
      doc: 'source (its own modification time) or profile (fallback)',
    },
    { name: 'expectedIntervalMs', type: 'long' },
    { name: 'volumeAnomaly', type: 'boolean' },
    optional('volumeZ', 'double'),
    optional('rowCount', 'long'),
    optional('profiledAt', 'string'),
    { name: 'scoredAt', type: 'string', doc: 'ISO-8601 instant the score was computed for' },
  ],
};
