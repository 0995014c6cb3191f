import { mebibyte, type TopicDeclaration } from '../src/domain/topic.ts';
import { compactedState } from './settings.ts';
import { complianceResultSchema } from './schemas/compliance-result.ts';

export const compliance: TopicDeclaration = {
  name: 'steward.compliance.v1',
  description: "Each asset's column classes with confidence and evidence, and its open violations.",
  partitions: 12,
  replicationFactor: 3,
  config: compactedState(mebibyte),
  key: 'urn',
  value: { format: 'avro', schema: complianceResultSchema },
  writers: ['compliance'],
  readers: ['quality', 'indexer'],
};
