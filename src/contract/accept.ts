import { validateChangeEvent, type ChangeEvent } from '../domain/change-event.ts';
import type { Accepted } from '../domain/processor.ts';
import { fromAvro } from './avro.ts';

/**
 * How every consumer of steward.changes.v1 accepts a decoded record: the contract (with every invalid
 * field named), and the key, which must be the event's asset URN so one asset's events stay in order.
 */
export function acceptChangeEvent(value: unknown, key: string): Accepted<ChangeEvent> {
  const result = validateChangeEvent(fromAvro(value));
  if (!result.ok) {
    return { ok: false, reason: result.errors.map((e) => `${e.path}: ${e.message}`).join('; ') };
  }
  if (result.event.asset.urn !== key) {
    return {
      ok: false,
      code: 'STW_KEY_MISMATCH',
      reason: `the record key is not the event's asset.urn (${result.event.asset.urn})`,
    };
  }
  return { ok: true, value: result.event };
}
