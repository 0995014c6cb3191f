import { day, mebibyte, type TopicDeclaration } from '../src/domain/topic.ts';

export const assets: TopicDeclaration = {
  name: 'steward.assets.v1',
  description:
    "Each asset's current state after metadata-sync merged a change (no sample values); a tombstone when deleted.",
  partitions: 12,
  replicationFactor: 3,
  config: {
    'cleanup.policy': 'compact',
    'retention.ms': -1,
    'max.message.bytes': 2 * mebibyte,
    'min.compaction.lag.ms': 60_000,
    'delete.retention.ms': day,
    'min.insync.replicas': 2,
  },
  key: 'urn',
  value: { format: 'pending', definedBy: 'the catalog issue (metadata-sync)' },
  writers: ['metadata-sync'],
  readers: ['indexer', 'quality', 'compliance'],
};
