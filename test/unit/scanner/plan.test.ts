import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateChangeEvent } from '../../../src/domain/change-event.ts';
import type { CatalogTable } from '../../../src/scanner/model.ts';
import {
  assetOf,
  changeEvent,
  eventId,
  lastModifiedOf,
  mayHaveChanged,
  planDeletes,
  profileFingerprint,
  tableOutcome,
  urnOf,
  type TableState,
} from '../../../src/scanner/plan.ts';
import { parseSources } from '../../../src/scanner/sources.ts';
import type { Profile } from '../../../src/domain/change-event.ts';

const [source] = parseSources({
  sources: [
    {
      name: 'shop',
      platform: 'postgres',
      connection: { env: 'X' },
      owners: ['team-shop'],
      expectedUpdateInterval: '24h',
    },
  ],
});
if (!source) throw new Error('no source');

const table = (over: Partial<CatalogTable> = {}): CatalogTable => ({
  schema: 'public',
  name: 'Customers',
  kind: 'table',
  description: 'people who buy',
  columns: [
    {
      name: 'id',
      type: 'bigint',
      valueType: 'integer',
      nullable: false,
      description: null,
      ordinal: 1,
      primaryKey: true,
      unique: true,
    },
    {
      name: 'email',
      type: 'text',
      valueType: 'string',
      nullable: true,
      description: 'contact',
      ordinal: 2,
      primaryKey: false,
      unique: false,
    },
  ],
  rowEstimate: 100,
  modSignal: '10@1',
  lastModifiedAt: null,
  ...over,
});

const profile = (rowCount = 100, samples = ['a@example.com']): Profile => ({
  rowCount,
  profiledAt: '2024-06-01T00:00:00Z',
  sampleSize: rowCount,
  columns: [
    {
      name: 'email',
      nullCount: 0,
      distinctCount: rowCount,
      min: null,
      max: null,
      valueType: 'string',
      samples,
    },
  ],
});

const scannedAt = '2024-06-01T00:00:00.000Z';
const first = (t = table(), p: Profile | undefined = profile()) =>
  tableOutcome(undefined, t, assetOf(source, 'shop', t, lastModifiedOf(undefined, t, scannedAt)), p);

describe('urn and asset', () => {
  it("should keep the catalog's exact case in the URN and tag the expected freshness", () => {
    const t = table();
    assert.equal(urnOf(source, 'shop', t), 'urn:steward:dataset:postgres:shop:shop.public.Customers');
    const asset = assetOf(source, 'shop', t, null);
    assert.deepEqual(
      [asset.qualifiedName, asset.owners, asset.tags, asset.lastModifiedAt],
      ['shop.public.Customers', ['team-shop'], ['freshness:24h'], undefined],
    );
  });
});

