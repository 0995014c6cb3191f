import { day, mebibyte, type TopicDeclaration } from '../src/domain/topic.ts';
import { eventLog } from './settings.ts';
import { deadLetterSchema } from './schemas/dead-letter.ts';

/** Its max message size is above every input topic's, so any original fits with its metadata. */
export const dlq: TopicDeclaration = {
  name: 'steward.dlq.v1',
  description:
    'Records a consumer group could not process: original bytes, source position, group and error.',
  partitions: 3,
  replicationFactor: 3,
  config: eventLog(7 * day, 8 * mebibyte),
  key: 'original',
  value: { format: 'avro', schema: deadLetterSchema },
  writers: ['every processor'],
  readers: ['steward dlq list', 'steward dlq replay'],
};
