/**
 * The workload of `npm run bench` (bench/README.md, "Workload"), fixed so figures stay comparable:
 *
 * - `assets` tables (≥ 20,000 in the full run) of one PostgreSQL instance, each with 20–60 columns
 *   (uniform), drawn from a pool of realistic columns and their `billing_`/`shipping_` variants;
 * - events: 65 % upserts (columns, owners, tags, a later lastModifiedAt), 30 % profile events (the asset
 *   as a scanner reports it, plus a profile of every column with 20 samples, min/max and counts), 5 %
 *   deletes (a later upsert of the same table re-creates it);
 * - each event's table drawn Zipf-distributed (exponent 1) over the tables: a few tables are changed very
 *   often, most rarely, as on a real estate of databases; which tables are hot is a seeded shuffle, so
 *   they are spread over schemas and partitions;
 * - everything seeded (catalog, kinds, keys, samples); event n has occurredAt = 2025-01-01 + n s and a fresh
 *   deterministic id, so the same run produces the same bytes.
 *
 * Sample values are drawn from a per-column pool of values generated once (seeded), realistic for the column
 * (e-mails, E.164 phones, IBANs, names, dates, amounts, …), so the classifier does the work it does on real
 * data. validateChangeEvent is run on a prefix of every kind up front, so a bad workload fails before it
 * is produced.
 */
import { createHash } from 'node:crypto';
import {
  validateChangeEvent,
  type Asset,
  type ChangeEvent,
  type ColumnProfile,
  type ValueType,
} from '../src/domain/change-event.ts';
import { datasetUrn } from '../src/domain/urn.ts';
import { pick, pickColumns, prng } from './workload.ts';

export interface GovernanceOptions {
  readonly assets: number;
  readonly seed?: number;
  /** Table name prefix: the warm-up uses its own tables, disjoint from the measured ones. */
  readonly prefix?: string;
  readonly minColumns?: number;
  readonly maxColumns?: number;
  /** Shares of profile events and deletes; the rest are upserts. */
  readonly profileShare?: number;
  readonly deleteShare?: number;
  readonly samplesPerColumn?: number;
  /** Zipf exponent s: P(rank k) ∝ 1 / k^s. */
  readonly zipfExponent?: number;
}

export const WORKLOAD_DEFAULTS: Readonly<
  Record<
    'minColumns' | 'maxColumns' | 'profileShare' | 'deleteShare' | 'samplesPerColumn' | 'zipfExponent',
    number
  >
> = {
  minColumns: 20,
  maxColumns: 60,
  profileShare: 0.3,
  deleteShare: 0.05,
  samplesPerColumn: 20,
  zipfExponent: 1,
};

type Settings = { -readonly [K in keyof typeof WORKLOAD_DEFAULTS]: number };

type SampleKind =
  | 'id'
  | 'uuid'
  | 'timestamp'
  | 'email'
  | 'phone'
  | 'first'
  | 'last'
  | 'date'
  | 'country'
  | 'postal'
  | 'city'
  | 'street'
  | 'status'
  | 'currency'
  | 'amount'
  | 'int'
  | 'sku'
  | 'iban'
  | 'last4'
  | 'ip'
  | 'agent'
  | 'locale'
  | 'bool'
  | 'score'
  | 'text'
  | 'json'
  | 'system'
  | 'bytes'
  | 'region'
  | 'user';

interface Spec {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly description: string | null;
  readonly tags?: readonly string[];
  readonly unique?: boolean;
  readonly sample: SampleKind;
}

