import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import avro from 'avsc';
import type { ChangeEvent } from '../../../../src/domain/change-event.ts';
import type { Effects, HandleResult, InputEvent, RowWrite } from '../../../../src/domain/processor.ts';
import { toAssetEvent, type AssetEvent } from '../../../../processors/metadata-sync/asset-event.ts';
import { metadataSync, type SyncState } from '../../../../processors/metadata-sync/processor.ts';
import type { SchemaDiff } from '../../../../processors/metadata-sync/schema-diff.ts';
import { assets } from '../../../../topics/index.ts';
import { assetStateSchema } from '../../../../topics/schemas/asset-state.ts';
import { customersUrn, deleteEvent, fullUpsertEvent, profileEvent } from '../../../fixtures/change-events.ts';

const processor = metadataSync();
const id = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const at = (hour: number): string => `2024-05-01T${String(hour).padStart(2, '0')}:00:00Z`;

function input(value: ChangeEvent, offset = 0): InputEvent<ChangeEvent> {
  return {
    id: value.id,
    topic: 'changes',
    partition: 0,
    offset: String(offset),
    key: value.asset.urn,
    value,
    timestamp: 0,
    headers: {},
  };
}

const upsert = (n: number, hour: number, change: Partial<ChangeEvent['asset']> = {}): ChangeEvent => {
  const event = fullUpsertEvent();
  return { ...event, id: id(n), occurredAt: at(hour), asset: { ...event.asset, ...change } };
};
const handle = (event: ChangeEvent, state?: SyncState): HandleResult<SyncState> =>
  processor.handle(input(event), state);
const next = (result: HandleResult<SyncState>): SyncState => result.state ?? assert.fail('no state');
const effects = (result: HandleResult<SyncState>): Effects => result.effects ?? assert.fail('no effects');
const rowsOf = (result: HandleResult<SyncState>, table: string): RowWrite[] =>
  (effects(result).rows ?? []).filter((r) => r.table === table);

/** Every sample value of the fixtures: none may appear in state or effects. */
const samples = (fullUpsertEvent().profile?.columns ?? []).flatMap((c) => c.samples).filter(Boolean);