describe('tableOutcome', () => {
  it('should upsert a new table with its profile', () => {
    const { event, state } = first();
    assert.equal(event?.kind, 'upsert');
    assert.equal(event?.profile?.rowCount, 100);
    assert.equal(state.profileFingerprint, profileFingerprint(profile()));
  });

  it('should publish nothing for an unchanged table, and profile it only when its signal moved', () => {
    const { state } = first();
    const t = table();
    assert.equal(mayHaveChanged(state, t), false);
    const again = tableOutcome(
      state,
      t,
      assetOf(source, 'shop', t, lastModifiedOf(state, t, scannedAt)),
      undefined,
    );
    assert.equal(again.event, null);
    assert.equal(mayHaveChanged(state, table({ modSignal: '11@1' })), true);
    assert.equal(mayHaveChanged(state, table({ modSignal: null })), true, 'no signal: always profile');
  });

  it('should upsert with the profile when the data changed, dated by the scan that saw the signal move', () => {
    const { state } = first();
    const moved = table({ modSignal: '12@1' });
    const later = '2024-06-02T00:00:00.000Z';
    const lastModified = lastModifiedOf(state, moved, later);
    assert.equal(lastModified, later);
    const { event } = tableOutcome(state, moved, assetOf(source, 'shop', moved, lastModified), profile(120));
    assert.deepEqual(
      [event?.kind, event?.asset.lastModifiedAt, event?.profile?.rowCount],
      ['upsert', later, 120],
    );
  });

  it('should send a profile event when only the statistics moved (a source without a signal)', () => {
    const { state } = first(table({ modSignal: null }));
    const t = table({ modSignal: null });
    const { event } = tableOutcome(
      state,
      t,
      assetOf(source, 'shop', t, lastModifiedOf(state, t, scannedAt)),
      profile(130),
    );
    assert.deepEqual([event?.kind, event?.profile?.rowCount], ['profile', 130]);
  });

  it('should not count changed samples as a changed profile (they are never stored)', () => {
    const { state } = first();
    const t = table({ modSignal: null });
    const { event } = tableOutcome(
      state,
      t,
      assetOf(source, 'shop', t, null),
      profile(100, ['other@example.com']),
    );
    assert.equal(event, null);
  });

  it('should upsert when a column changes, and treat a deleted table as new', () => {
    const { state } = first();
    const altered = table({
      columns: [
        ...table().columns,
        {
          name: 'phone',
          type: 'text',
          valueType: 'string',
          nullable: true,
          description: null,
          ordinal: 3,
          primaryKey: false,
          unique: false,
        },
      ],
    });
    assert.equal(
      tableOutcome(state, altered, assetOf(source, 'shop', altered, null), undefined).event?.kind,
      'upsert',
    );
    const t = table();
    assert.equal(
      tableOutcome({ ...state, deleted: true }, t, assetOf(source, 'shop', t, null), undefined).event?.kind,
      'upsert',
    );
  });
});

describe('planDeletes', () => {
  const state = (schema: string, name: string): TableState => ({
    urn: `urn:steward:dataset:postgres:shop:shop.${schema}.${name}`,
    schema,
    table: name,
    assetFingerprint: 'a',
    profileFingerprint: 'p',
    modSignal: '1',
    lastModifiedAt: null,
    deleted: false,
  });
  const previous = [
    state('public', 'a'),
    state('public', 'b'),
    state('public', 'c'),
    state('sales', 'x'),
    state('sales', 'y'),
  ];
  const listedAll = new Set(previous.map((s) => s.urn));

  it('should delete a table that is gone', () => {
    const listed = new Set([...listedAll].filter((u) => !u.endsWith('.a')));
    assert.deepEqual(
      planDeletes(previous, listed, new Set(), false).deletes.map((s) => s.table),
      ['a'],
    );
  });

  it('should delete nothing in a schema that failed to list', () => {
    const listed = new Set([...listedAll].filter((u) => !u.includes('.public.')));
    assert.deepEqual(planDeletes(previous, listed, new Set(['public']), false), {
      deletes: [],
      withheld: [],
    });
  });

  it('should withhold deletes when a schema lost more than half its tables, unless allowed', () => {
    const listed = new Set([...listedAll].filter((u) => u.endsWith('.c') || u.includes('.sales.')));
    assert.deepEqual(planDeletes(previous, listed, new Set(), false), {
      deletes: [],
      withheld: [{ schema: 'public', missing: 2, of: 3 }],
    });
    assert.deepEqual(
      planDeletes(previous, listed, new Set(), true).deletes.map((s) => s.table),
      ['a', 'b'],
    );
  });

  it('should treat a schema that disappeared whole as a mass delete', () => {
    const listed = new Set([...listedAll].filter((u) => u.includes('.public.')));
    assert.deepEqual(planDeletes(previous, listed, new Set(), false).withheld, [
      { schema: 'sales', missing: 2, of: 2 },
    ]);
  });
});

describe('events', () => {
  it('should derive a stable UUID from the run and the asset', () => {
    const id = eventId('scan-shop@2024-06-01T00:00:00.000Z', 'urn:x', 'upsert');
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(id, eventId('scan-shop@2024-06-01T00:00:00.000Z', 'urn:x', 'upsert'));
    assert.notEqual(id, eventId('scan-shop@2024-06-01T01:00:00.000Z', 'urn:x', 'upsert'));
  });

  it('should build events that pass the contract', () => {
    const { event } = first();
    assert.ok(event);
    const result = validateChangeEvent(changeEvent(source, 'run', scannedAt, event));
    assert.equal(result.ok, true, JSON.stringify(!result.ok && result.errors));
  });
});
