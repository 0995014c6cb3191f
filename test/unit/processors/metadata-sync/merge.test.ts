import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Asset, ChangeEvent, Profile } from '../../../../src/domain/change-event.ts';
import { UrnError } from '../../../../src/domain/urn.ts';
import {
  compareStamps,
  mergeChange,
  mergePlaceholder,
  profileWithoutSamples,
  toAssetRecord,
  type AssetState,
  type MergeResult,
  type Placeholder,
  type Stamp,
} from '../../../../processors/metadata-sync/merge.ts';
import { schemaFingerprint } from '../../../../processors/metadata-sync/schema-diff.ts';
import { customersUrn, deleteEvent, fullUpsertEvent, profileEvent } from '../../../fixtures/change-events.ts';
import { upsertEvent } from '../../../fixtures/events.ts';

/** A UUID whose order follows n: ids break ties on the instant, so tests choose them. */
const id = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
/** An instant `n` hours after 2024-05-01T00:00Z (n < 216). */
const hour = (n: number): string =>
  `2024-05-0${String(1 + Math.floor(n / 24))}T${String(n % 24).padStart(2, '0')}:00:00Z`;

const columnsA = (): NonNullable<Asset['columns']> => fullUpsertEvent().asset.columns ?? [];
const columnsB = (): NonNullable<Asset['columns']> => [
  ...columnsA().slice(0, 2),
  { name: 'phone', type: 'varchar(32)', nullable: true, description: null, tags: [] },
];

function upsert(n: number, occurredAt: string, asset: Partial<Asset> = {}, profile?: Profile): ChangeEvent {
  const event = fullUpsertEvent();
  delete event.profile;
  return {
    ...event,
    id: id(n),
    occurredAt,
    asset: { ...event.asset, ...asset },
    ...(profile ? { profile } : {}),
  };
}
function profiled(n: number, occurredAt: string, rowCount: number): ChangeEvent {
  const event = profileEvent();
  const profile = event.profile ?? assert.fail('the fixture has a profile');
  return { ...event, id: id(n), occurredAt, profile: { ...profile, rowCount } };
}
const deleted = (n: number, occurredAt: string): ChangeEvent => ({ ...deleteEvent(), id: id(n), occurredAt });
const placeholderOf = (occurredAt: string, n: number): Placeholder => ({
  urn: customersUrn,
  at: { occurredAt, eventId: id(n) },
});

type Input = ChangeEvent | Placeholder;
const apply = (state: AssetState | undefined, input: Input): MergeResult =>
  'kind' in input ? mergeChange(state, input) : mergePlaceholder(state, input);
const fold = (inputs: readonly Input[], state?: AssetState): AssetState =>
  inputs.reduce<AssetState | undefined>((current, input) => apply(current, input).state, state) ??
  assert.fail('no input');

function* permutations<T>(items: readonly T[]): Generator<T[]> {
  if (items.length <= 1) yield [...items];
  else
    for (const [i, item] of items.entries())
      for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) yield [item, ...rest];
}
const withoutRevision = ({ revision: _revision, ...rest }: AssetState) => rest;
const stampOf = (event: ChangeEvent): Stamp => ({ occurredAt: event.occurredAt, eventId: event.id });

