import { mebibyte, type TopicDeclaration } from '../src/domain/topic.ts';
import { compactedState } from './settings.ts';
import { assetStateSchema } from './schemas/asset-state.ts';

export const assets: TopicDeclaration = {
  name: 'steward.assets.v1',
  description:
    "Each asset's current state after metadata-sync merged a change (no sample values); when deleted, the deleted state with its revision, then a tombstone.",
  partitions: 12,
  replicationFactor: 3,
  config: compactedState(2 * mebibyte),
  key: 'urn',
  value: { format: 'avro', schema: assetStateSchema },
  writers: ['metadata-sync'],
  readers: ['indexer', 'quality', 'compliance'],
};
