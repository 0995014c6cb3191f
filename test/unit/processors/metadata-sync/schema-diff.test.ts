import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  diffSchemas,
  schemaFingerprint,
  type ColumnChange,
  type ColumnChangeKind,
  type SchemaDiff,
} from '../../../../processors/metadata-sync/schema-diff.ts';
import { fnv1a64 } from '../../../../processors/metadata-sync/schema-fingerprint.ts';
import type { AssetColumn } from '../../../../src/domain/change-event.ts';

const col = (name: string, type: string, extra: Partial<AssetColumn> = {}): AssetColumn => ({
  name,
  type,
  nullable: true,
  description: null,
  tags: [],
  ...extra,
});

/** Gives columns without an ordinal their 1-based position. */
const table = (...columns: AssetColumn[]): AssetColumn[] =>
  columns.map((column, i) => ({ ordinal: i + 1, ...column }));

const customers = (): AssetColumn[] =>
  table(
    col('id', 'bigint', { nullable: false, primaryKey: true, description: 'Surrogate key' }),
    col('email', 'varchar(255)', { nullable: false, unique: true, description: 'Contact address' }),
    col('name', 'text'),
    col('created_at', 'timestamptz', { nullable: false }),
  );

/** customers() with the column `name` changed by `change`. */
function customersWith(name: string, change: Partial<AssetColumn>): AssetColumn[] {
  return customers().map((column) => (column.name === name ? { ...column, ...change } : column));
}

type Expected = [kind: ColumnChangeKind, column: string, breaking: boolean];
const shape = (diff: SchemaDiff): Expected[] => diff.changes.map((c) => [c.kind, c.column, c.breaking]);

interface Case {
  should: string;
  when: string;
  before: AssetColumn[] | undefined;
  after: AssetColumn[];
  changes: Expected[];
  summary?: string;
  /** Fields every listed change must have, by position. */
  details?: Partial<ColumnChange>[];
}

