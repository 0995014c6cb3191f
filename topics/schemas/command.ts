import type { AvroSchema } from '../../src/domain/topic.ts';

/**
 * A request to the one processor that owns a piece of state (no process writes another's tables).
 * `payload` is JSON whose shape depends on `kind`; the owning processor validates it.
 */
export const commandSchema: AvroSchema = {
  type: 'record',
  name: 'Command',
  namespace: 'steward.v1',
  fields: [
    { name: 'id', type: 'string', doc: 'UUID, the idempotency key' },
    { name: 'kind', type: 'string', doc: 're-evaluate, rescore, mark-stale, escalate, resync, …' },
    { name: 'target', type: 'string', doc: 'name of the owning processor' },
    { name: 'urn', type: ['null', 'string'], default: null, doc: 'the asset, when the command is about one' },
    { name: 'issuedAt', type: 'string', doc: 'ISO-8601 instant' },
    { name: 'issuedBy', type: 'string', doc: 'scheduler job, API user or CLI' },
    { name: 'reason', type: ['null', 'string'], default: null },
    { name: 'payload', type: ['null', 'string'], default: null, doc: 'JSON' },
  ],
};
