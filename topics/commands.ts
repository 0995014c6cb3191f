import { day, mebibyte, type TopicDeclaration } from '../src/domain/topic.ts';
import { commandSchema } from './schemas/command.ts';

export const commands: TopicDeclaration = {
  name: 'steward.commands.v1',
  description:
    'Requests (re-evaluate, rescore, mark stale, escalate) addressed to the one processor that owns the state, keyed by URN.',
  partitions: 12,
  replicationFactor: 3,
  config: {
    'cleanup.policy': 'delete',
    'retention.ms': 7 * day,
    'max.message.bytes': mebibyte,
    'min.insync.replicas': 2,
  },
  key: 'urn',
  value: { format: 'avro', schema: commandSchema },
  writers: ['sweeps', 'api'],
  readers: ['metadata-sync', 'quality', 'compliance', 'indexer'],
};
