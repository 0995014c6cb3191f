import { day, mebibyte, type TopicDeclaration } from '../src/domain/topic.ts';

export const alerts: TopicDeclaration = {
  name: 'steward.alerts.v1',
  description: 'Violation transitions (opened, escalated, resolved), one deterministic id per transition.',
  partitions: 6,
  replicationFactor: 3,
  config: {
    'cleanup.policy': 'delete',
    'retention.ms': 14 * day,
    'max.message.bytes': mebibyte,
    'min.insync.replicas': 2,
  },
  key: 'urn',
  value: { format: 'pending', definedBy: 'the quality/compliance issue (violations and notifier)' },
  writers: ['compliance'],
  readers: ['notifier'],
};
