import type { estypes } from '@elastic/elasticsearch';
import { searchableWords, splitIdentifier } from '../../domain/identifiers.ts';
import { MAX_URN_LENGTH } from '../../domain/urn.ts';
import type { QualityBand, Sensitivity, ViolationStatus } from './asset-index.ts';

/**
 * Every request the API sends to the asset alias, built from typed, validated parameters (pure: no I/O).
 * User text reaches Elasticsearch only through `simple_query_string` (never `query_string`: no field
 * names, no wildcards, no regular expressions, and a syntax error is not an error) or through `multi_match`
 * over words split here. No wildcard, regexp or fuzzy query is ever built from user input, and prefixes are
 * capped. The API validates first (TypeBox); a value out of range here is a bug, so it throws RangeError.
 */

export const limits = {
  maxSize: 100,
  maxTextLength: 256,
  maxFilterValues: 50,
  maxValueLength: 1024,
  maxFacetSize: 50,
  maxPrefixLength: 64,
  maxSuggestions: 10,
  maxBatch: 1000,
  /** Totals are exact up to here, then reported as a lower bound (`relation: 'gte'`). */
  totalHits: 10_000,
} as const;

export type Request = Omit<estypes.SearchRequest, 'index'>;
export type Mode = 'any' | 'all';

export interface ValueFilter<T extends string = string> {
  readonly values: readonly T[];
  /** any (default): one of the values; all: every value (for the multi-valued fields). */
  readonly mode?: Mode;
}

interface FacetValues {
  platform: string;
  instance: string;
  type: string;
  owner: string;
  tag: string;
  class: string;
  sensitivity: Sensitivity;
  qualityBand: QualityBand;
  violationStatus: ViolationStatus;
}
export type Facet = keyof FacetValues;

/** The filters that have facets, and the field behind each. */
export const facetFields: Readonly<Record<Facet, string>> = {
  platform: 'platform',
  instance: 'instance',
  type: 'type',
  owner: 'owners',
  tag: 'tags',
  class: 'classes',
  sensitivity: 'sensitivity',
  qualityBand: 'quality.band',
  violationStatus: 'violations.status',
};
export const facets = Object.keys(facetFields) as Facet[];

export type AssetFilters = { readonly [F in Facet]?: ValueFilter<FacetValues[F]> } & {
  readonly hasOpenViolations?: boolean;
  /** true: `freshUntil` has passed; false: it has not, or the asset has no freshness expectation. */
  readonly stale?: boolean;
  /** ISO-8601 date or date-time. */
  readonly schemaChangedSince?: string;
  /** Only these assets (e.g. what lineage reaches from one); empty matches nothing. */
  readonly urns?: readonly string[];
};

export type SortKey = 'relevance' | 'name' | 'quality' | 'updated';

export interface SearchParams {
  readonly text?: string;
  readonly filters?: AssetFilters;
  /** relevance without text sorts by name. */
  readonly sort?: SortKey;
  readonly size?: number;
  readonly facetSize?: number;
  /** The `sort` values of the previous page's last hit, as Elasticsearch returned them. */
  readonly searchAfter?: readonly unknown[];
}

