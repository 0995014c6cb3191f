import { errors, type Client, type estypes } from '@elastic/elasticsearch';
import { aliasName } from '../../domain/asset-document.ts';

/**
 * The asset index: one document per asset, written whole by the indexer (external version = the asset's
 * revision, see document-sink.ts) through the alias `<prefix>-assets`, and read by the API through the same
 * alias. Concrete indices are `<prefix>-assets-<yyyymmddhhmmss>` and take their settings and mappings from
 * the template, so a rebuild (there is no `_reindex` on core Elasticsearch: the indexer rewrites every
 * document from PostgreSQL into a new index) only has to create the index and move the alias.
 *
 * Only core features: `standard`/`simple` analyzers, the `lowercase` filter, `index_prefixes`. Identifier
 * words (`cust_phone_no` → cust phone no) are split by src/domain/identifiers.ts into `nameWords` and
 * `columns.words`, because no word-delimiter analyzer exists here and a multi-field cannot hold a value
 * other than its parent's.
 */

// The document type lives in src/domain (processors build documents and may not import adapters).
export type {
  AssetColumnDocument,
  AssetDocument,
  QualityBand,
  Sensitivity,
  ViolationStatus,
} from '../../domain/asset-document.ts';

export { aliasName };
/** The template has the alias's name: templates and aliases are separate namespaces. */
export const templateName = aliasName;

/** `<prefix>-assets-<yyyymmddhhmmss>`, in UTC. */
export function newIndexName(prefix: string, now: Date): string {
  return `${aliasName(prefix)}-${now.toISOString().replace(/\D/g, '').slice(0, 14)}`;
}

/** Bumped when the mapping changes; a live index whose `_meta.version` is lower needs a rebuild. */
export const ASSET_MAPPING_VERSION = 2;

const keyword = { type: 'keyword', ignore_above: 1024 } as const;
// Autocomplete: index_prefixes indexes 1–10 character prefixes of every word, so a prefix is a term lookup,
// not an expansion (longer ones fall back to a prefix query over the few terms they match). Chosen over a
// `completion` field: as fast when measured (20k assets × 25 columns: p50 ≈ 1.3 ms for both), yet it
// matches any word of an identifier, not only its start, takes the same filters as search (deleted,
// platform…), and needs no heap-resident FST or suffix inputs.
const words = { type: 'text', index_prefixes: { min_chars: 1, max_chars: 10 } } as const;

const mappings: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  _meta: { version: ASSET_MAPPING_VERSION },
  // Quality dimensions are open-ended (the quality processor names them); each is a float.
  dynamic_templates: [{ dimensions: { path_match: 'quality.dimensions.*', mapping: { type: 'float' } } }],
  properties: {
    urn: { type: 'keyword' }, // ≤ 4096 ASCII characters (MAX_URN_LENGTH): never ignored
    platform: keyword,
    instance: keyword,
    type: keyword,
    // `standard` keeps `cust_phone_no` one token: whole identifiers match here, their words in nameWords.
    name: { type: 'text', fields: { raw: { ...keyword, normalizer: 'folded' } } },
    nameWords: words,
    // `simple` splits at every non-letter, so `shop.public.orders` is searchable by part (digits are lost;
    // the keyword subfield keeps the exact name).
    qualifiedName: { type: 'text', analyzer: 'simple', fields: { raw: keyword } },
    description: { type: 'text' },
    owners: keyword,
    tags: keyword,
    // An object array, not nested: filters and facets are per asset (on the `classes` union), and free
    // text needs no column correlation, so the extra hidden Lucene document per column (a 500-column table
    // is 501 documents, all rewritten on every change) would buy nothing. The price: a query cannot ask
    // "one column that is both X and Y"; add a nested copy if the API ever needs that.
    columns: {
      properties: {
        name: { ...keyword, copy_to: 'columnNames' },
        words,
        type: keyword,
        classes: keyword,
        description: { type: 'text' },
      },
    },
    columnNames: { type: 'text' },
    classes: keyword,
    sensitivity: keyword,
    quality: {
      properties: {
        score: { type: 'float' }, // 0–100 (no scaled_float on core)
        band: keyword,
        dimensions: { type: 'object', dynamic: true },
      },
    },
    violations: {
      properties: {
        open: { type: 'integer' },
        openPolicies: keyword,
        status: keyword,
        worstSeverity: keyword,
      },
    },
    deleted: { type: 'boolean' },
    revision: { type: 'long' },
    updatedAt: { type: 'date' },
    schemaChangedAt: { type: 'date' },
    lastModifiedAt: { type: 'date' },
    freshUntil: { type: 'date' },
    stale: { type: 'boolean' },
  },
};