describe('compareStamps', () => {
  const rows: [string, string, string, string, string, -1 | 0 | 1][] = [
    ['the instants differ', hour(1), id(2), hour(2), id(1), -1],
    [
      'offsets differ, so the strings sort the other way',
      '2024-05-01T12:00:00+02:00',
      id(1),
      '2024-05-01T11:00:00Z',
      id(1),
      -1,
    ],
    [
      'one instant is spelt with two offsets',
      '2024-05-01T12:00:00+02:00',
      id(2),
      '2024-05-01T05:00:00-05:00',
      id(1),
      1,
    ],
    [
      'fractions differ below the millisecond',
      '2024-05-01T10:00:00.000000002Z',
      id(1),
      '2024-05-01T10:00:00.000000001Z',
      id(9),
      1,
    ],
    [
      'fractions have different lengths',
      '2024-05-01T10:00:00.5Z',
      id(1),
      '2024-05-01T10:00:00.500000000Z',
      id(2),
      -1,
    ],
    ['the instant ties', hour(3), id(1), hour(3), id(2), -1],
    ['the stamps are the same', hour(3), id(1), hour(3), id(1), 0],
  ];
  for (const [when, aAt, aId, bAt, bId, expected] of rows) {
    it(`compareStamps should return ${expected} when ${when}`, () => {
      const a = { occurredAt: aAt, eventId: aId };
      const b = { occurredAt: bAt, eventId: bId };
      assert.equal(compareStamps(a, b), expected);
      assert.equal(compareStamps(b, a), expected === 0 ? 0 : -expected);
    });
  }

  it('compareStamps should throw a RangeError when occurredAt is not an instant', () => {
    assert.throws(
      () =>
        compareStamps({ occurredAt: '2024-05-01', eventId: id(1) }, { occurredAt: hour(1), eventId: id(1) }),
      RangeError,
    );
  });
});

describe('mergeChange convergence', () => {
  const sets: { title: string; inputs: Input[]; check: (state: AssetState) => void }[] = [
    {
      title: 'an upsert older than the delete arrives',
      inputs: [
        upsert(1, hour(1), { columns: columnsA() }),
        profiled(2, hour(3), 3),
        deleted(3, hour(4)),
        upsert(4, hour(2), { columns: columnsB(), owners: ['team-b'], lastModifiedAt: hour(2) }),
      ],
      check: ({ aspects }) => {
        assert.equal(aspects.deletion?.deleted, true);
        assert.deepEqual(aspects.schema?.columns, columnsB());
        assert.deepEqual(aspects.ownership?.owners, ['team-b']);
        assert.equal(aspects.profile?.rowCount, 3);
        assert.equal(aspects.lastModified?.at, hour(2));
        assert.equal(aspects.identity.stamp.eventId, id(4));
      },
    },
    {
      title: 'an upsert newer than the delete arrives',
      inputs: [
        upsert(1, hour(1), { columns: columnsA() }),
        deleted(2, hour(2)),
        profiled(3, hour(3), 3),
        upsert(4, hour(4), { columns: columnsB() }),
      ],
      check: ({ aspects }) => {
        assert.deepEqual(aspects.deletion, {
          deleted: false,
          stamp: { occurredAt: hour(4), eventId: id(4) },
        });
        assert.deepEqual(aspects.schema?.columns, columnsB());
        assert.equal(aspects.profile?.rowCount, 3);
      },
    },
    {
      title: 'instants tie under different offsets and a placeholder comes too',
      inputs: [
        upsert(5, '2024-05-01T12:00:00+02:00', { columns: columnsA() }),
        upsert(6, '2024-05-01T10:00:00Z', { columns: columnsB() }),
        deleted(7, '2024-05-01T09:59:59.999999999Z'),
        profiled(8, '2024-05-01T05:00:00-05:00', 8),
        placeholderOf(hour(30), 9),
      ],
      check: (state) => {
        assert.deepEqual(state.aspects.schema?.columns, columnsB());
        assert.equal(state.aspects.deletion?.deleted, false);
        assert.equal(state.aspects.profile?.rowCount, 8);
        assert.equal(state.placeholder, false);
        assert.equal(state.aspects.identity.origin, 'reported');
      },
    },
    {
      title: 'an event is delivered twice',
      inputs: [upsert(1, hour(1)), upsert(1, hour(1)), deleted(2, hour(2)), profiled(3, hour(0), 4)],
      check: ({ aspects }) => {
        assert.equal(aspects.deletion?.deleted, true);
        assert.equal(aspects.profile?.rowCount, 4);
      },
    },
  ];
  for (const { title, inputs, check } of sets) {
    it(`mergeChange should reach the same state in every order, revision aside, when ${title}`, () => {
      const reference = fold(inputs);
      check(reference);
      let orders = 0;
      for (const order of permutations(inputs)) {
        const state = fold(order);
        assert.deepEqual(
          withoutRevision(state),
          withoutRevision(reference),
          `order ${order.map((input) => ('kind' in input ? input.id : 'placeholder')).join(', ')}`,
        );
        assert.ok(state.revision >= 1 && state.revision <= inputs.length);
        orders++;
      }
      assert.equal(
        orders,
        [...Array(inputs.length).keys()].reduce((product, i) => product * (i + 1), 1),
      );
    });
  }

  it('mergeChange should end at a different revision when two upserts arrive in either order', () => {
    const [older, newer] = [upsert(1, hour(1)), upsert(2, hour(2))];
    assert.equal(fold([older, newer]).revision, 2);
    assert.equal(fold([newer, older]).revision, 1);
  });
});

