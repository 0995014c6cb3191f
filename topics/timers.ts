import { day, mebibyte, type TopicDeclaration } from '../src/domain/topic.ts';
import { eventLog } from './settings.ts';
import { tickSchema } from './schemas/tick.ts';

export const timers: TopicDeclaration = {
  name: 'steward.timers.v1',
  description:
    'Scheduler ticks, keyed by job: a (job, slot) takes effect once however many schedulers publish it.',
  partitions: 3,
  replicationFactor: 3,
  config: eventLog(7 * day, mebibyte),
  key: 'job',
  value: { format: 'avro', schema: tickSchema },
  writers: ['scheduler'],
  readers: ['sweeps'],
};
