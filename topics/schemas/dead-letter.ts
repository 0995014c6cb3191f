import type { AvroSchema } from '../../src/domain/topic.ts';

/**
 * A record some consumer group could not process, with everything needed to understand and replay it:
 * the original key, value and headers as bytes, where it came from, and why it failed. An original too
 * large for the DLQ topic is stored in PostgreSQL and referenced by its SHA-256 (`payloadRef`).
 */
export const deadLetterSchema: AvroSchema = {
  type: 'record',
  name: 'DeadLetter',
  namespace: 'steward.v1',
  fields: [
    { name: 'id', type: 'string', doc: 'UUID of this dead letter' },
    { name: 'failedAt', type: 'string', doc: 'ISO-8601 instant' },
    { name: 'group', type: 'string', doc: 'consumer group that failed' },
    { name: 'processor', type: 'string' },
    { name: 'errorCode', type: 'string', doc: 'STW_* code (docs/errors.md)' },
    { name: 'errorMessage', type: 'string' },
    { name: 'topic', type: 'string', doc: 'source topic' },
    { name: 'partition', type: 'int' },
    { name: 'offset', type: 'string', doc: 'source offset (int64 as a decimal string)' },
    { name: 'timestamp', type: 'string', doc: 'source record timestamp, ms since epoch' },
    { name: 'key', type: ['null', 'bytes'], default: null },
    { name: 'value', type: ['null', 'bytes'], default: null, doc: 'null when stored by payloadRef' },
    {
      name: 'headers',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Header',
          fields: [
            { name: 'key', type: 'string' },
            { name: 'value', type: ['null', 'bytes'], default: null },
          ],
        },
      },
      default: [],
    },
    {
      name: 'payloadRef',
      type: ['null', 'string'],
      default: null,
      doc: 'sha256 of the value kept in PostgreSQL',
    },
    { name: 'originalSize', type: 'long', doc: 'bytes of the original value' },
  ],
};
