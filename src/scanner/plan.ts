/**
 * What a scan publishes, from what it read and what the previous scan recorded. Pure.
 *
 * - A table is an asset; its URN is built from the catalog's exact names (docs/urns.md).
 * - Incremental: the asset fingerprint (kind, description, owners, tags, columns) and the profile
 *   fingerprint (row count and column statistics, samples excluded) are kept per table. A table is
 *   profiled only when its data may have changed (the database's modification signal moved, or it keeps
 *   none), and an event is published only when a fingerprint changed or the data did: an upsert (with the
 *   profile, when one was taken) when the asset or its last-modification time changed, else a profile
 *   event when only the statistics moved. Unchanged: nothing.
 * - Deletes: a table recorded by the previous scan and not listed now is deleted, except in a schema that
 *   failed to list, and except when a schema lost more than half of its tables (and more than one) at once
 *   — a dropped or renamed schema, a permissions change, a wrong pattern — unless mass deletes are allowed.
 */
import { createHash } from 'node:crypto';
import type { Asset, ChangeEvent, Profile } from '../domain/change-event.ts';
import { datasetUrn } from '../domain/urn.ts';
import type { CatalogTable } from './model.ts';
import { instanceOf, labelsOf, type SourceDeclaration } from './sources.ts';

/** What the previous scans recorded about one table (no values, only fingerprints and signals). */
export interface TableState {
  readonly urn: string;
  readonly schema: string;
  readonly table: string;
  readonly assetFingerprint: string | null;
  readonly profileFingerprint: string | null;
  readonly modSignal: string | null;
  readonly lastModifiedAt: string | null;
  readonly deleted: boolean;
}

const digest = (value: unknown): string =>
  createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 32);

export function urnOf(
  source: SourceDeclaration,
  database: string | null,
  table: Pick<CatalogTable, 'schema' | 'name'>,
): string {
  const path = database === null ? [table.schema, table.name] : [database, table.schema, table.name];
  return datasetUrn({
    platform: source.platform,
    instance: instanceOf(source),
    path,
    quoted: path.map(() => true),
  });
}

/** The table's tags (labelsOf), plus `freshness:<interval>` when the source declares an expected update interval. */
export function tagsOf(source: SourceDeclaration, schema: string, table: string): string[] {
  const tags = labelsOf(source, schema, table).tags;
  if (source.expectedUpdateInterval && !tags.some((t) => t.startsWith('freshness:')))
    tags.push(`freshness:${source.expectedUpdateInterval}`);
  return tags;
}

export function assetOf(
  source: SourceDeclaration,
  database: string | null,
  table: CatalogTable,
  lastModifiedAt: string | null,
): Asset {
  const urn = urnOf(source, database, table);
  return {
    urn,
    type: table.kind,
    name: table.name,
    qualifiedName: [...(database === null ? [] : [database]), table.schema, table.name].join('.'),
    description: table.description,
    owners: labelsOf(source, table.schema, table.name).owners,
    tags: tagsOf(source, table.schema, table.name),
    ...(lastModifiedAt && { lastModifiedAt }),
    columns: table.columns.map((c) => ({
      name: c.name,
      type: c.type,
      nullable: c.nullable,
      description: c.description,
      tags: [],
      ordinal: c.ordinal,
      primaryKey: c.primaryKey,
      unique: c.unique,
    })),
  };
}

/** Everything of the asset but the last-modification time (that is data, not schema). */
export function assetFingerprint(asset: Asset): string {
  const { lastModifiedAt: _ignored, ...rest } = asset;
  return digest(rest);
}

/** Row count and column statistics; samples are values and never part of what is stored. */
export function profileFingerprint(profile: Profile): string {
  return digest({
    rowCount: profile.rowCount,
    columns: profile.columns.map(({ samples: _samples, ...stats }) => stats),
  });
}

/** Whether the table's data may have changed since the previous scan (so it is worth profiling). */
export function mayHaveChanged(previous: TableState | undefined, table: CatalogTable): boolean {
  if (!previous || previous.deleted || previous.profileFingerprint === null) return true;
  if (previous.modSignal === null || table.modSignal === null) return true;
  return previous.modSignal !== table.modSignal;
}

/**
 * When the data last changed, as far as the scans can tell: the database's own time where it keeps one;
 * else the time of the scan that saw the modification signal move (the change happened since the scan
 * before); else what was recorded before.
 */
