import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { estypes } from '@elastic/elasticsearch';
import {
  assetByUrn,
  autocomplete,
  countsBy,
  limits,
  searchAssets,
  staleAssets,
  type Request,
  type SortKey,
} from '../../../src/adapters/elasticsearch/asset-queries.ts';
import {
  facetCounts,
  suggestions,
  type AutocompleteSource,
} from '../../../src/adapters/elasticsearch/asset-results.ts';
import { MAX_URN_LENGTH } from '../../../src/domain/urn.ts';

/** Every object key anywhere in a request, and every value under a given key. */
function keys(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keys(v, found);
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) {
      found.add(k);
      keys(v, found);
    }
  return found;
}
function valuesAt(value: unknown, key: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const v of value) valuesAt(v, key, found);
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) {
      if (k === key) found.push(v);
      valuesAt(v, key, found);
    }
  return found;
}

const hostile = [
  'name:* OR (((',
  '\\',
  '*a*a*a*a*a*',
  '/.*/',
  'ab?c*',
  'a~2',
  '"x" -y +z | (w)',
  '{"script":"1"}',
];
const unsafeQueries = ['wildcard', 'regexp', 'query_string', 'fuzzy', 'prefix', 'script', 'script_score'];
const sorts: SortKey[] = ['relevance', 'name', 'quality', 'updated'];