const BASE: readonly Spec[] = [
  {
    name: 'external_ref',
    type: 'uuid',
    nullable: false,
    description: 'Id upstream',
    unique: true,
    sample: 'uuid',
  },
  {
    name: 'created_at',
    type: 'timestamp with time zone',
    nullable: false,
    description: 'Row creation time',
    sample: 'timestamp',
  },
  {
    name: 'updated_at',
    type: 'timestamp with time zone',
    nullable: false,
    description: 'Last update time',
    sample: 'timestamp',
  },
  {
    name: 'deleted_at',
    type: 'timestamp with time zone',
    nullable: true,
    description: 'Soft-delete marker',
    sample: 'timestamp',
  },
  {
    name: 'email',
    type: 'varchar(255)',
    nullable: true,
    description: 'Contact e-mail address',
    tags: ['pii'],
    sample: 'email',
  },
  {
    name: 'phone',
    type: 'varchar(32)',
    nullable: true,
    description: 'E.164 phone number',
    tags: ['pii'],
    sample: 'phone',
  },
  {
    name: 'first_name',
    type: 'varchar(100)',
    nullable: true,
    description: null,
    tags: ['pii'],
    sample: 'first',
  },
  {
    name: 'last_name',
    type: 'varchar(100)',
    nullable: true,
    description: null,
    tags: ['pii'],
    sample: 'last',
  },
  {
    name: 'birth_date',
    type: 'date',
    nullable: true,
    description: 'Date of birth',
    tags: ['pii'],
    sample: 'date',
  },
  {
    name: 'country_code',
    type: 'char(2)',
    nullable: false,
    description: 'ISO 3166-1 alpha-2',
    sample: 'country',
  },
  { name: 'postal_code', type: 'varchar(16)', nullable: true, description: null, sample: 'postal' },
  { name: 'city', type: 'varchar(100)', nullable: true, description: null, sample: 'city' },
  {
    name: 'street',
    type: 'varchar(255)',
    nullable: true,
    description: 'Street and number',
    sample: 'street',
  },
  { name: 'status', type: 'varchar(20)', nullable: false, description: 'Lifecycle state', sample: 'status' },
  { name: 'currency', type: 'char(3)', nullable: false, description: 'ISO 4217 code', sample: 'currency' },
  {
    name: 'amount',
    type: 'numeric(12,2)',
    nullable: false,
    description: 'Amount in currency units',
    sample: 'amount',
  },
  { name: 'tax_amount', type: 'numeric(12,2)', nullable: true, description: null, sample: 'amount' },
  { name: 'quantity', type: 'integer', nullable: false, description: null, sample: 'int' },
  { name: 'sku', type: 'varchar(64)', nullable: false, description: 'Stock keeping unit', sample: 'sku' },
  {
    name: 'customer_id',
    type: 'bigint',
    nullable: false,
    description: 'References customers.id',
    sample: 'int',
  },
  { name: 'order_id', type: 'bigint', nullable: true, description: 'References orders.id', sample: 'int' },
  {
    name: 'account_iban',
    type: 'varchar(34)',
    nullable: true,
    description: 'Bank account',
    tags: ['pci'],
    sample: 'iban',
  },
  { name: 'card_last4', type: 'char(4)', nullable: true, description: null, tags: ['pci'], sample: 'last4' },
  { name: 'ip_address', type: 'inet', nullable: true, description: 'Client address at signup', sample: 'ip' },
  { name: 'user_agent', type: 'text', nullable: true, description: null, sample: 'agent' },
  { name: 'locale', type: 'varchar(10)', nullable: true, description: 'BCP 47 tag', sample: 'locale' },
  {
    name: 'marketing_opt_in',
    type: 'boolean',
    nullable: false,
    description: 'Consent to marketing',
    sample: 'bool',
  },
  {
    name: 'score',
    type: 'double precision',
    nullable: true,
    description: 'Model score in [0, 1]',
    sample: 'score',
  },
  {
    name: 'notes',
    type: 'text',
    nullable: true,
    description: 'Free text entered by support',
    sample: 'text',
  },
  { name: 'attributes', type: 'jsonb', nullable: true, description: 'Extension attributes', sample: 'json' },
  { name: 'source_system', type: 'varchar(32)', nullable: false, description: null, sample: 'system' },
  { name: 'version', type: 'integer', nullable: false, description: 'Optimistic lock', sample: 'int' },
  { name: 'checksum', type: 'bytea', nullable: true, description: null, sample: 'bytes' },
  { name: 'region', type: 'varchar(16)', nullable: false, description: 'Sales region', sample: 'region' },
  { name: 'valid_from', type: 'date', nullable: false, description: 'Start of validity', sample: 'date' },
  {
    name: 'valid_to',
    type: 'date',
    nullable: true,
    description: 'End of validity, null: open',
    sample: 'date',
  },
  { name: 'created_by', type: 'varchar(64)', nullable: true, description: null, sample: 'user' },
];

