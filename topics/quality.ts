import { mebibyte, type TopicDeclaration } from '../src/domain/topic.ts';
import { compactedState } from './settings.ts';

export const quality: TopicDeclaration = {
  name: 'steward.quality.v1',
  description: "Each asset's latest quality scores (dimensions and overall), derived evidence only.",
  partitions: 12,
  replicationFactor: 3,
  config: compactedState(mebibyte),
  key: 'urn',
  value: { format: 'pending', definedBy: 'the quality/compliance issue' },
  writers: ['quality'],
  readers: ['indexer'],
};
