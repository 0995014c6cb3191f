import type { estypes } from '@elastic/elasticsearch';
import { splitIdentifier } from '../../domain/identifiers.ts';
import type { AssetDocument } from './asset-index.ts';
import { facets, limits, type Facet } from './asset-queries.ts';

/** Pure readers of the responses to asset-queries.ts requests, for the API. */

export type AutocompleteSource = Pick<
  AssetDocument,
  'urn' | 'name' | 'qualifiedName' | 'platform' | 'type'
> & {
  readonly columns?: readonly { readonly name: string }[];
};

export interface Suggestion {
  readonly kind: 'asset' | 'column';
  readonly urn: string;
  /** The asset's name, or the column's. */
  readonly text: string;
  readonly asset: AutocompleteSource;
}

/**
 * The suggestions in autocomplete hits: the asset itself when its name matches, then each matching column
 * (highlighting cannot say which: it does not see `index_prefixes` matches, and the columns are one
 * flattened field, so the same test is applied here to each name).
 */
export function suggestions(
  hits: readonly estypes.SearchHit<AutocompleteSource>[],
  prefix: string,
  size: number = limits.maxSuggestions,
): Suggestion[] {
  const wanted = splitIdentifier(prefix);
  const last = wanted.at(-1);
  const matches = (name: string) => {
    const have = splitIdentifier(name);
    return (
      last !== undefined &&
      wanted.slice(0, -1).every((w) => have.includes(w)) &&
      have.some((w) => w.startsWith(last))
    );
  };
  return hits
    .flatMap(({ _source: asset }) => {
      if (!asset) return [];
      const own = matches(asset.name)
        ? [{ kind: 'asset' as const, urn: asset.urn, text: asset.name, asset }]
        : [];
      const columns = (asset.columns ?? [])
        .filter((c) => matches(c.name))
        .map((c) => ({ kind: 'column' as const, urn: asset.urn, text: c.name, asset }));
      return [...own, ...columns];
    })
    .slice(0, size);
}

export type FacetCounts = Record<Facet, { value: string; count: number }[]>;

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

/** The facets of a searchAssets response, value and count per bucket, in Elasticsearch's order. */
export function facetCounts(aggregations: unknown): FacetCounts {
  const buckets = (facet: Facet) => {
    const list = record(record(record(aggregations)[facet]).values).buckets;
    return (Array.isArray(list) ? list : []).map((b) => {
      const { key, key_as_string: asString, doc_count: count } = record(b);
      return { value: String(asString ?? key), count: Number(count) };
    });
  };
  return Object.fromEntries(facets.map((f) => [f, buckets(f)])) as FacetCounts;
}