/** The pool: every base column, and billing_/shipping_ variants of the ones a table can hold twice. */
const POOL: readonly Spec[] = [
  ...BASE,
  ...['billing_', 'shipping_'].flatMap((prefix) =>
    BASE.filter(
      (s) => !['created_at', 'updated_at', 'deleted_at', 'version', 'external_ref'].includes(s.name),
    ).map((s) => ({ ...s, name: `${prefix}${s.name}`, unique: false })),
  ),
];

const VALUE_TYPE: Record<SampleKind, ValueType> = {
  id: 'integer',
  uuid: 'string',
  timestamp: 'timestamp',
  email: 'string',
  phone: 'string',
  first: 'string',
  last: 'string',
  date: 'date',
  country: 'string',
  postal: 'string',
  city: 'string',
  street: 'string',
  status: 'string',
  currency: 'string',
  amount: 'decimal',
  int: 'integer',
  sku: 'string',
  iban: 'string',
  last4: 'string',
  ip: 'string',
  agent: 'string',
  locale: 'string',
  bool: 'boolean',
  score: 'decimal',
  text: 'string',
  json: 'string',
  system: 'string',
  bytes: 'binary',
  region: 'string',
  user: 'string',
};

const FIRST = [
  'Anna',
  'Lukas',
  'Maria',
  'Jonas',
  'Sofia',
  'Elias',
  'Emma',
  'Noah',
  'Lea',
  'Paul',
  'Mila',
  'Ben',
];
const LAST = [
  'Müller',
  'Schmidt',
  'Rossi',
  'García',
  'Martin',
  'Dubois',
  'Nowak',
  'Jansen',
  'Novak',
  'Silva',
];
const CITIES = ['Berlin', 'Lyon', 'Milano', 'Madrid', 'Porto', 'Gdańsk', 'Utrecht', 'Graz', 'Brno', 'Gent'];
const STREETS = ['Hauptstraße', 'Rue de la Paix', 'Via Roma', 'Calle Mayor', 'Kerkstraat', 'Rua Augusta'];
const COUNTRIES = ['DE', 'FR', 'IT', 'ES', 'PT', 'PL', 'NL', 'AT', 'CZ', 'BE'];
const IBANS = [
  'DE89370400440532013000',
  'FR1420041010050500013M02606',
  'IT60X0542811101000000123456',
  'ES9121000418450200051332',
  'NL91ABNA0417164300',
  'AT611904300234573201',
  'BE68539007547034',
  'PL61109010140000071219812874',
];
const WORDS = [
  'refund',
  'requested',
  'customer',
  'called',
  'about',
  'delivery',
  'late',
  'address',
  'changed',
  'invoice',
];

function sampleOf(kind: SampleKind, random: () => number, i: number): string {
  const int = (n: number): number => Math.floor(random() * n);
  const pad = (n: number, width: number): string => String(n).padStart(width, '0');
  switch (kind) {
    case 'id':
    case 'int':
      return String(1 + int(10_000_000));
    case 'uuid':
    case 'system':
      return createHash('md5')
        .update(`${kind}${i}${random()}`)
        .digest('hex')
        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    case 'timestamp':
      return new Date(Date.UTC(2020, 0, 1) + int(5 * 365 * 86_400_000)).toISOString();
    case 'email':
      return `${pick(FIRST, random).toLowerCase()}.${pick(LAST, random)
        .toLowerCase()
        .normalize('NFD')
        .replace(/[^a-z]/g, '')}${int(100)}@example.${pick(['com', 'org', 'de', 'fr'], random)}`;
    case 'phone':
      return `+49${pad(1_500_000_000 + int(99_999_999), 10)}`;
    case 'first':
      return pick(FIRST, random);
    case 'last':
      return pick(LAST, random);
    case 'date':
      return `${1950 + int(70)}-${pad(1 + int(12), 2)}-${pad(1 + int(28), 2)}`;
    case 'country':
      return pick(COUNTRIES, random);
    case 'postal':
      return pad(int(100_000), 5);
    case 'city':
      return pick(CITIES, random);
    case 'street':
      return `${pick(STREETS, random)} ${1 + int(200)}`;
    case 'status':
      return pick(['active', 'pending', 'closed', 'suspended'], random);
    case 'currency':
      return pick(['EUR', 'USD', 'GBP', 'PLN', 'CHF'], random);
    case 'amount':
      return (int(10_000_000) / 100).toFixed(2);
    case 'sku':
      return `SKU-${pad(int(1_000_000), 6)}`;
    case 'iban':
      return pick(IBANS, random);
    case 'last4':
      return pad(int(10_000), 4);
    case 'ip':
      return `${10 + int(200)}.${int(256)}.${int(256)}.${int(256)}`;
    case 'agent':
      return `Mozilla/5.0 (X11; Linux x86_64) Firefox/${100 + int(40)}.0`;
    case 'locale':
      return pick(['de-DE', 'fr-FR', 'it-IT', 'es-ES', 'en-GB', 'nl-NL'], random);
    case 'bool':
      return random() < 0.5 ? 'true' : 'false';
    case 'score':
      return random().toFixed(4);
    case 'text':
      return Array.from({ length: 4 + int(8) }, () => pick(WORDS, random)).join(' ');
    case 'json':
      return `{"k":${int(1000)},"v":"${pick(WORDS, random)}"}`;
    case 'bytes':
      return Buffer.from(createHash('sha1').update(String(random())).digest()).toString('base64');
    case 'region':
      return pick(['emea', 'dach', 'iberia', 'nordics', 'benelux'], random);
    case 'user':
      return `svc_${pick(WORDS, random)}_${int(50)}`;
  }
}