describe('mergeChange', () => {
  it('mergeChange should keep the newer schema when a late profile arrives', () => {
    const profile = fullUpsertEvent().profile;
    const state = fold([
      upsert(1, hour(1), { columns: columnsA() }, profile),
      upsert(2, hour(3), { columns: columnsB() }),
    ]);
    const result = mergeChange(state, profiled(3, hour(2), 42));
    assert.deepEqual(result.changedAspects, ['profile']);
    assert.equal(result.schemaChanged, false);
    assert.deepEqual(result.state.aspects.schema?.columns, columnsB());
    assert.equal(result.state.aspects.profile?.rowCount, 42);
    assert.equal(
      mergeChange(result.state, upsert(4, hour(0), { columns: columnsA() }, profile)).changed,
      false,
    );
  });

  it('mergeChange should re-create the asset when an upsert newer than the delete arrives', () => {
    const state = fold([upsert(1, hour(1)), deleted(2, hour(2))]);
    const result = mergeChange(state, upsert(3, hour(3)));
    assert.deepEqual(
      { recreated: result.recreated, tombstoned: result.tombstoned, revision: result.state.revision },
      { recreated: true, tombstoned: false, revision: 3 },
    );
    assert.equal(toAssetRecord(result.state).deleted, false);
  });

  it('mergeChange should keep the asset deleted when an upsert older than the delete arrives', () => {
    const state = fold([upsert(1, hour(1), { columns: columnsA() }), deleted(2, hour(3))]);
    const result = mergeChange(state, upsert(3, hour(2), { columns: columnsB() }));
    assert.equal(result.changed, true);
    assert.equal(result.recreated, false);
    assert.equal(result.schemaChanged, true);
    assert.ok(!result.changedAspects.includes('deletion'));
    assert.deepEqual(result.state.aspects.deletion, state.aspects.deletion);
    assert.deepEqual(result.state.aspects.schema?.columns, columnsB());
    assert.equal(toAssetRecord(result.state).deleted, true);
  });

  it('mergeChange should tombstone the asset when a delete is the first event seen', () => {
    const result = mergeChange(undefined, deleteEvent());
    assert.deepEqual(
      { tombstoned: result.tombstoned, recreated: result.recreated, revision: result.state.revision },
      { tombstoned: true, recreated: false, revision: 1 },
    );
    assert.equal(result.state.aspects.identity.origin, 'inferred');
    assert.equal(mergeChange(result.state, deleted(9, hour(99))).tombstoned, false, 'already deleted');
  });

  for (const [kind, event] of [
    ['upsert', fullUpsertEvent()],
    ['profile', profileEvent()],
    ['delete', deleteEvent()],
  ] as const) {
    it(`mergeChange should change nothing when the same ${kind} is merged twice`, () => {
      const first = mergeChange(undefined, event);
      const second = mergeChange(first.state, structuredClone(event));
      assert.deepEqual(second, {
        state: first.state,
        changed: false,
        changedAspects: [],
        recreated: false,
        tombstoned: false,
        schemaChanged: false,
      });
      assert.equal(second.state, first.state);
    });
  }

  it('mergeChange should change nothing when the event is older than every aspect it writes', () => {
    const state = fold([upsert(1, hour(5), { columns: undefined }), deleted(2, hour(6))]);
    assert.equal(
      mergeChange(state, upsert(3, hour(4), { columns: [] })).changedAspects.join(),
      'schema',
      'schema was never set',
    );
    const result = mergeChange(state, upsert(4, hour(4), { columns: undefined }));
    assert.equal(result.changed, false);
    assert.equal(result.state.revision, 2);
  });

  it('mergeChange should keep the columns when an upsert has no columns and clear them when it has []', () => {
    const state = fold([upsert(1, hour(1), { columns: columnsA() })]);
    const silent = mergeChange(state, upsert(2, hour(2), { columns: undefined }));
    assert.deepEqual(silent.state.aspects.schema, state.aspects.schema);
    assert.equal(silent.schemaChanged, false);
    const empty = mergeChange(silent.state, upsert(3, hour(3), { columns: [] }));
    assert.deepEqual(empty.state.aspects.schema?.columns, []);
    assert.equal(empty.schemaChanged, true);
  });

  it('mergeChange should keep lastModified when an upsert omits lastModifiedAt', () => {
    const state = fold([
      upsert(1, hour(1), { lastModifiedAt: hour(0) }),
      upsert(2, hour(2), { lastModifiedAt: undefined }),
    ]);
    assert.equal(state.aspects.lastModified?.at, hour(0));
    assert.equal(toAssetRecord(state).last_modified_at, hour(0));
  });

  it('mergeChange should report a schema change only when the fingerprint moves', () => {
    const state = fold([upsert(1, hour(1), { columns: columnsA() })]);
    const described = columnsA().map((column) => ({ ...column, description: 'new words' }));
    const restated = mergeChange(state, upsert(2, hour(2), { columns: described }));
    assert.deepEqual(
      [restated.changed, restated.changedAspects.includes('schema'), restated.schemaChanged],
      [true, true, false],
    );
    const retyped = columnsA().map((column) => (column.name === 'id' ? { ...column, type: 'text' } : column));
    assert.equal(mergeChange(restated.state, upsert(3, hour(3), { columns: retyped })).schemaChanged, true);
    assert.equal(
      mergeChange(undefined, upsert(4, hour(4), { columns: [] })).schemaChanged,
      true,
      'the first version',
    );
  });

  it('mergeChange should count a newer restatement as a change when only the stamps move', () => {
    const state = fold([upsert(1, hour(1))]);
    const result = mergeChange(state, upsert(2, hour(2)));
    assert.deepEqual([result.changed, result.state.revision, result.schemaChanged], [true, 2, false]);
    assert.equal(mergeChange(result.state, upsert(1, hour(1))).changed, false, 'the older one is now stale');
  });

  it('mergeChange should take the identity of any upsert over one a profile supplied when the upsert is older', () => {
    const first = fold([profiled(1, hour(5), 1)]);
    assert.equal(first.aspects.identity.origin, 'inferred');
    const state = mergeChange(first, upsert(2, hour(1), { name: 'Customers' })).state;
    assert.deepEqual([state.aspects.identity.origin, state.aspects.identity.name], ['reported', 'Customers']);
    assert.equal(mergeChange(state, profiled(3, hour(9), 2)).changedAspects.join(), 'profile');
  });

  it('mergeChange should never write the curated aspect when change events arrive', () => {
    const base = fold([upsert(1, hour(1))]);
    const curated = {
      owners: ['steward-jo'],
      tags: ['gold'],
      retention: 'P30D',
      by: 'jo',
      stamp: { occurredAt: hour(2), eventId: id(50) },
    };
    const state = { ...base, aspects: { ...base.aspects, curated } };
    const after = fold(
      [upsert(2, hour(9)), profiled(3, hour(10), 1), deleted(4, hour(11)), upsert(5, hour(12))],
      state,
    );
    assert.deepEqual(after.aspects.curated, curated);
  });

  it('mergeChange should keep samples out of the state and the record when profiles carry them', () => {
    const marked = (event: ChangeEvent): ChangeEvent => {
      const profile = event.profile ?? assert.fail('profile expected');
      const columns = profile.columns.map((column, i) => ({
        ...column,
        samples: [`SAMPLE-${String(i)}-a`, `SAMPLE-${String(i)}-b`],
      }));
      return { ...event, profile: { ...profile, columns } };
    };
    const state = fold([marked(fullUpsertEvent()), marked({ ...profileEvent(), occurredAt: hour(40) })]);
    for (const text of [JSON.stringify(state), JSON.stringify(toAssetRecord(state))]) {
      assert.doesNotMatch(text, /SAMPLE-|"samples"/);
    }
    assert.equal(state.aspects.profile?.columns.length, 3);
  });

  it('mergeChange should throw a RangeError when the event is about another asset', () => {
    assert.throws(() => mergeChange(fold([fullUpsertEvent()]), upsertEvent(1)), RangeError);
  });
});