const cases: Case[] = [
  {
    should: 'add every column, none breaking',
    when: 'there is no earlier version',
    before: undefined,
    after: customers(),
    changes: [
      ['added', 'id', false],
      ['added', 'email', false],
      ['added', 'name', false],
      ['added', 'created_at', false],
    ],
    summary: 'initial schema (4 columns)',
    details: [{ to: 'bigint', reason: 'initial schema' }],
  },
  {
    should: 'say "1 column"',
    when: 'the first version has one column',
    before: undefined,
    after: table(col('id', 'int')),
    changes: [['added', 'id', false]],
    summary: 'initial schema (1 column)',
  },
  {
    should: 'report nothing',
    when: 'the columns are equal',
    before: customers(),
    after: customers(),
    changes: [],
    summary: 'no changes',
  },
  {
    should: 'report a non-breaking add',
    when: 'a nullable column is added',
    before: customers(),
    after: [...customers(), col('phone', 'text', { ordinal: 5 })],
    changes: [['added', 'phone', false]],
    summary: '1 added',
    details: [{ to: 'text', reason: 'nullable column added' }],
  },
  {
    should: 'report a breaking add',
    when: 'a NOT NULL column is added',
    before: customers(),
    after: [...customers(), col('tenant', 'uuid', { ordinal: 5, nullable: false })],
    changes: [['added', 'tenant', true]],
    summary: '1 added (breaking)',
    details: [{ reason: 'NOT NULL column added: writers that omit it fail' }],
  },
  {
    should: 'apply the add rules, not the first-version rule',
    when: 'the earlier version had no columns',
    before: [],
    after: table(col('id', 'int', { nullable: false }), col('note', 'text')),
    changes: [
      ['added', 'id', true],
      ['added', 'note', false],
    ],
    summary: '2 added (1 breaking)',
  },
  {
    should: 'report a breaking drop',
    when: 'a column is dropped',
    before: customers(),
    after: customers().filter((c) => c.name !== 'name'),
    changes: [['dropped', 'name', true]],
    summary: '1 dropped (breaking)',
    details: [{ from: 'text' }],
  },
  {
    should: 'drop every column',
    when: 'the new version has no columns',
    before: table(col('a', 'int'), col('b', 'text')),
    after: [],
    changes: [
      ['dropped', 'a', true],
      ['dropped', 'b', true],
    ],
    summary: '2 dropped (breaking)',
  },
  {
    should: 'detect a rename',
    when: 'a dropped and an added column share ordinal, type and nullability',
    before: customers(),
    after: customersWith('name', { name: 'full_name', type: 'TEXT' }),
    changes: [['renamed', 'full_name', true]],
    summary: '1 renamed (breaking)',
    details: [{ from: 'name', to: 'full_name', previousName: 'name' }],
  },
  {
    should: 'detect a rename that also moved',
    when: 'the two columns share a description but not an ordinal',
    before: customers(),
    after: table(
      col('id', 'bigint', { nullable: false, primaryKey: true, description: 'Surrogate key' }),
      col('name', 'text'),
      col('contact_email', 'varchar(255)', { nullable: false, unique: true, description: 'Contact address' }),
      col('created_at', 'timestamptz', { nullable: false }),
    ),
    changes: [
      ['renamed', 'contact_email', true],
      ['reordered', 'contact_email', false],
    ],
    details: [{ previousName: 'email' }, { from: 2, to: 3 }],
  },
  {
    should: 'report the other changes of a renamed column',
    when: 'the renamed column gains a description',
    before: customers(),
    after: customersWith('name', { name: 'full_name', description: 'Given and family name' }),
    changes: [
      ['renamed', 'full_name', true],
      ['description_changed', 'full_name', false],
    ],
  },
  {
    should: 'not guess a rename',
    when: 'a dropped column has two candidates (one by ordinal, one by description)',
    before: table(col('id', 'int'), col('notes', 'text', { description: 'Free text' })),
    after: table(
      col('id', 'int'),
      col('remarks', 'text'),
      col('comment', 'text', { description: 'Free text' }),
    ),
    changes: [
      ['dropped', 'notes', true],
      ['added', 'remarks', false],
      ['added', 'comment', false],
    ],
  },
  {
    should: 'not guess a rename',
    when: 'an added column is the candidate of two dropped columns',
    before: table(
      col('id', 'int'),
      col('a', 'text', { description: 'x' }),
      col('b', 'text', { description: 'x' }),
    ),
    after: table(col('id', 'int'), col('c', 'text', { description: 'x' })),
    changes: [
      ['dropped', 'a', true],
      ['added', 'c', false],
      ['dropped', 'b', true],
    ],
  },
  {
    should: 'report a drop and an add, not a rename',
    when: 'the types differ',
    before: customers(),
    after: customersWith('name', { name: 'full_name', type: 'varchar(80)' }),
    changes: [
      ['added', 'full_name', false],
      ['dropped', 'name', true],
    ],
  },
  {
    should: 'report a drop and an add, not a rename',
    when: 'the nullability differs',
    before: customers(),
    after: customersWith('name', { name: 'full_name', nullable: false }),
    changes: [
      ['added', 'full_name', true],
      ['dropped', 'name', true],
    ],
  },
  {
    should: 'report a drop and an add, not a rename',
    when: 'both columns have different descriptions',
    before: table(col('id', 'int'), col('a', 'text', { description: 'Old meaning' })),
    after: table(col('id', 'int'), col('b', 'text', { description: 'New meaning' })),
    changes: [
      ['dropped', 'a', true],
      ['added', 'b', false],
    ],
  },
  {
    should: 'compare names case-sensitively',
    when: 'only the case of a name changes',
    before: customers(),
    after: customersWith('email', { name: 'Email' }),
    changes: [['renamed', 'Email', true]],
  },
  {
    should: 'report a breaking nullability change',
    when: 'a nullable column becomes NOT NULL',
    before: customers(),
    after: customersWith('name', { nullable: false }),
    changes: [['nullability_changed', 'name', true]],
    summary: '1 nullability changed (breaking)',
    details: [{ from: true, to: false }],
  },
  {
    should: 'report a non-breaking nullability change',
    when: 'a NOT NULL column becomes nullable',
    before: customers(),
    after: customersWith('created_at', { nullable: true }),
    changes: [['nullability_changed', 'created_at', false]],
    details: [{ from: false, to: true }],
  },
  {
    should: 'report a breaking key change',
    when: 'a primary key is added',
    before: customers(),
    after: customersWith('email', { primaryKey: true }),
    changes: [['key_changed', 'email', true]],
    summary: '1 key changed (breaking)',
    details: [{ from: null, to: true }],
  },
  {
    should: 'report a breaking key change',
    when: 'a primary key is removed',
    before: customers(),
    after: customersWith('id', { primaryKey: false }),
    changes: [['key_changed', 'id', true]],
    details: [{ from: true, to: false }],
  },
  {
    should: 'report a non-breaking key change',
    when: 'the source no longer reports a primary key flag',
    before: customers(),
    after: customersWith('id', { primaryKey: undefined }),
    changes: [['key_changed', 'id', false]],
    details: [{ from: true, to: null }],
  },
  {
    should: 'report one change per key flag',
    when: 'a column loses its unique constraint and becomes the primary key',
    before: customers(),
    after: customersWith('email', { unique: false, primaryKey: true }),
    changes: [
      ['key_changed', 'email', true],
      ['key_changed', 'email', true],
    ],
  },
  {
    should: 'report nothing',
    when: 'a key flag goes from absent to false',
    before: customers(),
    after: customersWith('name', { primaryKey: false, unique: false }),
    changes: [],
  },
  {
    should: 'report only the moved column',
    when: 'one column moves from first to last',
    before: table(col('a', 'int'), col('b', 'int'), col('c', 'int'), col('d', 'int')),
    after: table(col('b', 'int'), col('c', 'int'), col('d', 'int'), col('a', 'int')),
    changes: [['reordered', 'a', false]],
    summary: '1 reordered',
    details: [{ from: 1, to: 4 }],
  },
  {
    should: 'report a non-breaking reorder',
    when: 'two columns swap places',
    before: customers(),
    after: customers().map((c) => ({
      ...c,
      ordinal: c.name === 'email' ? 3 : c.name === 'name' ? 2 : c.ordinal,
    })),
    changes: [['reordered', 'email', false]],
  },
  {
    should: 'use the array order',
    when: 'the source gives no ordinals',
    before: [col('a', 'int'), col('b', 'int')],
    after: [col('b', 'int'), col('a', 'int')],
    changes: [['reordered', 'a', false]],
  },
  {
    should: 'report no reorder',
    when: 'a column added in the middle shifts the ordinals after it',
    before: table(col('a', 'int'), col('c', 'int')),
    after: table(col('a', 'int'), col('b', 'int'), col('c', 'int')),
    changes: [['added', 'b', false]],
  },
  {
    should: 'report no reorder',
    when: 'the source renumbers the columns after a drop',
    before: table(col('a', 'int'), col('b', 'int'), col('c', 'int')),
    after: table(col('a', 'int'), col('c', 'int')),
    changes: [['dropped', 'b', true]],
  },
  {
    should: 'report a non-breaking description change',
    when: 'only a description is edited',
    before: customers(),
    after: customersWith('email', { description: 'Primary contact address' }),
    changes: [['description_changed', 'email', false]],
    summary: '1 description changed',
    details: [{ from: 'Contact address', to: 'Primary contact address', reason: 'description edited' }],
  },
  {
    should: 'report nothing',
    when: 'an empty description replaces none',
    before: customers(),
    after: customersWith('name', { description: ' ' }),
    changes: [],
  },
  {
    should: 'report nothing',
    when: 'only tags change',
    before: customers(),
    after: customersWith('email', { tags: ['pii'] }),
    changes: [],
  },
  {
    should: 'sort changes by ordinal, then name, then kind',
    when: 'changes touch columns all over the table',
    before: table(col('a', 'int'), col('b', 'text'), col('c', 'int'), col('d', 'int')),
    after: table(
      col('a', 'bigint', { nullable: false }),
      col('c', 'int'),
      col('z', 'date'),
      col('y', 'date'),
    ),
    changes: [
      ['type_changed', 'a', false],
      ['nullability_changed', 'a', true],
      ['dropped', 'b', true],
      ['added', 'z', false],
      ['dropped', 'd', true],
      ['added', 'y', false],
    ],
    summary: '2 added, 2 dropped (breaking), 1 type changed, 1 nullability changed (breaking)',
  },
  {
    should: 'count breaking changes per kind',
    when: 'some type changes are widenings and one is not',
    before: table(col('a', 'smallint'), col('b', 'varchar(10)'), col('c', 'int')),
    after: table(col('a', 'integer'), col('b', 'varchar(20)'), col('c', 'text')),
    changes: [
      ['type_changed', 'a', false],
      ['type_changed', 'b', false],
      ['type_changed', 'c', true],
    ],
    summary: '3 type changed (1 breaking)',
  },
];

