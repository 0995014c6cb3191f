import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChangeEvent } from '../../../../src/domain/change-event.ts';
import { commandId, type Command } from '../../../../src/domain/command.ts';
import type { HandleResult } from '../../../../src/domain/processor.ts';
import { expectedIntervalMs, isOverdue } from '../../../../src/domain/staleness.ts';
import type { AssetEvent } from '../../../../processors/metadata-sync/asset-event.ts';
import { metadataSync, type SyncState } from '../../../../processors/metadata-sync/processor.ts';
import { changes, commands } from '../../../../topics/index.ts';
import { syncInput } from '../../../fixtures/sync-input.ts';
import { customersUrn, deleteEvent, fullUpsertEvent } from '../../../fixtures/change-events.ts';

const processor = metadataSync();
const hour = 3_600_000;
const at = (h: number): string => new Date(Date.UTC(2024, 4, 1, h)).toISOString();

const input = syncInput;

const command = (
  change: Partial<Command> = {},
  payload: unknown = { asOf: at(30), expectedMs: 24 * hour },
): Command => ({
  id: commandId('metadata-resync', at(30), customersUrn),
  kind: 'mark-stale',
  target: 'metadata-sync',
  urn: customersUrn,
  issuedAt: at(30),
  issuedBy: 'metadata-resync',
  reason: null,
  payload: JSON.stringify(payload),
  ...change,
});

const markStale = (state: SyncState | undefined, asOf = at(30)): HandleResult<SyncState> => {
  const accepted = processor.accept(command({}, { asOf, expectedMs: 24 * hour }), commands, customersUrn);
  assert.ok(accepted.ok);
  return processor.handle(input(accepted.value, commands.name), state);
};
const upsertAt = (h: number, id: string): ChangeEvent => ({ ...fullUpsertEvent(), id, occurredAt: at(h) });
const stateAfter = (...events: ChangeEvent[]): SyncState =>
  events.reduce<SyncState | undefined>(
    (state, e) => processor.handle(input(e), state).state ?? state,
    undefined,
  ) ?? assert.fail('no state');
const emitted = (result: HandleResult<SyncState>): AssetEvent =>
  (result.effects?.emit?.[0]?.value as AssetEvent | undefined) ?? assert.fail('nothing emitted');

describe('metadata-sync: mark-stale commands', () => {
  it('should consume the commands topic by default', () => {
    assert.deepEqual(processor.consumes, [changes, commands]);
  });

  it('should mark an asset not reported within the interval stale: row, state and event', () => {
    const reported = stateAfter(upsertAt(1, '00000000-0000-4000-8000-000000000001'));
    const result = markStale(reported);
    assert.deepEqual(result.state?.stale, { since: at(30), expectedMs: 24 * hour });
    assert.equal(result.effects?.rows?.[0]?.values.stale_since, at(30));
    assert.equal(emitted(result).stale, true);
  });

  it('should leave an asset reported within the interval, a deleted one and an unknown one alone', () => {
    const recent = stateAfter(upsertAt(10, '00000000-0000-4000-8000-000000000001'));
    assert.deepEqual(markStale(recent), {}, 'reported 20 h before the slot, expected every 24 h');
    const deleted = stateAfter(upsertAt(1, '00000000-0000-4000-8000-000000000001'), {
      ...deleteEvent(),
      occurredAt: at(2),
    });
    assert.deepEqual(markStale(deleted), {});
    assert.deepEqual(markStale(undefined), {});
  });

  it('should change nothing when marked twice (the second command is a no-op)', () => {
    const stale =
      markStale(stateAfter(upsertAt(1, '00000000-0000-4000-8000-000000000001'))).state ?? assert.fail();
    assert.deepEqual(markStale(stale, at(40)), {});
  });

  it('should clear the mark on a report within the interval, and keep it on a late event from before', () => {
    const base = stateAfter(upsertAt(1, '00000000-0000-4000-8000-000000000001'));
    const stale = markStale(base).state ?? assert.fail();
    const fresh = processor.handle(input(upsertAt(31, '00000000-0000-4000-8000-000000000002')), stale);
    assert.equal(fresh.state?.stale, undefined);
    assert.equal(fresh.effects?.rows?.[0]?.values.stale_since, null);
    assert.equal(emitted(fresh).stale, false);
    // Newer than the asset's stamps, so it merges; but 3 h after 1 h is still 27 h before the slot.
    const late = processor.handle(input(upsertAt(3, '00000000-0000-4000-8000-000000000003')), stale);
    assert.deepEqual(late.state?.stale, stale.stale);
    assert.equal(emitted(late).stale, true);
  });

  it('should ignore commands for other processors and refuse malformed ones, saying why', () => {
    const other = processor.accept(
      command({ target: 'compliance', kind: 're-evaluate' }),
      commands,
      customersUrn,
    );
    assert.deepEqual(other, { ok: false, ignore: true, reason: 'for compliance' });
    const cases: [Partial<Command>, unknown, RegExp][] = [
      [{ kind: 'rescore' }, undefined, /no command "rescore"/],
      [{}, { asOf: 'yesterday', expectedMs: 1 }, /asOf must be an ISO-8601 instant/],
      [{}, { asOf: at(1), expectedMs: -5 }, /expectedMs must be a positive integer/],
      [{ payload: '{' }, null, /payload is not JSON/],
      [{ urn: null }, undefined, /urn is required/],
    ];
    for (const [change, payload, reason] of cases) {
      const refused = processor.accept(
        {
          ...command(change, payload ?? { asOf: at(1), expectedMs: 1 }),
          ...('payload' in change ? { payload: change.payload } : {}),
        },
        commands,
        customersUrn,
      );
      assert.equal(refused.ok, false);
      assert.ok(!refused.ok && !refused.ignore && reason.test(refused.reason), JSON.stringify(refused));
    }
    const wrongKey = processor.accept(command(), commands, 'urn:other');
    assert.ok(!wrongKey.ok && wrongKey.code === 'STW_KEY_MISMATCH');
  });
});

describe('expected report intervals', () => {
  const rules = {
    defaultMs: 24 * hour,
    overrides: {
      'platform:snowflake': 48 * hour,
      'instance:prod-eu': 6 * hour,
      'tag:hourly': 2 * hour,
      'tag:tier1': 4 * hour,
    },
  };
  const asset = (platform: string, instance: string, tags: string[] = []) => ({ platform, instance, tags });

  it('should take the most specific rule: tag, then instance, then platform, then the default', () => {
    assert.equal(expectedIntervalMs(asset('postgres', 'dev', []), rules), 24 * hour);
    assert.equal(expectedIntervalMs(asset('snowflake', 'dev', []), rules), 48 * hour);
    assert.equal(expectedIntervalMs(asset('snowflake', 'prod-eu', []), rules), 6 * hour);
    assert.equal(expectedIntervalMs(asset('snowflake', 'prod-eu', ['tier1']), rules), 4 * hour);
  });

  it('should take the strictest of several matching tags', () => {
    assert.equal(expectedIntervalMs(asset('postgres', 'dev', ['tier1', 'hourly', 'pii']), rules), 2 * hour);
  });

  it('should be overdue exactly when the interval has passed', () => {
    const reported = new Date(at(0));
    assert.equal(isOverdue(reported, hour, new Date(at(1))), true);
    assert.equal(isOverdue(reported, hour + 1, new Date(at(1))), false);
  });
});
