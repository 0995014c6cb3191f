import { day, mebibyte, type TopicDeclaration } from '../src/domain/topic.ts';

export const compliance: TopicDeclaration = {
  name: 'steward.compliance.v1',
  description: "Each asset's column classes with confidence and evidence, and its open violations.",
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
  writers: ['compliance'],
  readers: ['quality', 'indexer'],
};