/** Values of one column kind, generated once: profiles pick their samples from here. */
const POOL_SIZE = 512;
function samplePools(seed: number): Map<SampleKind, readonly string[]> {
  const random = prng(seed);
  const kinds = new Set<SampleKind>(['id', ...POOL.map((s) => s.sample)]);
  return new Map(
    [...kinds].map((k) => [k, Array.from({ length: POOL_SIZE }, (_, i) => sampleOf(k, random, i))]),
  );
}

/**
 * Zipf by inverse CDF: cumulative weights 1/k^s for ranks 1..n, built once; a uniform draw u in [0, 1) maps
 * to the first rank whose cumulative weight reaches u·total (binary search, O(log n)). Exact for the
 * bounded distribution; rank 0 is the most popular.
 */
export function zipfInverse(n: number, exponent: number): (u: number) => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    total += 1 / Math.pow(k + 1, exponent);
    cumulative[k] = total;
  }
  return (u) => {
    const target = u * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] ?? Infinity) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const SCHEMAS = ['sales', 'crm', 'billing', 'inventory', 'shipping', 'support', 'marketing', 'finance'];
const TEAMS = ['team-crm', 'team-billing', 'team-data', 'team-logistics', 'team-growth'];
const BASE_TIME = Date.parse('2025-01-01T00:00:00Z');

interface TableSpec {
  readonly asset: Asset;
  readonly samples: readonly SampleKind[];
}

function tables(options: GovernanceOptions, o: Settings): TableSpec[] {
  const random = prng(options.seed ?? 42);
  const prefix = options.prefix ?? 'table';
  return Array.from({ length: options.assets }, (_, i): TableSpec => {
    const schema = pick(SCHEMAS, random);
    const name = `${schema}_${prefix}_${i}`;
    const count = o.minColumns + Math.floor(random() * (o.maxColumns - o.minColumns + 1));
    const { specs, columns } = pickColumns(POOL, count, random);
    return {
      asset: {
        urn: datasetUrn({ platform: 'postgres', instance: 'prod-eu', path: ['shop', schema, name] }),
        type: 'table',
        name,
        qualifiedName: `shop.${schema}.${name}`,
        description: `Rows of ${name}, replicated from the ${schema} service`,
        owners: [pick(TEAMS, random)],
        tags: random() < 0.3 ? ['tier1'] : [],
        columns,
      },
      samples: ['id', ...specs.map((s) => s.sample)],
    };
  });
}

export interface GovernanceWorkload {
  readonly assets: readonly Asset[];
  readonly options: Required<Omit<GovernanceOptions, 'prefix'>> & { readonly prefix: string };
  /** Events `from`..`from+count-1` of the run's sequence: the same every time for the same options. */
  events(from: number, count: number): Generator<ChangeEvent>;
}