export function lastModifiedOf(
  previous: TableState | undefined,
  table: CatalogTable,
  scannedAt: string,
): string | null {
  if (table.lastModifiedAt) return table.lastModifiedAt;
  if (
    previous &&
    !previous.deleted &&
    previous.modSignal !== null &&
    table.modSignal !== null &&
    previous.modSignal !== table.modSignal
  )
    return scannedAt;
  return previous?.lastModifiedAt ?? null;
}

export interface TableOutcome {
  /** The event to publish, without id and occurredAt; null when nothing changed. */
  readonly event: {
    readonly kind: 'upsert' | 'profile';
    readonly asset: Asset;
    readonly profile?: Profile;
  } | null;
  readonly state: TableState;
}

/** The event (if any) and the new state of a listed table; `profile` when this scan took one. */
export function tableOutcome(
  previous: TableState | undefined,
  table: CatalogTable,
  asset: Asset,
  profile: Profile | undefined,
): TableOutcome {
  const assetPrint = assetFingerprint(asset);
  const profilePrint = profile ? profileFingerprint(profile) : (previous?.profileFingerprint ?? null);
  const live = previous && !previous.deleted ? previous : undefined;
  const state: TableState = {
    urn: asset.urn,
    schema: table.schema,
    table: table.name,
    assetFingerprint: assetPrint,
    profileFingerprint: profilePrint,
    modSignal: table.modSignal,
    lastModifiedAt: asset.lastModifiedAt ?? null,
    deleted: false,
  };
  const assetChanged = !live || live.assetFingerprint !== assetPrint;
  const profileChanged = profile !== undefined && (!live || live.profileFingerprint !== profilePrint);
  const dataChanged = live !== undefined && (asset.lastModifiedAt ?? null) !== live.lastModifiedAt;
  // The last-modification time is part of the asset: only an upsert moves it (a profile event carries data).
  if (assetChanged || dataChanged)
    return { event: { kind: 'upsert', asset, ...(profile && { profile }) }, state };
  if (profileChanged) return { event: { kind: 'profile', asset, profile }, state };
  return { event: null, state };
}

export interface WithheldDeletes {
  readonly schema: string;
  readonly missing: number;
  readonly of: number;
}

export interface DeletePlan {
  readonly deletes: readonly TableState[];
  readonly withheld: readonly WithheldDeletes[];
}

/**
 * The recorded live tables that are gone. `listed`: URNs listed now; `failedSchemas`: schemas whose
 * listing failed (nothing in them is deleted).
 */
export function planDeletes(
  previous: readonly TableState[],
  listed: ReadonlySet<string>,
  failedSchemas: ReadonlySet<string>,
  allowMassDelete: boolean,
): DeletePlan {
  const bySchema = new Map<string, TableState[]>();
  for (const state of previous) {
    if (state.deleted) continue;
    const group = bySchema.get(state.schema) ?? [];
    group.push(state);
    bySchema.set(state.schema, group);
  }
  const deletes: TableState[] = [];
  const withheld: WithheldDeletes[] = [];
  for (const [schema, states] of [...bySchema].sort(([a], [b]) => a.localeCompare(b))) {
    if (failedSchemas.has(schema)) continue;
    const missing = states.filter((s) => !listed.has(s.urn));
    if (!missing.length) continue;
    if (!allowMassDelete && missing.length > 1 && missing.length * 2 > states.length) {
      withheld.push({ schema, missing: missing.length, of: states.length });
      continue;
    }
    deletes.push(...missing);
  }
  return { deletes, withheld };
}

/** A delete event's asset: the identity and the last names the scan knew; no columns (not stated). */
export function deletedAsset(source: SourceDeclaration, database: string | null, state: TableState): Asset {
  return {
    urn: state.urn,
    type: 'table',
    name: state.table,
    qualifiedName: [...(database === null ? [] : [database]), state.schema, state.table].join('.'),
    description: null,
    owners: labelsOf(source, state.schema, state.table).owners,
    tags: tagsOf(source, state.schema, state.table),
  };
}

/** A UUID (v4 layout) derived from the scan run and the asset, so a repeated run sends the same ids. */
export function eventId(runKey: string, urn: string, kind: string): string {
  const h = createHash('sha256').update(`${runKey}\u0000${urn}\u0000${kind}`).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x40;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function changeEvent(
  source: SourceDeclaration,
  runKey: string,
  occurredAt: string,
  event: NonNullable<TableOutcome['event']> | { kind: 'delete'; asset: Asset },
): ChangeEvent {
  return {
    id: eventId(runKey, event.asset.urn, event.kind),
    kind: event.kind,
    occurredAt,
    source: { platform: source.platform, instance: instanceOf(source) },
    asset: event.asset,
    ...('profile' in event && event.profile && { profile: event.profile }),
  };
}
