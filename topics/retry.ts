import { day, mebibyte, type TopicDeclaration } from '../src/domain/topic.ts';
import { eventLog } from './settings.ts';

/**
 * The per-group retry path: `steward dlq replay --group g` re-delivers dead letters here with a header
 * naming group g; every processor also consumes this topic and takes only the records addressed to its
 * own group, so a replay reaches exactly the consumer group that failed.
 */
export const retry: TopicDeclaration = {
  name: 'steward.retry.v1',
  description: 'Dead letters replayed to the consumer group that failed, as their original bytes.',
  partitions: 12,
  replicationFactor: 3,
  config: eventLog(7 * day, 8 * mebibyte),
  key: 'original',
  value: { format: 'raw' },
  writers: ['steward dlq replay'],
  readers: ['every processor'],
};