describe('mergePlaceholder', () => {
  it('mergePlaceholder should create a placeholder named from its URN when the asset is absent', () => {
    const { state, changed, changedAspects } = mergePlaceholder(undefined, placeholderOf(hour(1), 1));
    assert.deepEqual(
      [changed, changedAspects, state.placeholder, state.revision],
      [true, ['identity'], true, 1],
    );
    assert.deepEqual(toAssetRecord(state), {
      urn: customersUrn,
      platform: 'postgres',
      instance: 'prod-eu',
      type: 'dataset',
      name: 'customers',
      qualified_name: 'shop.public.customers',
      description: null,
      owners: [],
      tags: [],
      deleted: false,
      placeholder: true,
      revision: 1,
      schema_fingerprint: null,
      last_modified_at: null,
      updated_stamp: { occurredAt: hour(1), eventId: id(1) },
    });
  });

  const existing: [string, Input[]][] = [
    ['a reported asset', [upsert(1, hour(1))]],
    ['a deleted asset', [upsert(1, hour(1)), deleted(2, hour(2))]],
    ['another placeholder', [placeholderOf(hour(1), 1)]],
  ];
  for (const [what, inputs] of existing) {
    it(`mergePlaceholder should change nothing when the state holds ${what}`, () => {
      const state = fold(inputs);
      const result = mergePlaceholder(state, { ...placeholderOf(hour(50), 50), name: 'other', type: 'view' });
      assert.equal(result.changed, false);
      assert.equal(result.state, state);
    });
  }

  it('mergeChange should clear the placeholder when a real upsert older than the placeholder arrives', () => {
    const state = fold([placeholderOf(hour(9), 9), upsert(1, hour(1), { type: 'view' })]);
    assert.deepEqual([state.placeholder, state.aspects.identity.type, state.revision], [false, 'view', 2]);
  });

  it('mergePlaceholder should throw when the URN names a column or the stamp is not an instant', () => {
    assert.throws(
      () => mergePlaceholder(undefined, { ...placeholderOf(hour(1), 1), urn: `${customersUrn}#email` }),
      UrnError,
    );
    assert.throws(() => mergePlaceholder(undefined, placeholderOf('yesterday', 1)), RangeError);
  });
});