/** A realistic orders table and its next version: one change of almost every kind. */
const ordersBefore = table(
  col('id', 'int8', { nullable: false, primaryKey: true }),
  col('customer_id', 'int4', { nullable: false, description: 'Buyer' }),
  col('status', 'varchar(20)', { nullable: false }),
  col('total', 'numeric(10,2)', { nullable: false }),
  col('currency', 'char(3)', { nullable: false }),
  col('note', 'text'),
  col('coupon', 'varchar(32)'),
  col('placed_at', 'timestamp'),
  col('shipped_at', 'timestamptz'),
  col('external_ref', 'varchar(64)', { unique: true }),
  col('legacy_flag', 'bool'),
  col('updated_at', 'timestamptz', { nullable: false }),
);
const ordersAfter = table(
  col('id', 'BIGINT', { nullable: false, primaryKey: true }),
  col('customer_id', 'bigint', { nullable: false, description: 'Buyer (customers.id)' }),
  col('status', 'character varying(10)', { nullable: false }),
  col('total', 'numeric(12,2)', { nullable: false }),
  col('currency', 'character(3)', { nullable: false }),
  col('remarks', 'text'),
  col('coupon', 'varchar(32)', { nullable: false }),
  col('placed_at', 'timestamp with time zone'),
  col('shipped_at', 'timestamp with time zone'),
  col('external_ref', 'varchar(64)', { unique: false }),
  col('updated_at', 'timestamptz', { nullable: false }),
  col('channel', 'text'),
  col('tenant_id', 'uuid', { nullable: false }),
);
cases.push({
  should: 'report each change with its verdict',
  when: 'a realistic table changes in many ways at once',
  before: ordersBefore,
  after: ordersAfter,
  changes: [
    ['type_changed', 'customer_id', false],
    ['description_changed', 'customer_id', false],
    ['type_changed', 'status', true],
    ['type_changed', 'total', false],
    ['renamed', 'remarks', true],
    ['nullability_changed', 'coupon', true],
    ['type_changed', 'placed_at', true],
    ['key_changed', 'external_ref', true],
    ['dropped', 'legacy_flag', true],
    ['added', 'channel', false],
    ['added', 'tenant_id', true],
  ],
  summary:
    '2 added (1 breaking), 1 dropped (breaking), 1 renamed (breaking), 4 type changed (2 breaking), ' +
    '1 nullability changed (breaking), 1 key changed (breaking), 1 description changed',
});

