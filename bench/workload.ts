import { randomUUID } from 'node:crypto';
import {
  validateChangeEvent,
  type Asset,
  type AssetColumn,
  type ChangeEvent,
} from '../src/domain/change-event.ts';
import { datasetUrn } from '../src/domain/urn.ts';

/**
 * The benchmark's change events: upserts of `urns` tables of a PostgreSQL instance, each with `columns`
 * columns (names, types, comments, tags, ordinals, keys) picked from a pool of realistic columns. The
 * catalog is deterministic (seeded); each event gets a fresh UUID, a later occurredAt and a later
 * lastModifiedAt, and picks its table uniformly at random (seeded), so one URN's events are spread over
 * the whole run as a scanner's would be.
 */
export interface WorkloadOptions {
  readonly urns: number;
  readonly columns: number;
  readonly seed?: number;
}

export interface ColumnSpec {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly description: string | null;
  readonly tags?: readonly string[];
  readonly unique?: boolean;
}

const COLUMN_POOL: readonly ColumnSpec[] = [
  {
    name: 'external_ref',
    type: 'uuid',
    nullable: false,
    description: 'Id in the upstream system',
    unique: true,
  },
  { name: 'created_at', type: 'timestamp with time zone', nullable: false, description: 'Row creation time' },
  { name: 'updated_at', type: 'timestamp with time zone', nullable: false, description: 'Last update time' },
  { name: 'deleted_at', type: 'timestamp with time zone', nullable: true, description: 'Soft-delete marker' },
  {
    name: 'email',
    type: 'varchar(255)',
    nullable: true,
    description: 'Contact e-mail address',
    tags: ['pii', 'contact'],
  },
  { name: 'phone', type: 'varchar(32)', nullable: true, description: 'E.164 phone number', tags: ['pii'] },
  { name: 'first_name', type: 'varchar(100)', nullable: true, description: null, tags: ['pii'] },
  { name: 'last_name', type: 'varchar(100)', nullable: true, description: null, tags: ['pii'] },
  {
    name: 'birth_date',
    type: 'date',
    nullable: true,
    description: 'Date of birth',
    tags: ['pii', 'sensitive'],
  },
  { name: 'country_code', type: 'char(2)', nullable: false, description: 'ISO 3166-1 alpha-2' },
  { name: 'postal_code', type: 'varchar(16)', nullable: true, description: null, tags: ['pii'] },
  { name: 'city', type: 'varchar(100)', nullable: true, description: null },
  { name: 'street', type: 'varchar(255)', nullable: true, description: 'Street and number', tags: ['pii'] },
  { name: 'status', type: 'varchar(20)', nullable: false, description: 'Lifecycle state' },
  { name: 'currency', type: 'char(3)', nullable: false, description: 'ISO 4217 code' },
  { name: 'amount', type: 'numeric(12,2)', nullable: false, description: 'Amount in currency units' },
  { name: 'tax_amount', type: 'numeric(12,2)', nullable: true, description: null },
  { name: 'discount_pct', type: 'numeric(5,2)', nullable: true, description: 'Discount in percent' },
  { name: 'quantity', type: 'integer', nullable: false, description: null },
  { name: 'sku', type: 'varchar(64)', nullable: false, description: 'Stock keeping unit' },
  { name: 'customer_id', type: 'bigint', nullable: false, description: 'References customers.id' },
  { name: 'order_id', type: 'bigint', nullable: true, description: 'References orders.id' },
  { name: 'account_iban', type: 'varchar(34)', nullable: true, description: 'Bank account', tags: ['pci'] },
  { name: 'card_last4', type: 'char(4)', nullable: true, description: null, tags: ['pci'] },
  {
    name: 'ip_address',
    type: 'inet',
    nullable: true,
    description: 'Client address at signup',
    tags: ['pii'],
  },
  { name: 'user_agent', type: 'text', nullable: true, description: null },
  { name: 'locale', type: 'varchar(10)', nullable: true, description: 'BCP 47 tag' },
  { name: 'marketing_opt_in', type: 'boolean', nullable: false, description: 'Consent to marketing' },
  { name: 'score', type: 'double precision', nullable: true, description: 'Model score in [0, 1]' },
  {
    name: 'notes',
    type: 'text',
    nullable: true,
    description: 'Free text entered by support',
    tags: ['free-text'],
  },
  { name: 'attributes', type: 'jsonb', nullable: true, description: 'Extension attributes' },
  { name: 'source_system', type: 'varchar(32)', nullable: false, description: null },
  { name: 'version', type: 'integer', nullable: false, description: 'Optimistic lock' },
  { name: 'checksum', type: 'bytea', nullable: true, description: null },
  { name: 'region', type: 'varchar(16)', nullable: false, description: 'Sales region' },
  { name: 'valid_from', type: 'date', nullable: false, description: 'Start of validity' },
  { name: 'valid_to', type: 'date', nullable: true, description: 'End of validity, null: open' },
  { name: 'created_by', type: 'varchar(64)', nullable: true, description: null, tags: ['pii'] },
];