export interface AssetIndexOptions {
  /** Local defaults: one shard (a catalog is small), no replicas (one node). Production sets both. */
  readonly shards?: number;
  readonly replicas?: number;
}

/** The body of `PUT _index_template/<prefix>-assets`. */
export function assetIndexTemplate(prefix: string, options: AssetIndexOptions = {}) {
  return {
    index_patterns: [`${aliasName(prefix)}-*`],
    priority: 200,
    _meta: { managedBy: 'steward', mappingVersion: ASSET_MAPPING_VERSION },
    template: {
      settings: {
        number_of_shards: options.shards ?? 1,
        number_of_replicas: options.replicas ?? 0,
        // The API is near-real-time by one second; set explicitly so a cluster default cannot slow it.
        refresh_interval: '1s',
        // How long a delete's version is remembered. Until then an older revision of a deleted asset is
        // refused (409); after it, the write would resurrect the asset. The indexer reads the current state
        // from PostgreSQL before it writes, so only a write in flight across the delete can be older: an
        // hour is far beyond that, and tombstones of deleted assets are few.
        'index.gc_deletes': '1h',
        analysis: { normalizer: { folded: { type: 'custom', filter: ['lowercase'] } } },
      },
      mappings,
    },
  } satisfies Omit<estypes.IndicesPutIndexTemplateRequest, 'name'>;
}

const raceErrors = new Set(['resource_already_exists_exception', 'illegal_state_exception']);

function errorType(error: unknown): string | undefined {
  const body: unknown = error instanceof errors.ResponseError ? error.body : undefined;
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const cause: unknown = body.error;
  return typeof cause === 'object' && cause !== null && 'type' in cause && typeof cause.type === 'string'
    ? cause.type
    : undefined;
}

/**
 * Puts the template, then creates the first index with the alias as its write index, in one request, when
 * the alias does not exist. Safe when processes race: the loser's create fails either because the index
 * exists (same second) or because the alias would get a second write index (Elasticsearch refuses that
 * atomically), and the alias then exists. Returns whether this call created the index.
 */
export async function ensureAssetIndex(
  client: Client,
  prefix: string,
  options: AssetIndexOptions & { now?: Date } = {},
): Promise<{ alias: string; created: boolean }> {
  const alias = aliasName(prefix);
  await client.indices.putIndexTemplate({
    name: templateName(prefix),
    ...assetIndexTemplate(prefix, options),
  });
  if (await client.indices.existsAlias({ name: alias })) {
    await upgradeMapping(client, alias);
    return { alias, created: false };
  }
  try {
    await client.indices.create({
      index: newIndexName(prefix, options.now ?? new Date()),
      aliases: { [alias]: { is_write_index: true } },
    });
    return { alias, created: true };
  } catch (error) {
    if (!raceErrors.has(errorType(error) ?? '')) throw error;
    if (await client.indices.existsAlias({ name: alias })) return { alias, created: false };
    throw error;
  }
}

/**
 * Brings the live index's mapping up to ASSET_MAPPING_VERSION when it is older. Mapping changes are
 * additive (new fields; Elasticsearch refuses anything else in place): put the new mapping on the index
 * behind the alias. If Elasticsearch refuses, the error says to rebuild it with `steward reindex`.
 */
async function upgradeMapping(client: Client, alias: string): Promise<void> {
  const live = await client.indices.getMapping({ index: alias });
  for (const [index, { mappings: current }] of Object.entries(live)) {
    const version = Number((current._meta as { version?: unknown } | undefined)?.version ?? 0);
    if (version >= ASSET_MAPPING_VERSION) continue;
    try {
      await client.indices.putMapping({ index, ...mappings });
    } catch (error) {
      throw new Error(
        `the asset index ${index} has mapping version ${version}, this Steward needs ${ASSET_MAPPING_VERSION} and it cannot be changed in place: run \`steward reindex\``,
        { cause: error },
      );
    }
  }
}

/**
 * What the indexer needs before its first write: the template and the alias with its write index. Call it
 * once at start-up, before starting the indexer, with config.elasticsearch.indexPrefix. `created` says
 * the index is new: if PostgreSQL already holds a catalog, the caller fills it (reconcileIndex).
 */
export async function prepareIndexer(
  client: Client,
  prefix: string,
): Promise<{ alias: string; created: boolean }> {
  return ensureAssetIndex(client, prefix);
}