describe('diffSchemas', () => {
  for (const c of cases) {
    it(`diffSchemas should ${c.should} when ${c.when}`, () => {
      const diff = diffSchemas(c.before, c.after);
      assert.deepEqual(shape(diff), c.changes);
      assert.equal(
        diff.breaking,
        c.changes.some(([, , breaking]) => breaking),
      );
      if (c.summary !== undefined) assert.equal(diff.summary, c.summary);
      for (const [i, fields] of (c.details ?? []).entries())
        assert.partialDeepStrictEqual(diff.changes[i], fields);
      for (const change of diff.changes) assert.ok(change.reason.length > 0, `${change.column} has a reason`);
    });
  }

  const types: [before: string, after: string, breaking: boolean][] = [
    ['varchar(50)', 'varchar(100)', false],
    ['varchar(100)', 'varchar(50)', true],
    ['varchar(255)', 'text', false],
    ['text', 'varchar(10)', true],
    ['char(2)', 'char(3)', false],
    ['char(3)', 'varchar(3)', true],
    ['numeric(10,2)', 'numeric(12,2)', false],
    ['numeric(12,2)', 'numeric(10,2)', true],
    ['numeric(10,2)', 'numeric(10,3)', true],
    ['numeric(10,2)', 'numeric', false],
    ['smallint', 'integer', false],
    ['integer', 'bigint', false],
    ['int2', 'int8', false],
    ['bigint', 'integer', true],
    ['integer', 'smallint', true],
    ['integer', 'numeric(12,2)', false],
    ['integer', 'numeric(5)', true],
    ['real', 'double precision', false],
    ['float8', 'float4', true],
    ['timestamp(3)', 'timestamp', false],
    ['timestamp', 'timestamp(0)', true],
    ['integer[]', 'bigint[]', false],
    ['int', 'text', true],
    ['text', 'integer', true],
    ['boolean', 'integer', true],
    ['date', 'timestamp', true],
    ['timestamp', 'timestamptz', true],
    ['integer', 'integer[]', true],
    ["enum('a','b')", "enum('a','b','c')", true],
  ];
  for (const [from, to, breaking] of types) {
    it(`diffSchemas should report a ${breaking ? 'breaking' : 'non-breaking'} type change when ${from} becomes ${to}`, () => {
      const diff = diffSchemas(table(col('v', from)), table(col('v', to)));
      assert.deepEqual(shape(diff), [['type_changed', 'v', breaking]]);
      assert.partialDeepStrictEqual(diff.changes[0], { from, to });
    });
  }

  const spellings: [before: string, after: string][] = [
    ['int4', 'integer'],
    ['INT', 'int4'],
    ['int8', 'BIGINT'],
    ['serial', 'integer'],
    ['int(11)', 'int'],
    ['varchar(50)', 'character varying(50)'],
    ['VARCHAR ( 50 )', 'varchar(50)'],
    ['timestamptz', 'timestamp with time zone'],
    ['timestamp(6) without time zone', 'timestamp'],
    ['bool', 'boolean'],
    ['float8', 'double precision'],
    ['float', 'double precision'],
    ['float(24)', 'real'],
    ['decimal(10)', 'numeric(10,0)'],
    ['char', 'character(1)'],
    ['_int4', 'integer[]'],
  ];
  for (const [from, to] of spellings) {
    it(`diffSchemas should report no change when ${from} is re-spelt ${to}`, () => {
      assert.deepEqual(diffSchemas(table(col('v', from)), table(col('v', to))).changes, []);
    });
  }

  it('diffSchemas should return equal diffs when called twice or with the columns in another array order', () => {
    const first = diffSchemas(ordersBefore, ordersAfter);
    assert.deepEqual(diffSchemas(ordersBefore, ordersAfter), first);
    assert.deepEqual(diffSchemas([...ordersBefore].reverse(), [...ordersAfter].reverse()), first);
  });

  it('diffSchemas should leave its inputs untouched when it diffs them', () => {
    const before = Object.freeze(ordersBefore.map((c) => Object.freeze({ ...c })));
    const after = Object.freeze(ordersAfter.map((c) => Object.freeze({ ...c })));
    assert.doesNotThrow(() => diffSchemas(before, after));
    assert.deepEqual(before, ordersBefore);
  });

  it('diffSchemas should handle 2000 columns quickly when every column is renamed or moved', () => {
    const many = (prefix: string) =>
      table(...Array.from({ length: 2000 }, (_, i) => col(`${prefix}${i}`, i % 2 ? 'int' : 'text')));
    const started = performance.now();
    const diff = diffSchemas(many('a'), many('b'));
    assert.equal(diff.changes.length, 2000);
    assert.ok(diff.changes.every((change) => change.kind === 'renamed'));
    assert.ok(performance.now() - started < 2000, 'took more than 2 s');
  });
});

