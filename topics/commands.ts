import { day, mebibyte, type TopicDeclaration } from '../src/domain/topic.ts';
import { eventLog } from './settings.ts';
import { commandSchema } from './schemas/command.ts';

export const commands: TopicDeclaration = {
  name: 'steward.commands.v1',
  description:
    'Requests (re-evaluate, rescore, mark stale, escalate) addressed to the one processor that owns the state, keyed by URN.',
  partitions: 12,
  replicationFactor: 3,
  config: eventLog(7 * day, mebibyte),
  key: 'urn',
  value: { format: 'avro', schema: commandSchema },
  writers: ['sweeps', 'api', 'lineage', 'compliance'],
  readers: ['metadata-sync', 'quality', 'compliance', 'indexer'],
};
