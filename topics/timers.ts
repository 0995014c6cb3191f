import { day, mebibyte, type TopicDeclaration } from '../src/domain/topic.ts';
import { tickSchema } from './schemas/tick.ts';

export const timers: TopicDeclaration = {
  name: 'steward.timers.v1',
  description:
    'Scheduler ticks, keyed by job: a (job, slot) takes effect once however many schedulers publish it.',
  partitions: 3,
  replicationFactor: 3,
  config: {
    'cleanup.policy': 'delete',
    'retention.ms': 7 * day,
    'max.message.bytes': mebibyte,
    'min.insync.replicas': 2,
  },
  key: 'job',
  value: { format: 'avro', schema: tickSchema },
  writers: ['scheduler'],
  readers: ['sweeps'],
};
