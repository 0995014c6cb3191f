import type { AvroSchema } from '../../src/domain/topic.ts';

/** A timer tick: job `job` is due for the slot `slot` (the UTC instant of its scheduled time). */
export const tickSchema: AvroSchema = {
  type: 'record',
  name: 'Tick',
  namespace: 'steward.v1',
  fields: [
    { name: 'job', type: 'string' },
    {
      name: 'slot',
      type: 'string',
      doc: 'ISO-8601 UTC instant of the scheduled time: the identity of the run',
    },
    { name: 'firedAt', type: 'string', doc: 'ISO-8601 instant the scheduler published it' },
    { name: 'schedulerId', type: 'string' },
  ],
};