describe('metadata-sync handle', () => {
  it('should declare what it consumes, produces and writes', () => {
    assert.equal(processor.name, 'metadata-sync');
    assert.equal(processor.idempotency, 'ledger');
    assert.deepEqual(processor.produces, [assets]);
    assert.deepEqual(processor.tables, ['assets', 'schema_versions']);
    const accepted = processor.accept(
      fullUpsertEvent(),
      processor.consumes[0] ?? assert.fail(),
      customersUrn,
    );
    assert.equal(accepted.ok, true);
    const wrongKey = processor.accept(fullUpsertEvent(), processor.consumes[0] ?? assert.fail(), 'other');
    assert.equal(wrongKey.ok, false);
    assert.equal(processor.eventId?.(fullUpsertEvent()), fullUpsertEvent().id);
  });

  it('should upsert the asset row, record schema version 1 and emit the asset state', () => {
    const result = handle(upsert(1, 10));
    const state = next(result);
    assert.equal(state.asset.revision, 1);
    assert.equal(state.schemaVersion, 1);
    const [row] = rowsOf(result, 'assets');
    assert.deepEqual(row?.key, { urn: customersUrn });
    assert.equal(row.mode, 'upsert');
    assert.equal(row.values.deleted, false);
    assert.equal(row.values.name, 'customers');
    assert.deepEqual(row.values.owners, ['team-crm']);
    assert.equal(row.values.schema_version, 1);
    assert.equal(typeof row.values.updated_stamp, 'string', 'jsonb goes as JSON text');
    const [version] = rowsOf(result, 'schema_versions');
    assert.deepEqual(version?.key, { urn: customersUrn, version: 1 });
    assert.equal(version.mode, 'insert');
    assert.equal(version.values.breaking, false);
    assert.equal(version.values.event_id, id(1));
    const [emit] = effects(result).emit ?? [];
    assert.equal(emit?.topic, assets);
    assert.equal(emit.key, customersUrn);
    assert.deepEqual(emit.value, toAssetEvent(state));
  });

  it('should change nothing on a duplicate or a stale event', () => {
    const state = next(handle(upsert(1, 10)));
    assert.deepEqual(handle(upsert(1, 10), state), {});
    assert.deepEqual(handle(upsert(2, 9, { name: 'older' }), state), {});
  });

  it('should record version 2 with its diff when columns are added and dropped', () => {
    const first = next(handle(upsert(1, 10)));
    const columns = (fullUpsertEvent().asset.columns ?? []).filter((c) => c.name !== 'signup_date');
    columns.push({ name: 'phone', type: 'varchar(32)', nullable: true, description: null, tags: [] });
    const result = handle(upsert(2, 11, { columns }), first);
    assert.equal(next(result).schemaVersion, 2);
    const [version] = rowsOf(result, 'schema_versions');
    assert.deepEqual(version?.key, { urn: customersUrn, version: 2 });
    const diff = JSON.parse(String(version.values.diff)) as SchemaDiff;
    assert.equal(diff.breaking, true);
    assert.equal(version.values.breaking, true);
    assert.deepEqual(diff.changes.map((c) => [c.kind, c.column]).sort(), [
      ['added', 'phone'],
      ['dropped', 'signup_date'],
    ]);
    assert.equal(rowsOf(result, 'assets')[0]?.values.schema_version, 2);
  });

  it('should not record a schema version when the columns did not change', () => {
    const first = next(handle(upsert(1, 10)));
    const result = handle(upsert(2, 11, { description: 'changed' }), first);
    assert.equal(next(result).schemaVersion, 1);
    assert.deepEqual(rowsOf(result, 'schema_versions'), []);
  });

  it('should emit the deleted state with its revision, then a tombstone, and keep a deleted row', () => {
    const first = next(handle(upsert(1, 10)));
    const result = handle({ ...deleteEvent(), id: id(2), occurredAt: at(11) }, first);
    const state = next(result);
    assert.equal(state.asset.revision, 2);
    assert.equal(rowsOf(result, 'assets')[0]?.values.deleted, true);
    const emits = effects(result).emit ?? [];
    assert.deepEqual(
      emits.map((e) => [e.topic, e.key]),
      [
        [assets, customersUrn],
        [assets, customersUrn],
      ],
    );
    const deleted = emits[0]?.value as AssetEvent | undefined;
    assert.equal(deleted?.deleted, true);
    assert.equal(deleted.revision, 2);
    assert.deepEqual(deleted, toAssetEvent(state));
    assert.equal(emits[1]?.value, null, 'the tombstone comes last, so compaction drops the key');
  });

  it('should emit one live state when an asset is re-created after a delete', () => {
    const first = next(handle(upsert(1, 10)));
    const deleted = next(handle({ ...deleteEvent(), id: id(2), occurredAt: at(11) }, first));
    const result = handle(upsert(3, 12), deleted);
    const emits = effects(result).emit ?? [];
    assert.equal(emits.length, 1);
    assert.equal((emits[0]?.value as AssetEvent | undefined)?.deleted, false);
    assert.equal((emits[0]?.value as AssetEvent | undefined)?.revision, 3);
  });

  it('should never put a sample value in state or effects', () => {
    let state: SyncState | undefined;
    const events = [upsert(1, 10), { ...profileEvent(), id: id(2), occurredAt: at(11) }];
    for (const event of events) {
      const result = handle(event, state);
      state = next(result);
      const json = JSON.stringify(result);
      for (const sample of samples) assert.equal(json.includes(JSON.stringify(sample)), false, sample);
    }
    assert.equal(state?.asset.aspects.profile?.rowCount, 1000);
    assert.equal(toAssetEvent(state ?? assert.fail()).profile?.columns.length, 3);
  });

  it('should emit values the assets topic schema encodes and decodes unchanged', () => {
    const type = avro.Type.forSchema(assetStateSchema as avro.Schema);
    const upserted = next(handle(upsert(1, 10)));
    const profiled = next(handle({ ...profileEvent(), id: id(2), occurredAt: at(11) }, upserted));
    for (const state of [upserted, profiled]) {
      const value = toAssetEvent(state);
      assert.deepEqual(JSON.parse(JSON.stringify(type.fromBuffer(type.toBuffer(value)))), value);
    }
  });
});