describe('schemaFingerprint', () => {
  const base = schemaFingerprint(customers());

  it('schemaFingerprint should be v1- and 16 hex digits when given columns', () => {
    assert.match(base, /^v1-[0-9a-f]{16}$/);
    assert.match(schemaFingerprint([]), /^v1-[0-9a-f]{16}$/);
  });

  const same: [when: string, columns: AssetColumn[]][] = [
    ['only a description changes', customersWith('email', { description: 'Primary contact address' })],
    ['only tags change', customersWith('email', { tags: ['pii'] })],
    ['a type is re-spelt', customersWith('email', { type: 'character varying(255)' })],
    [
      'the ordinals are renumbered in the same order',
      customers().map((c, i) => ({ ...c, ordinal: 10 * i + 3 })),
    ],
    ['the array order differs but the ordinals do not', [...customers()].reverse()],
    ['a key flag goes from absent to false', customersWith('name', { primaryKey: false })],
  ];
  for (const [when, columns] of same) {
    it(`schemaFingerprint should not change when ${when}`, () => {
      assert.equal(schemaFingerprint(columns), base);
    });
  }

  const different: [when: string, columns: AssetColumn[]][] = [
    ['a column is renamed', customersWith('name', { name: 'full_name' })],
    ['a type is widened', customersWith('email', { type: 'text' })],
    ['the nullability changes', customersWith('name', { nullable: false })],
    ['a primary key is removed', customersWith('id', { primaryKey: false })],
    ['a unique constraint is added', customersWith('name', { unique: true })],
    [
      'two columns swap places',
      customersWith('email', { ordinal: 3 }).map((c) => (c.name === 'name' ? { ...c, ordinal: 2 } : c)),
    ],
    ['a column is added', [...customers(), col('phone', 'text', { ordinal: 5 })]],
  ];
  for (const [when, columns] of different) {
    it(`schemaFingerprint should change when ${when}`, () => {
      assert.notEqual(schemaFingerprint(columns), base);
    });
  }

  it('schemaFingerprint should differ exactly when diffSchemas reports more than description changes', () => {
    for (const c of cases) {
      if (c.before === undefined) continue;
      const versioned = c.changes.some(([kind]) => kind !== 'description_changed');
      assert.equal(
        schemaFingerprint(c.before) !== schemaFingerprint(c.after),
        versioned,
        `${c.should} when ${c.when}`,
      );
    }
  });

  it('fnv1a64 should match the published FNV-1a 64 test vectors when given ASCII text', () => {
    assert.equal(fnv1a64(''), 'cbf29ce484222325');
    assert.equal(fnv1a64('a'), 'af63dc4c8601ec8c');
    assert.equal(fnv1a64('foobar'), '85944171f73967e8');
  });
});
