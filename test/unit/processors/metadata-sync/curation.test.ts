import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChangeEvent } from '../../../../src/domain/change-event.ts';
import { commandId, type Command } from '../../../../src/domain/command.ts';
import { validateCurationPatch, type CurationPatch } from '../../../../src/domain/curation.ts';
import type { HandleResult } from '../../../../src/domain/processor.ts';
import type { AssetEvent } from '../../../../processors/metadata-sync/asset-event.ts';
import { metadataSync, type SyncState } from '../../../../processors/metadata-sync/processor.ts';
import { commands } from '../../../../topics/index.ts';
import { syncInput } from '../../../fixtures/sync-input.ts';
import { customersUrn, fullUpsertEvent } from '../../../fixtures/change-events.ts';

const processor = metadataSync();
const at = (h: number): string => new Date(Date.UTC(2024, 4, 1, h)).toISOString();
const uuid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const input = syncInput;

const curateCommand = (patch: unknown, issuedAt: string, by = 'jo'): Command => ({
  id: commandId('curate', issuedAt, customersUrn, JSON.stringify(patch)),
  kind: 'curate',
  target: 'metadata-sync',
  urn: customersUrn,
  issuedAt,
  issuedBy: by,
  reason: null,
  payload: JSON.stringify(patch),
});

const curate = (
  state: SyncState | undefined,
  patch: CurationPatch,
  issuedAt: string,
): HandleResult<SyncState> => {
  const accepted = processor.accept(curateCommand(patch, issuedAt), commands, customersUrn);
  assert.ok(accepted.ok, accepted.ok ? '' : accepted.reason);
  return processor.handle(input(accepted.value, commands.name), state);
};
const upsertAt = (h: number, n: number, asset: Partial<ChangeEvent['asset']> = {}): ChangeEvent => {
  const event = fullUpsertEvent();
  return { ...event, id: uuid(n), occurredAt: at(h), asset: { ...event.asset, ...asset } };
};
const change = (state: SyncState | undefined, event: ChangeEvent): SyncState =>
  processor.handle(input(event), state).state ?? state ?? assert.fail('no state');
const emitted = (result: HandleResult<SyncState>): AssetEvent =>
  (result.effects?.emit?.[0]?.value as AssetEvent | undefined) ?? assert.fail('nothing emitted');
const stateOf = (result: HandleResult<SyncState>): SyncState => result.state ?? assert.fail('no state');

describe('metadata-sync: curate commands', () => {
  const reported = change(
    undefined,
    upsertAt(1, 1, { owners: ['shop-team'], tags: ['tier1', 'retention:7d'] }),
  );

  it('should replace owners and description, add tags and set retention as a tag when a steward curates', () => {
    const result = curate(
      reported,
      { owners: ['data-office'], tags: ['gold'], description: 'Customers, curated', retention: 'P90D' },
      at(2),
    );
    const event = emitted(result);
    assert.deepEqual(event.owners, ['data-office']);
    assert.deepEqual(event.tags, ['tier1', 'gold', 'retention:P90D']);
    assert.equal(event.description, 'Customers, curated');
    assert.equal(event.revision, reported.asset.revision + 1);
    const row = result.effects?.rows?.[0] ?? assert.fail('no row');
    assert.deepEqual(row.values.owners, ['data-office']);
    assert.equal(row.values.description, 'Customers, curated');
  });

  it('should keep the curated values when the source reports again', () => {
    const curated = stateOf(curate(reported, { owners: ['data-office'], retention: 'P90D' }, at(2)));
    const after = change(curated, upsertAt(5, 2, { owners: ['shop-team', 'ops'], tags: ['tier2'] }));
    const result = processor.handle(input(upsertAt(6, 3, { owners: ['ops'], tags: ['tier3'] })), after);
    const event = emitted(result);
    assert.deepEqual(event.owners, ['data-office']);
    assert.deepEqual(event.tags, ['tier3', 'retention:P90D']);
  });

  it('should merge patches: a field left out is kept, null gives the source its value back', () => {
    const first = stateOf(curate(reported, { owners: ['data-office'], description: 'curated' }, at(2)));
    const second = curate(first, { description: null }, at(3));
    const event = emitted(second);
    assert.deepEqual(event.owners, ['data-office'], 'left out: kept');
    assert.equal(event.description, fullUpsertEvent().asset.description, 'null: the source value again');
    assert.deepEqual(stateOf(second).asset.aspects.curated?.by, 'jo');
  });

  it('should ignore an older curation, a duplicate and one for an unknown asset', () => {
    const newer = stateOf(curate(reported, { owners: ['b'] }, at(3)));
    assert.deepEqual(curate(newer, { owners: ['a'] }, at(2)), {}, 'older than the aspect');
    assert.deepEqual(curate(newer, { owners: ['b'] }, at(3)), {}, 'the same command again');
    assert.deepEqual(curate(undefined, { owners: ['a'] }, at(2)), {}, 'no asset');
  });

  it('should not count a curation as a report of the source (staleness reads the reported stamp)', () => {
    const curated = stateOf(curate(reported, { owners: ['x'] }, at(20)));
    assert.equal(emitted(curate(curated, { tags: ['y'] }, at(21))).updatedAt, at(1));
  });

  it('should refuse malformed curate commands with a reason', () => {
    const refused = (command: Command): string => {
      const accepted = processor.accept(command, commands, customersUrn);
      assert.equal(accepted.ok, false);
      return accepted.ok ? '' : accepted.reason;
    };
    assert.match(refused({ ...curateCommand({ owners: ['a'] }, at(1)), payload: '{' }), /not JSON/);
    assert.match(refused(curateCommand({}, at(1))), /curate: /);
    assert.match(refused(curateCommand({ retention: 'ninety days' }, at(1))), /\/retention/);
    assert.match(refused(curateCommand({ owners: [' padded '] }, at(1))), /\/owners\/0/);
    assert.match(refused(curateCommand({ colour: 'red' }, at(1))), /curate: /);
  });
});

describe('validateCurationPatch', () => {
  it('should accept ISO-8601 durations and refuse others', () => {
    for (const retention of ['P90D', 'P1Y6M', 'PT12H', 'P2W', null])
      assert.ok(validateCurationPatch({ retention }).ok, String(retention));
    for (const retention of ['P', 'PT', '90d', 'P1.5Y', ''])
      assert.equal(validateCurationPatch({ retention }).ok, false, retention);
  });

  it('should refuse duplicate labels and too many of them', () => {
    assert.equal(validateCurationPatch({ tags: ['a', 'a'] }).ok, false);
    assert.equal(validateCurationPatch({ owners: Array.from({ length: 101 }, (_, i) => `o${i}`) }).ok, false);
  });
});
