import { changeEventAvroSchema } from '../src/contract/avro-schemas.ts';
import { hour, mebibyte, type TopicDeclaration } from '../src/domain/topic.ts';

/**
 * The input topic. It carries sample values, which are personal data: its retention is short (24 h by
 * default) and nothing derived from it may hold them (only evidence: fractions, counts, masked exemplars).
 */
export const changes: TopicDeclaration = {
  name: 'steward.changes.v1',
  description: 'Change events from producers, scanners and the HTTP ingest endpoint, keyed by asset URN.',
  partitions: 12,
  replicationFactor: 3,
  config: {
    'cleanup.policy': 'delete',
    'retention.ms': 24 * hour,
    'max.message.bytes': 4 * mebibyte,
    'min.insync.replicas': 2,
    'compression.type': 'producer',
  },
  key: 'urn',
  value: { format: 'avro', schema: changeEventAvroSchema },
  writers: ['producers', 'scanners', 'api (POST /v1/events)', 'steward produce'],
  readers: ['metadata-sync', 'compliance', 'quality'],
};