// Tombstoned assets are deleted from the index; a document still flagged deleted is never shown either.
const isDeleted: estypes.QueryDslQueryContainer = { term: { deleted: true } };
const tiebreaker: estypes.SortCombinations = { urn: { order: 'asc' } };
const textFields = [
  'name^3',
  'nameWords^2',
  'qualifiedName',
  'description',
  'columnNames',
  'columns.words',
  'columns.description',
];
// No PREFIX (`*`), FUZZY (`~`), NEAR/SLOP or ESCAPE: those characters are plain text, analyzed away.
const safeFlags = 'AND|OR|NOT|PHRASE|PRECEDENCE|WHITESPACE';
const operators = /[+|"*()~\\]|(?:^|\s)-/;

function range(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be an integer ${min}-${max}`);
  return value;
}

function text(value: string | undefined, name: string, max: number): string | undefined {
  const normalized = value?.normalize('NFC').trim();
  if (normalized && normalized.length > max) throw new RangeError(`${name} is longer than ${max}`);
  return normalized || undefined;
}

function facetClauses(filter: ValueFilter | undefined, field: string): estypes.QueryDslQueryContainer[] {
  if (!filter?.values.length) return [];
  if (filter.values.length > limits.maxFilterValues)
    throw new RangeError(`${field}: at most ${limits.maxFilterValues} values`);
  if (filter.values.some((v) => v.length > limits.maxValueLength))
    throw new RangeError(`${field}: a value is longer than ${limits.maxValueLength}`);
  const values = [...new Set(filter.values)];
  return filter.mode === 'all'
    ? values.map((value) => ({ term: { [field]: value } }))
    : [{ terms: { [field]: values } }];
}

const not = (query: estypes.QueryDslQueryContainer) => ({ bool: { must_not: [query] } });
const when = (flag: boolean | undefined, query: estypes.QueryDslQueryContainer) =>
  flag === undefined ? [] : [flag ? query : not(query)];

/** Filters without a facet: they narrow hits and every facet alike, so they sit in the query (cached). */
function plainClauses(filters: AssetFilters): estypes.QueryDslQueryContainer[] {
  const since = filters.schemaChangedSince;
  if (since !== undefined && Number.isNaN(Date.parse(since)))
    throw new RangeError('schemaChangedSince must be an ISO-8601 date');
  return [
    ...when(filters.hasOpenViolations, { range: { 'violations.open': { gt: 0 } } }),
    // `now/m` rounds to the minute, so the clause is cacheable for a minute.
    ...when(filters.stale, { range: { freshUntil: { lt: 'now/m' } } }),
    ...(since === undefined ? [] : [{ range: { schemaChangedAt: { gte: since } } }]),
    ...(filters.urns === undefined ? [] : [{ terms: { urn: [...filters.urns] } }]),
  ];
}

function textQuery(query: string): estypes.QueryDslQueryContainer {
  const simple: estypes.QueryDslQueryContainer = {
    simple_query_string: {
      query,
      fields: textFields,
      default_operator: 'and',
      flags: safeFlags,
      lenient: true,
      analyze_wildcard: false,
      auto_generate_synonyms_phrase_query: false,
    },
  };
  // Plain words may be identifiers (`custPhone`): their split words must all be among the asset's words.
  const words = operators.test(query) ? '' : searchableWords(query.split(/\s+/));
  if (!words) return simple;
  const split = {
    multi_match: {
      query: words,
      type: 'cross_fields',
      fields: ['nameWords^2', 'columns.words'],
      operator: 'and',
    },
  } satisfies estypes.QueryDslQueryContainer;
  return { bool: { should: [simple, split], minimum_should_match: 1 } };
}

function sortFor(key: SortKey, hasText: boolean): estypes.SortCombinations[] {
  const by = (field: string, order: 'asc' | 'desc'): estypes.SortCombinations => ({
    [field]: { order, missing: '_last' },
  });
  if (key === 'relevance' && hasText) return [{ _score: { order: 'desc' } }, tiebreaker];
  if (key === 'quality') return [by('quality.score', 'desc'), tiebreaker];
  if (key === 'updated') return [by('updatedAt', 'desc'), tiebreaker];
  return [by('name.raw', 'asc'), tiebreaker];
}

type SortValue = string | number | boolean | null;

const isSortValue = (v: unknown): v is SortValue =>
  v === null ||
  typeof v === 'boolean' ||
  (typeof v === 'number' && Number.isFinite(v)) ||
  (typeof v === 'string' && v.length <= MAX_URN_LENGTH);

function cursor(values: readonly unknown[] | undefined, length: number): SortValue[] | undefined {
  if (values === undefined) return undefined;
  const checked = values.filter(isSortValue);
  if (values.length !== length || checked.length !== length)
    throw new RangeError(`searchAfter must be the ${length} sort values of a hit of the same sort`);
  return checked;
}

/**
 * Search with facets. Facet filters go in `post_filter`, which narrows the hits after the aggregations
 * ran; each facet's aggregation is wrapped in a `filter` of every *other* facet filter. So a facet counts
 * with the other selections applied but not its own, and its unselected values stay visible with the
 * counts they would give (selecting postgres does not hide mysql from the platform facet).
 */
export function searchAssets(params: SearchParams): Request {
  const size = range('size', params.size ?? 20, 1, limits.maxSize);
  const facetSize = range('facetSize', params.facetSize ?? 10, 1, limits.maxFacetSize);
  const query = text(params.text, 'text', limits.maxTextLength);
  const filters = params.filters ?? {};
  const byFacet = new Map(facets.map((f) => [f, facetClauses(filters[f], facetFields[f])]));
  const except = (facet?: Facet) => [...byFacet].flatMap(([f, clauses]) => (f === facet ? [] : clauses));
  const selected = except();
  const sort = sortFor(params.sort ?? 'relevance', query !== undefined);
  const searchAfter = cursor(params.searchAfter, sort.length);
  return {
    size,
    track_total_hits: limits.totalHits,
    query: {
      bool: { must: query ? [textQuery(query)] : [], filter: plainClauses(filters), must_not: [isDeleted] },
    },
    ...(selected.length ? { post_filter: { bool: { filter: selected } } } : {}),
    aggs: Object.fromEntries(
      facets.map((f) => [
        f,
        {
          filter: { bool: { filter: except(f) } },
          aggs: { values: { terms: { field: facetFields[f], size: facetSize } } },
        },
      ]),
    ),
    sort,
    ...(searchAfter && { search_after: searchAfter }),
    ...(query && {
      highlight: {
        encoder: 'html', // the data is escaped, so only the tags are markup
        pre_tags: ['<mark>'],
        post_tags: ['</mark>'],
        fields: {
          name: { number_of_fragments: 0 },
          nameWords: { number_of_fragments: 0 },
          description: { fragment_size: 150, number_of_fragments: 2 },
          'columns.words': { number_of_fragments: 5, fragment_size: 100 },
          'columns.description': { fragment_size: 150, number_of_fragments: 2 },
        },
      },
    }),
    _source: { excludes: ['nameWords', 'columns.words', 'columns.description'] },
  };
}

/**
 * Assets whose name, or one of whose columns, has words starting with the prefix's words: every word but
 * the last exactly, the last as a prefix (`custPh` → cust, ph*). The prefix is split like the names, so
 * `cust_ph`, `custPh` and `cust ph` are one query. The last word is looked up in the `index_prefixes`
 * terms (1–10 characters), never expanded from user-controlled patterns.
 */
export function autocomplete(params: { readonly prefix: string; readonly size?: number }): Request {
  const size = range('size', params.size ?? limits.maxSuggestions, 1, limits.maxSuggestions);
  const words = splitIdentifier(text(params.prefix, 'prefix', limits.maxPrefixLength) ?? '');
  if (!words.length) return { size: 0, track_total_hits: false, query: { match_none: {} } };
  return {
    size,
    track_total_hits: false,
    _source: ['urn', 'name', 'qualifiedName', 'platform', 'type', 'columns.name'],
    query: {
      bool: {
        must: [
          {
            multi_match: {
              query: words.join(' '),
              type: 'bool_prefix',
              fields: ['nameWords^3', 'columns.words'],
              operator: 'and',
            },
          },
        ],
        must_not: [isDeleted],
      },
    },
    sort: [{ _score: { order: 'desc' } }, { 'name.raw': { order: 'asc' } }, tiebreaker],
  };
}

/** One asset by URN; `version: true` returns its revision as `_version`. */
export function assetByUrn(urn: string): Request {
  if (!urn || urn.length > MAX_URN_LENGTH) throw new RangeError(`urn must be 1-${MAX_URN_LENGTH} characters`);
  return { size: 1, version: true, query: { term: { urn } } };
}

/** Dashboard counts: live assets per value of one facet field, with the exact total. */
export function countsBy(facet: Facet, size = 20): Request {
  return {
    size: 0,
    track_total_hits: true,
    query: { bool: { must_not: [isDeleted] } },
    aggs: { counts: { terms: { field: facetFields[facet], size: range('size', size, 1, limits.maxSize) } } },
  };
}

/**
 * Assets whose `freshUntil` is before `now`, oldest first, paged with `searchAfter`. `unflaggedOnly` keeps
 * those whose document does not say `stale` yet: the ones a sweep still has to re-index.
 */
export function staleAssets(
  now: Date,
  options: {
    readonly size?: number;
    readonly searchAfter?: readonly unknown[];
    readonly unflaggedOnly?: boolean;
  } = {},
): Request {
  if (Number.isNaN(now.getTime())) throw new RangeError('now must be a valid date');
  const searchAfter = cursor(options.searchAfter, 2);
  return {
    size: range('size', options.size ?? 100, 1, limits.maxBatch),
    track_total_hits: false,
    _source: ['urn', 'freshUntil', 'stale', 'revision'],
    query: {
      bool: {
        filter: [{ range: { freshUntil: { lt: now.toISOString() } } }],
        must_not: [isDeleted, ...(options.unflaggedOnly ? [{ term: { stale: true } }] : [])],
      },
    },
    sort: [{ freshUntil: { order: 'asc' } }, tiebreaker],
    ...(searchAfter && { search_after: searchAfter }),
  };
}
