/**
 * The reliability suite's workload: change events over a fixed set of tables whose final state is known
 * in advance, and poison records that must all reach the dead-letter topic.
 *
 * Valid events: 65 % upserts (columns drawn from a pool with personal data — e-mail, phone, names — so
 * compliance classifies them and opens or resolves violations as owners come and go), 30 % profiles (a few
 * samples per column), 5 % deletes. One global clock orders them, so later events win as in production.
 * The expected catalog is metadata-sync's own pure fold (mergeChange) over the same sequence.
 */
import { createHash, randomBytes } from 'node:crypto';
import { validateChangeEvent, type AssetColumn, type ChangeEvent } from '../../src/domain/change-event.ts';
import { seededRandom } from '../../src/domain/seeded-random.ts';
import { datasetUrn } from '../../src/domain/urn.ts';
import { toAssetEvent, type SyncState } from '../../processors/metadata-sync/asset-event.ts';
import { mergeChange } from '../../processors/metadata-sync/merge.ts';

interface ColumnKind {
  readonly column: Omit<AssetColumn, 'ordinal'>;
  readonly valueType: 'integer' | 'string' | 'timestamp' | 'decimal';
  /** The i-th sample value. */
  readonly sample: (i: number) => string;
}

const POOL: readonly ColumnKind[] = [
  {
    column: { name: 'email', type: 'varchar(255)', nullable: true, description: 'Contact e-mail', tags: [] },
    valueType: 'string',
    sample: (i) => `user${i}@example.com`,
  },
  {
    column: { name: 'phone', type: 'varchar(32)', nullable: true, description: null, tags: [] },
    valueType: 'string',
    sample: (i) => `+44 20 7946 ${String(1000 + (i % 9000)).padStart(4, '0')}`,
  },
  {
    column: { name: 'full_name', type: 'text', nullable: true, description: 'Customer name', tags: [] },
    valueType: 'string',
    sample: (i) => ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra'][i % 4] ?? '',
  },
  {
    column: { name: 'created_at', type: 'timestamptz', nullable: false, description: null, tags: [] },
    valueType: 'timestamp',
    sample: (i) => new Date(Date.UTC(2025, 0, 1 + i)).toISOString(),
  },
  {
    column: { name: 'amount', type: 'numeric(12,2)', nullable: true, description: 'Order total', tags: [] },
    valueType: 'decimal',
    sample: (i) => `${i % 1000}.50`,
  },
  {
    column: { name: 'status', type: 'varchar(16)', nullable: false, description: null, tags: [] },
    valueType: 'string',
    sample: (i) => (i % 2 ? 'paid' : 'open'),
  },
  {
    column: { name: 'notes', type: 'text', nullable: true, description: 'Free text', tags: [] },
    valueType: 'string',
    sample: (i) => `call back in ${i} days`,
  },
];

const ID: ColumnKind = {
  column: { name: 'id', type: 'bigint', nullable: false, description: null, tags: [], primaryKey: true },
  valueType: 'integer',
  sample: (i) => String(i + 1),
};

const SAMPLES = 20;

export interface Workload {
  /** The next `count` events: valid ones, and poison records at `poisonRate`. */
  next(count: number, poisonRate: number): Generated[];
  /** Every valid event produced so far, in order. */
  readonly valid: readonly ChangeEvent[];
}

export type Generated =
  | { readonly kind: 'valid'; readonly event: ChangeEvent }
  | { readonly kind: 'poison'; readonly poison: Poison };

/**
 * A record no processor may apply. `encoded` ones are valid Avro the contract refuses (the suite encodes
 * them with the registry); `raw` ones are bytes as they are.
 */
export type Poison =
  | { readonly reason: 'undecodable'; readonly raw: Buffer; readonly key: string }
  | {
      readonly reason: 'contract-invalid' | 'oversize' | 'hostile';
      readonly event: ChangeEvent;
      readonly key: string;
    };

const HOSTILE = [
  "'; DROP TABLE assets; --",
  '<script>alert(1)</script>',
  '\u202egnp.exe',
  '\u0000nul',
  '../../etc/passwd',
  '{{7*7}}${jndi:ldap://x}',
  '🔥'.repeat(300),
];