describe('toAssetRecord and profileWithoutSamples', () => {
  it('toAssetRecord should flatten the aspects when every aspect is set', () => {
    const base = fold([fullUpsertEvent(), deleted(9, hour(13))]);
    const curated = {
      owners: ['steward-jo'],
      tags: ['pii', 'gold'],
      by: 'jo',
      stamp: { occurredAt: hour(0), eventId: id(50) },
    };
    const record = toAssetRecord({ ...base, aspects: { ...base.aspects, curated } });
    assert.deepEqual(record, {
      urn: customersUrn,
      platform: 'postgres',
      instance: 'prod-eu',
      type: 'table',
      name: 'customers',
      qualified_name: 'shop.public.customers',
      description: 'One row per customer',
      owners: ['steward-jo'],
      tags: ['tier1', 'pii', 'gold'],
      deleted: true,
      placeholder: false,
      revision: 2,
      schema_fingerprint: schemaFingerprint(columnsA()),
      last_modified_at: '2024-05-01T11:59:00+02:00',
      updated_stamp: stampOf(deleted(9, hour(13))),
    });
  });

  it('profileWithoutSamples should keep every statistic when columns carry samples', () => {
    const profile = fullUpsertEvent().profile ?? assert.fail('profile expected');
    const stats = profileWithoutSamples(profile);
    assert.deepEqual(stats, {
      ...profile,
      columns: profile.columns.map(({ samples: _samples, ...column }) => column),
    });
  });
});
