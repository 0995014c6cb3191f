import { day, mebibyte, type TopicDeclaration } from '../src/domain/topic.ts';
import { eventLog } from './settings.ts';

export const alerts: TopicDeclaration = {
  name: 'steward.alerts.v1',
  description: 'Violation transitions (opened, escalated, resolved), one deterministic id per transition.',
  partitions: 6,
  replicationFactor: 3,
  config: eventLog(14 * day, mebibyte),
  key: 'urn',
  value: { format: 'pending', definedBy: 'the quality/compliance issue (violations and notifier)' },
  writers: ['compliance'],
  readers: ['notifier'],
};