export function workload(options: { readonly tables: number; readonly seed: number }): Workload {
  const random = seededRandom(options.seed);
  const base = Date.parse('2026-01-01T00:00:00Z');
  let clock = 0;
  let poisons = 0;
  const valid: ChangeEvent[] = [];
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  const identity = (table: number) => {
    const name = `t${table}`;
    return {
      urn: datasetUrn({ platform: 'postgres', instance: 'reliability', path: ['shop', 'public', name] }),
      type: 'table' as const,
      name,
      qualifiedName: `shop.public.${name}`,
      description: `table ${table}`,
      owners: random() < 0.3 ? [] : [pick(['team-a', 'team-b', 'team-c'])],
      tags: [],
    };
  };
  // Each table has its own columns (a fixed half of the pool); one upsert in ten leaves the last one out,
  // so schemas change back and forth. Profiles describe the table's columns with SAMPLES values each.
  const columnsOf = (table: number, upsert: boolean): ColumnKind[] => {
    const own = POOL.filter((_, i) => ((table * 2654435761) >>> i) % 2 === 0);
    return [ID, ...(upsert && own.length && random() < 0.1 ? own.slice(0, -1) : own)];
  };
  const source = { platform: 'postgres', instance: 'reliability' } as const;

  const make = (): ChangeEvent => {
    clock += 1;
    const at = new Date(base + clock * 1000).toISOString();
    const table = Math.floor(random() * options.tables);
    const roll = random();
    const asset = identity(table);
    const header = { id: crypto.randomUUID(), occurredAt: at, source };
    if (roll < 0.05) return { ...header, kind: 'delete', asset: { ...asset, owners: [], description: null } };
    const kinds = columnsOf(table, roll >= 0.35);
    if (roll < 0.35)
      return {
        ...header,
        kind: 'profile',
        asset,
        profile: {
          rowCount: 100 + clock,
          profiledAt: at,
          sampleSize: 100,
          columns: kinds.map((k) => ({
            name: k.column.name,
            nullCount: 0,
            distinctCount: 50,
            min: null,
            max: null,
            valueType: k.valueType,
            samples: Array.from({ length: SAMPLES }, (_, i) => k.sample(clock + i)),
          })),
        },
      };
    return {
      ...header,
      kind: 'upsert',
      asset: {
        ...asset,
        lastModifiedAt: at,
        columns: kinds.map((k, i) => ({ ...k.column, tags: [...k.column.tags], ordinal: i + 1 })),
      },
    };
  };

  const poison = (): Poison => {
    poisons += 1;
    const event = make();
    const key = event.asset.urn;
    switch (poisons % 4) {
      case 0: {
        const raw = randomBytes(48);
        raw[0] = poisons % 8 === 0 ? 0xff : 0;
        if (raw[0] === 0) raw.writeInt32BE(0x7ff0_0000 + poisons, 1);
        return { reason: 'undecodable', raw, key };
      }
      case 1:
        return { reason: 'contract-invalid', event: { ...event, id: `not-a-uuid-${poisons}` }, key };
      case 2:
        // Over the contract's limits (16,384-character description), far under the topic's size limit.
        return {
          reason: 'oversize',
          event: { ...event, asset: { ...event.asset, description: 'x'.repeat(40_000) } },
          key,
        };
      default: {
        const hostile = HOSTILE[poisons % HOSTILE.length] ?? '';
        // A URN no Steward URN can be; the name carries the hostile text too.
        return {
          reason: 'hostile',
          event: { ...event, asset: { ...event.asset, urn: `urn:steward:${hostile}`, name: hostile } },
          key,
        };
      }
    }
  };

  return {
    valid,
    next(count, poisonRate) {
      const out: Generated[] = [];
      const every = poisonRate > 0 ? Math.round(1 / poisonRate) : 0;
      for (let i = 0; i < count; i++) {
        if (every && i % every === every - 1) {
          const p = poison();
          if (p.reason !== 'undecodable' && validateChangeEvent(p.event).ok)
            throw new Error(`poison ${p.reason} passes the contract`);
          out.push({ kind: 'poison', poison: p });
          continue;
        }
        const event = make();
        const checked = validateChangeEvent(event);
        if (!checked.ok) throw new Error(`workload event invalid: ${JSON.stringify(checked.errors)}`);
        valid.push(event);
        out.push({ kind: 'valid', event });
      }
      return out;
    },
  };
}

/** What metadata-sync must hold at the end: each URN's revision and whether it is deleted. */
export interface ExpectedAsset {
  readonly revision: number;
  readonly deleted: boolean;
}

export function expectedCatalog(events: readonly ChangeEvent[]): Map<string, ExpectedAsset> {
  const states = new Map<string, SyncState>();
  for (const event of events) {
    const before = states.get(event.asset.urn);
    const merged = mergeChange(before?.asset, event);
    if (!merged.changed) continue;
    const previous = before?.schemaVersion ?? 0;
    states.set(event.asset.urn, {
      asset: merged.state,
      schemaVersion: merged.schemaChanged ? previous + 1 : previous,
    });
  }
  const expected = new Map<string, ExpectedAsset>();
  for (const [urn, state] of states) {
    const value = toAssetEvent(state);
    expected.set(urn, { revision: value.revision, deleted: value.deleted });
  }
  return expected;
}

/** The bytes' fingerprint: the DLQ keeps the original bytes, so poison is matched by them. */
export const fingerprint = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