/** Deterministic UUID (v4 layout) from the seed and the event's position. */
function eventId(seed: number, prefix: string, n: number): string {
  const hex = createHash('md5').update(`${seed}:${prefix}:${n}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function governanceWorkload(options: GovernanceOptions): GovernanceWorkload {
  const o = { ...WORKLOAD_DEFAULTS, ...options };
  const seed = options.seed ?? 42;
  const prefix = options.prefix ?? 'table';
  const specs = tables(options, o);
  const pools = samplePools(seed + 7);
  // Which table has which popularity rank: a seeded shuffle (Fisher–Yates).
  const order = Array.from(specs.keys());
  const shuffle = prng(seed + 3);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(shuffle() * (i + 1));
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  const profileOf = (spec: TableSpec, n: number, random: () => number): ChangeEvent['profile'] => ({
    rowCount: 1000 + Math.floor(random() * 1_000_000),
    profiledAt: new Date(BASE_TIME + n * 1000 - 2000).toISOString(),
    sampleSize: 10_000,
    columns: (spec.asset.columns ?? []).map((column, c): ColumnProfile => {
      const kind = spec.samples[c] ?? 'text';
      const pool = pools.get(kind) ?? [];
      const start = Math.floor(random() * POOL_SIZE);
      const samples = Array.from(
        { length: o.samplesPerColumn },
        (_, s) => pool[(start + s * 7) % POOL_SIZE] ?? '',
      );
      const valueType = VALUE_TYPE[kind];
      const ordered = valueType === 'string' || valueType === 'binary' || valueType === 'other';
      const sorted = ordered ? [...samples].sort() : [];
      const numeric = valueType === 'integer' || valueType === 'decimal';
      const bound = (pickMax: boolean): string | null => {
        if (ordered) return (pickMax ? sorted.at(-1) : sorted[0]) ?? null;
        if (numeric) {
          const values = samples.map(Number);
          return samples[values.indexOf(pickMax ? Math.max(...values) : Math.min(...values))] ?? null;
        }
        if (valueType === 'boolean') return pickMax ? 'true' : 'false';
        const s = [...samples].sort();
        return (pickMax ? s.at(-1) : s[0]) ?? null;
      };
      return {
        name: column.name,
        nullCount: column.nullable ? Math.floor(random() * 100) : 0,
        distinctCount: 1 + Math.floor(random() * 10_000),
        min: bound(false),
        max: bound(true),
        valueType,
        samples,
      };
    }),
  });
  const eventAt = (n: number, kindDraw: number, table: number, random: () => number): ChangeEvent => {
    const spec = specs[table];
    if (!spec) throw new Error(`no table ${table}`);
    const occurredAt = new Date(BASE_TIME + n * 1000).toISOString();
    const base = {
      id: eventId(seed, prefix, n),
      occurredAt,
      source: { platform: 'postgres', instance: 'prod-eu' },
    };
    const lastModifiedAt = new Date(BASE_TIME + n * 1000 - 5000).toISOString();
    if (kindDraw < o.deleteShare) {
      const { columns: _columns, ...identity } = spec.asset;
      return { ...base, kind: 'delete', asset: identity };
    }
    if (kindDraw < o.deleteShare + o.profileShare)
      return {
        ...base,
        kind: 'profile',
        asset: { ...spec.asset, lastModifiedAt },
        profile: profileOf(spec, n, random),
      };
    return { ...base, kind: 'upsert', asset: { ...spec.asset, lastModifiedAt } };
  };
  // One PRNG per event, seeded by its position: any range of the sequence can be generated on its own.
  const zipfRank = zipfInverse(specs.length, o.zipfExponent);
  const events = function* (from: number, count: number): Generator<ChangeEvent> {
    for (let n = from; n < from + count; n++) {
      const random = prng(seed * 1_000_003 + n);
      const rank = zipfRank(random());
      yield eventAt(n, random(), order[rank] ?? 0, random);
    }
  };
  const workload: GovernanceWorkload = {
    assets: specs.map((s) => s.asset),
    options: { ...o, seed, prefix, assets: options.assets },
    events,
  };
  // Every kind, checked against the contract before anything is produced.
  const seen = new Set<string>();
  for (const event of events(0, 2000)) {
    if (seen.has(event.kind) && seen.size === 3) break;
    seen.add(event.kind);
    const checked = validateChangeEvent(event);
    if (!checked.ok)
      throw new Error(`workload event ${event.kind} is invalid: ${JSON.stringify(checked.errors)}`);
  }
  return workload;
}