describe('searchAssets', () => {
  it('should refuse sizes, texts, values and dates beyond the caps', () => {
    for (const size of [0, 101, 1.5, Number.NaN]) assert.throws(() => searchAssets({ size }), RangeError);
    assert.throws(() => searchAssets({ facetSize: limits.maxFacetSize + 1 }), RangeError);
    assert.throws(() => searchAssets({ text: 'x'.repeat(limits.maxTextLength + 1) }), RangeError);
    const many = Array.from({ length: limits.maxFilterValues + 1 }, (_, i) => `t${i}`);
    assert.throws(() => searchAssets({ filters: { tag: { values: many } } }), RangeError);
    const long = 'x'.repeat(limits.maxValueLength + 1);
    assert.throws(() => searchAssets({ filters: { owner: { values: [long] } } }), RangeError);
    assert.throws(() => searchAssets({ filters: { schemaChangedSince: 'last tuesday' } }), RangeError);
    assert.equal(searchAssets({ size: limits.maxSize }).size, 100);
  });

  it('should never build a wildcard, regexp, fuzzy, prefix or query_string query from user text', () => {
    for (const text of hostile) {
      const request = searchAssets({ text });
      const found = keys(request);
      for (const unsafe of unsafeQueries) assert.ok(!found.has(unsafe), `${unsafe} for ${text}`);
      for (const flags of valuesAt(request, 'flags')) assert.doesNotMatch(String(flags), /PREFIX|FUZZY|ALL/);
      assert.ok(valuesAt(request, 'analyze_wildcard').every((v) => v === false));
      assert.ok(valuesAt(request, 'lenient').every((v) => v === true));
    }
  });

  it('should add the split words of plain identifiers, and not when the text has operators', () => {
    const plain = JSON.stringify(searchAssets({ text: 'custPhone orders2' }));
    assert.match(plain, /"multi_match":\{"query":"cust phone orders 2","type":"cross_fields"/);
    for (const text of ['cust* phone', '"cust phone"', 'cust | phone', 'orders -archived'])
      assert.doesNotMatch(JSON.stringify(searchAssets({ text })), /cross_fields/, text);
  });

  it('should end every sort with the URN, so search_after pages never skip or repeat', () => {
    for (const sort of sorts)
      for (const text of [undefined, 'orders']) {
        const request = searchAssets({ sort, ...(text && { text }) });
        assert.deepEqual((request.sort as unknown[]).at(-1), { urn: { order: 'asc' } }, `${sort} ${text}`);
      }
    assert.deepEqual(searchAssets({ sort: 'relevance' }).sort, [
      { 'name.raw': { order: 'asc', missing: '_last' } },
      { urn: { order: 'asc' } },
    ]);
  });

  it('should pass search_after through only when it fits the sort', () => {
    assert.deepEqual(searchAssets({ sort: 'name', searchAfter: ['orders', 'urn:x'] }).search_after, [
      'orders',
      'urn:x',
    ]);
    for (const searchAfter of [
      ['orders'],
      ['a', 'b', 'c'],
      [{}, 'u'],
      [Number.NaN, 'u'],
      ['x'.repeat(5000), 'u'],
    ])
      assert.throws(() => searchAssets({ sort: 'name', searchAfter }), RangeError);
  });

  it('should bound the total and mark matches in escaped text only when there is text', () => {
    assert.equal(searchAssets({}).track_total_hits, limits.totalHits);
    assert.equal(searchAssets({}).highlight, undefined);
    assert.equal(searchAssets({}).post_filter, undefined, 'no facet selected');
    assert.equal(searchAssets({ text: 'x' }).highlight?.encoder, 'html');
  });

  it('should filter any with terms and all with one term per value, deduplicated', () => {
    const request = searchAssets({
      filters: {
        tag: { values: ['pii', 'gold', 'pii'], mode: 'all' },
        platform: { values: ['postgres', 'mysql'] },
      },
    });
    assert.deepEqual(request.post_filter, {
      bool: {
        filter: [
          { terms: { platform: ['postgres', 'mysql'] } },
          { term: { tags: 'pii' } },
          { term: { tags: 'gold' } },
        ],
      },
    });
  });

  it('should count each facet under every filter but its own, and narrow hits by all in post_filter', () => {
    const request = searchAssets({
      filters: { platform: { values: ['postgres'] }, class: { values: ['email'] }, hasOpenViolations: true },
    });
    const aggs = request.aggs as Record<string, { filter: unknown; aggs: unknown }>;
    assert.deepEqual(aggs.platform?.filter, { bool: { filter: [{ terms: { classes: ['email'] } }] } });
    assert.deepEqual(aggs.class?.filter, { bool: { filter: [{ terms: { platform: ['postgres'] } }] } });
    assert.deepEqual(aggs.tag?.filter, {
      bool: { filter: [{ terms: { platform: ['postgres'] } }, { terms: { classes: ['email'] } }] },
    });
    assert.deepEqual(aggs.qualityBand?.aggs, { values: { terms: { field: 'quality.band', size: 10 } } });
    // Filters without a facet narrow the facets too, so they sit in the query.
    const query = request.query?.bool as estypes.QueryDslBoolQuery;
    assert.deepEqual(query.filter, [{ range: { 'violations.open': { gt: 0 } } }]);
    assert.deepEqual(query.must_not, [{ term: { deleted: true } }]);
  });

  it('should express false flags as the negation and stale as freshUntil before now', () => {
    const query = searchAssets({ filters: { stale: false, hasOpenViolations: false } }).query?.bool;
    assert.deepEqual(query?.filter, [
      { bool: { must_not: [{ range: { 'violations.open': { gt: 0 } } }] } },
      { bool: { must_not: [{ range: { freshUntil: { lt: 'now/m' } } }] } },
    ]);
  });
});

describe('autocomplete', () => {
  it('should split the prefix like identifiers and look up the last word as a prefix', () => {
    const request = autocomplete({ prefix: 'custPh' });
    assert.deepEqual(valuesAt(request, 'multi_match'), [
      { query: 'cust ph', type: 'bool_prefix', fields: ['nameWords^3', 'columns.words'], operator: 'and' },
    ]);
    assert.equal(request.size, limits.maxSuggestions);
  });

  it('should cap the prefix and the size, and match nothing when the prefix has no words', () => {
    assert.throws(() => autocomplete({ prefix: 'a'.repeat(limits.maxPrefixLength + 1) }), RangeError);
    assert.throws(() => autocomplete({ prefix: 'a', size: limits.maxSuggestions + 1 }), RangeError);
    for (const prefix of ['', '  ', '*', '.*?', '___'])
      assert.deepEqual(autocomplete({ prefix }).query, { match_none: {} });
  });

  it('should never build a wildcard, regexp or prefix query from the prefix', () => {
    for (const prefix of hostile) {
      const found = keys(autocomplete({ prefix }));
      for (const unsafe of unsafeQueries) assert.ok(!found.has(unsafe), `${unsafe} for ${prefix}`);
    }
  });
});

describe('suggestions', () => {
  const hit = (name: string, columns: string[]): estypes.SearchHit<AutocompleteSource> => ({
    _index: 'i',
    _id: name,
    _source: {
      urn: `urn:${name}`,
      name,
      qualifiedName: name,
      platform: 'postgres',
      type: 'table',
      columns: columns.map((c) => ({ name: c })),
    },
  });

  it('should list the asset, then its matching columns, with every word but the last matched exactly', () => {
    const hits = [
      hit('customer_orders', ['cust_phone_no', 'customerID', 'phone']),
      hit('orders', ['customer']),
    ];
    assert.deepEqual(
      suggestions(hits, 'cust').map((s) => [s.kind, s.text]),
      [
        ['asset', 'customer_orders'],
        ['column', 'cust_phone_no'],
        ['column', 'customerID'],
        ['column', 'customer'],
      ],
    );
    assert.deepEqual(
      suggestions(hits, 'custPh').map((s) => s.text),
      ['cust_phone_no'],
    );
    assert.equal(suggestions(hits, 'cust', 2).length, 2);
    assert.deepEqual(suggestions(hits, '***'), []);
  });
});

describe('assetByUrn, countsBy, staleAssets', () => {
  it('should look an asset up by its URN and refuse what cannot be one', () => {
    assert.deepEqual(assetByUrn('urn:a').query, { term: { urn: 'urn:a' } });
    assert.throws(() => assetByUrn(''), RangeError);
    assert.throws(() => assetByUrn('u'.repeat(MAX_URN_LENGTH + 1)), RangeError);
  });

  it('should count live assets by the field behind a facet', () => {
    const request: Request = countsBy('qualityBand', 5);
    assert.deepEqual(request.aggs, { counts: { terms: { field: 'quality.band', size: 5 } } });
    assert.equal(request.size, 0);
    assert.throws(() => countsBy('tag', limits.maxSize + 1), RangeError);
  });

  it('should page stale assets oldest first, with the URN as tiebreaker', () => {
    const now = new Date('2024-05-01T12:00:00Z');
    const request = staleAssets(now, { unflaggedOnly: true, searchAfter: [1, 'urn:a'] });
    assert.deepEqual(request.query?.bool?.filter, [
      { range: { freshUntil: { lt: '2024-05-01T12:00:00.000Z' } } },
    ]);
    assert.deepEqual(request.query?.bool?.must_not, [{ term: { deleted: true } }, { term: { stale: true } }]);
    assert.deepEqual(request.sort, [{ freshUntil: { order: 'asc' } }, { urn: { order: 'asc' } }]);
    assert.throws(() => staleAssets(new Date(Number.NaN)), RangeError);
    assert.throws(() => staleAssets(now, { size: limits.maxBatch + 1 }), RangeError);
  });
});

describe('facetCounts', () => {
  it('should read each facet’s buckets and give empty lists for facets that are absent', () => {
    const counts = facetCounts({
      platform: { doc_count: 3, values: { buckets: [{ key: 'postgres', doc_count: 2 }] } },
      tag: { doc_count: 0, values: { buckets: [] } },
    });
    assert.deepEqual(counts.platform, [{ value: 'postgres', count: 2 }]);
    assert.deepEqual(counts.tag, []);
    assert.deepEqual(counts.sensitivity, []);
  });
});
