import { day, mebibyte, type TopicDeclaration } from '../src/domain/topic.ts';

export const quality: TopicDeclaration = {
  name: 'steward.quality.v1',
  description: "Each asset's latest quality scores (dimensions and overall), derived evidence only.",
  partitions: 12,
  replicationFactor: 3,
  config: {
    'cleanup.policy': 'compact',
    'retention.ms': -1,
    'max.message.bytes': mebibyte,
    'min.compaction.lag.ms': 60_000,
    'delete.retention.ms': day,
    'min.insync.replicas': 2,
  },
  key: 'urn',
  value: { format: 'pending', definedBy: 'the quality/compliance issue' },
  writers: ['quality'],
  readers: ['indexer'],
};
