import { plainJsonSchema } from '../src/contract/json-schema.ts';
import { day, mebibyte, type TopicDeclaration } from '../src/domain/topic.ts';
import { RunEventSchema } from '../src/lineage/openlineage.ts';
import { eventLog } from './settings.ts';

/**
 * OpenLineage RunEvents as JSON, keyed by job (`<namespace>/<name>`), so one job's runs stay in order.
 * JSON Schema, not Avro: facets are open-ended. Producers with Confluent's serializer send the JSON wire
 * format; OpenLineage's own Kafka transport sends plain JSON text, which is accepted too.
 */
export const lineage: TopicDeclaration = {
  name: 'steward.lineage.v1',
  description:
    'OpenLineage RunEvents (JSON), keyed by job: the lineage processor builds the graph from them.',
  partitions: 6,
  replicationFactor: 3,
  config: eventLog(7 * day, 4 * mebibyte),
  key: 'job',
  value: { format: 'json', schema: plainJsonSchema(RunEventSchema) },
  writers: ['producers', 'api'],
  readers: ['lineage'],
};
