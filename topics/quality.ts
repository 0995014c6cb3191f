import { mebibyte, type TopicDeclaration } from '../src/domain/topic.ts';
import { compactedState } from './settings.ts';
import { qualityResultSchema } from './schemas/quality-result.ts';

export const quality: TopicDeclaration = {
  name: 'steward.quality.v1',
  description: "Each asset's latest quality scores (dimensions and overall), derived evidence only.",
  partitions: 12,
  replicationFactor: 3,
  config: compactedState(mebibyte),
  key: 'urn',
  value: { format: 'avro', schema: qualityResultSchema },
  writers: ['quality'],
  readers: ['indexer'],
};
