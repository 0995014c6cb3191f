import { errors, type Client, type estypes } from '@elastic/elasticsearch';
import type { AssetDocument } from '../../domain/asset-document.ts';
import { TransientError, isRetriable } from '../../errors.ts';
import { MAX_URN_LENGTH } from '../../domain/urn.ts';
import { assetByUrn, autocomplete, searchAssets, type SearchParams } from './asset-queries.ts';
import { facetCounts, suggestions, type FacetCounts, type Suggestion } from './asset-results.ts';

/** The search side of the asset index, for the API: typed results, no Elasticsearch types leak out. */

/** What a hit shows: the document without the fields that only exist for matching. */
export type AssetSummary = Omit<AssetDocument, 'nameWords' | 'columns'> & {
  readonly columns: readonly Omit<AssetDocument['columns'][number], 'words' | 'description'>[];
};

export interface AssetHit {
  readonly asset: AssetSummary;
  /** Highlighted fragments per field, HTML-escaped with `<mark>` around the matches. */
  readonly highlights: Readonly<Record<string, readonly string[]>>;
  /** The hit's sort values: the cursor of the page that follows it. */
  readonly sort: readonly unknown[];
}

export interface SearchPage {
  readonly hits: readonly AssetHit[];
  readonly total: { readonly value: number; readonly relation: 'eq' | 'gte' };
  readonly facets: FacetCounts;
}

export interface AssetSearch {
  search(params: SearchParams): Promise<SearchPage>;
  autocomplete(prefix: string, size?: number): Promise<Suggestion[]>;
  /** The indexed document of one asset, with its revision; undefined when it is not indexed. */
  get(urn: string): Promise<AssetSummary | undefined>;
}

/**
 * Elasticsearch failures, as the API must report them: the server unreachable, timing out or shedding load
 * is a dependency outage (TransientError → 503); a missing index means nothing is indexed yet (empty
 * results, not an error); anything else is a bug in a query we built and is rethrown as is (→ 500).
 */
async function guarded<T>(call: () => Promise<T>, whenMissing: () => T): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isRetriable(error)) throw new TransientError('Elasticsearch is unavailable', error);
    if (error instanceof errors.ResponseError) {
      const type = (error.body as { error?: { type?: string } } | undefined)?.error?.type;
      if (type === 'index_not_found_exception') return whenMissing();
    }
    throw error;
  }
}

const emptyFacets = (): FacetCounts => facetCounts(undefined);

function summary(document: AssetDocument): AssetSummary {
  const { nameWords: _words, columns, ...rest } = document;
  return { ...rest, columns: columns.map(({ words: _w, description: _d, ...column }) => column) };
}

function totalOf(total: estypes.SearchTotalHits | number | undefined): SearchPage['total'] {
  if (typeof total === 'number') return { value: total, relation: 'eq' };
  return { value: total?.value ?? 0, relation: total?.relation ?? 'eq' };
}

export function assetSearch(
  client: Client,
  alias: string,
  options: { timeoutMs?: number } = {},
): AssetSearch {
  const requestTimeout = options.timeoutMs ?? 5_000;
  return {
    search: (params) =>
      guarded(
        async () => {
          const response = await client.search<AssetDocument>(
            { index: alias, ...searchAssets(params), timeout: `${requestTimeout}ms` },
            { requestTimeout },
          );
          return {
            hits: response.hits.hits.flatMap((hit) =>
              hit._source
                ? [
                    {
                      asset: summary(hit._source),
                      highlights: hit.highlight ?? {},
                      sort: hit.sort ?? [],
                    },
                  ]
                : [],
            ),
            total: totalOf(response.hits.total),
            facets: facetCounts(response.aggregations),
          };
        },
        () => ({ hits: [], total: { value: 0, relation: 'eq' }, facets: emptyFacets() }),
      ),
    autocomplete: (prefix, size) =>
      guarded(
        async () => {
          const response = await client.search<AssetDocument>(
            { index: alias, ...autocomplete({ prefix, ...(size !== undefined && { size }) }) },
            { requestTimeout },
          );
          return suggestions(response.hits.hits, prefix, size);
        },
        () => [],
      ),
    get: (urn) =>
      // Longer than any URN (in UTF-16 units, as the index counts): no document can have it.
      !urn || urn.length > MAX_URN_LENGTH
        ? Promise.resolve(undefined)
        : guarded(
            async () => {
              const response = await client.search<AssetDocument>(
                { index: alias, ...assetByUrn(urn) },
                { requestTimeout },
              );
              const document = response.hits.hits[0]?._source;
              return document && !document.deleted ? summary(document) : undefined;
            },
            () => undefined,
          ),
  };
}