const SCHEMAS = ['sales', 'crm', 'billing', 'inventory', 'shipping', 'support', 'marketing', 'finance'];
const TEAMS = ['team-crm', 'team-billing', 'team-data', 'team-logistics', 'team-growth'];

/** mulberry32: a small seeded PRNG, so every run builds the same catalog and key sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function columnsFor(count: number, random: () => number): AssetColumn[] {
  if (count < 1 || count > COLUMN_POOL.length + 1)
    throw new Error(`columns must be 1-${COLUMN_POOL.length + 1}`);
  return pickColumns(COLUMN_POOL, count, random).columns;
}

/**
 * An `id` primary key and count-1 distinct columns of `pool` (all of it when smaller), in the pool's order
 * as a table definition would have them; `specs` are the chosen entries, in the same order.
 */
export function pickColumns<S extends ColumnSpec>(
  pool: readonly S[],
  count: number,
  random: () => number,
): { specs: S[]; columns: AssetColumn[] } {
  const chosen = new Set<number>();
  while (chosen.size < Math.min(count - 1, pool.length)) chosen.add(Math.floor(random() * pool.length));
  const specs = [...chosen].sort((a, b) => a - b).flatMap((i) => pool[i] ?? []);
  const id: AssetColumn = {
    name: 'id',
    type: 'bigint',
    nullable: false,
    description: 'Surrogate key',
    tags: [],
    ordinal: 1,
    primaryKey: true,
    unique: true,
  };
  const columns = [
    id,
    ...specs.map((spec, i): AssetColumn => ({
      name: spec.name,
      type: spec.type,
      nullable: spec.nullable,
      description: spec.description,
      tags: [...(spec.tags ?? [])],
      ordinal: i + 2,
      ...(spec.unique && { unique: true }),
    })),
  ];
  return { specs, columns };
}

/** One asset per URN: `shop.<schema>.<table>` on postgres/prod-eu. */
export function catalog(options: WorkloadOptions): Asset[] {
  const random = prng(options.seed ?? 42);
  return Array.from({ length: options.urns }, (_, i): Asset => {
    const schema = pick(SCHEMAS, random);
    const name = `${schema}_table_${i}`;
    return {
      urn: datasetUrn({ platform: 'postgres', instance: 'prod-eu', path: ['shop', schema, name] }),
      type: 'table',
      name,
      qualifiedName: `shop.${schema}.${name}`,
      description: `Rows of ${name}, replicated from the ${schema} service`,
      owners: [pick(TEAMS, random)],
      tags: random() < 0.3 ? ['tier1'] : [],
      columns: columnsFor(options.columns, random),
    };
  });
}

export interface Workload {
  readonly assets: readonly Asset[];
  /** `count` upserts, each for an asset picked at random (seeded) from the catalog. */
  events(count: number): Generator<ChangeEvent>;
}

/** The catalog, with every asset checked against the contract once, so a bad workload fails up front. */
export function workload(options: WorkloadOptions): Workload {
  const assets = catalog(options);
  const base = Date.parse('2025-01-01T00:00:00Z');
  const event = (asset: Asset, n: number): ChangeEvent => ({
    id: randomUUID(),
    kind: 'upsert',
    occurredAt: new Date(base + n * 1000).toISOString(),
    source: { platform: 'postgres', instance: 'prod-eu' },
    asset: { ...asset, lastModifiedAt: new Date(base + n * 1000 - 5000).toISOString() },
  });
  for (const asset of assets) {
    const checked = validateChangeEvent(event(asset, 0));
    if (!checked.ok)
      throw new Error(`workload asset ${asset.urn} is invalid: ${JSON.stringify(checked.errors)}`);
  }
  return {
    assets,
    *events(count) {
      const random = prng((options.seed ?? 42) + 1);
      for (let n = 0; n < count; n++) yield event(pick(assets, random), n);
    },
  };
}
