import { day, mebibyte, type TopicDeclaration } from '../src/domain/topic.ts';
import { eventLog } from './settings.ts';
import { alertSchema } from './schemas/alert.ts';

export const alerts: TopicDeclaration = {
  name: 'steward.alerts.v1',
  description:
    'Violation transitions (opened, resolved, severity-changed, escalated) and upstream-breaking-change notices for downstream owners, one deterministic id each.',
  partitions: 6,
  replicationFactor: 3,
  config: eventLog(14 * day, mebibyte),
  key: 'urn',
  value: { format: 'avro', schema: alertSchema },
  writers: ['compliance'],
  readers: ['notifier'],
};
