/**
 * quality: scores each asset (score.ts) from its newest profile on the changes topic (samples counted on
 * arrival into SampleEvidence, then dropped), the catalog's view on the assets topic (declared types and
 * keys, the source's modification time, tags, deletion), the classes compliance publishes (validity is
 * judged against them) and `rescore` commands (the quality sweep: freshness decays with time). `handle`
 * is pure: it scores as of the input record's timestamp, or the command's instant.
 *
 * The expected interval freshness is judged against comes from a `freshness:<n>(m|h|d)` tag on the asset
 * (e.g. `freshness:6h`), else 24 hours. Row counts of earlier profiles (at most 30) are its volume history.
 *
 * Effects, in one transaction with its state and the ledger: the `asset_quality` row, a `quality_history`
 * row, and the result on steward.quality.v1 through the outbox — only when the score changed.
 */
import { createHash } from 'node:crypto';
import { acceptChangeEvent } from '../../src/contract/accept.ts';
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import type { Command } from '../../src/domain/command.ts';
import {
  define,
  type Accepted,
  type Emit,
  type HandleResult,
  type InputEvent,
  type ProcessorDefinition,
} from '../../src/domain/processor.ts';
import type { TopicDeclaration } from '../../src/domain/topic.ts';
import { assets, changes, commands, compliance, quality } from '../../topics/index.ts';
import { isClassId, type ClassId } from '../compliance/classify/classes.ts';
import { acceptAssetEvent, type AssetEvent } from '../metadata-sync/asset-event.ts';
import { sampleEvidence, scoreAsset, type QualityScore, type SampleEvidence } from './score.ts';

export const QUALITY_TABLE = 'asset_quality';
export const HISTORY_TABLE = 'quality_history';
export const DEFAULT_EXPECTED_MS = 24 * 3_600_000;
const HISTORY_LENGTH = 30;

interface CatalogView {
  readonly revision: number;
  readonly deleted: boolean;
  readonly tags: readonly string[];
  readonly lastModifiedAt: string | null;
  readonly columns: readonly {
    readonly name: string;
    readonly type: string;
    readonly primaryKey: boolean | null;
    readonly unique: boolean | null;
  }[];
}

interface ProfileView {
  readonly eventId: string;
  readonly profiledAt: string;
  readonly rowCount: number | null;
  readonly columns: readonly {
    readonly name: string;
    readonly valueType: string;
    readonly nullCount: number;
    readonly distinctCount: number;
    readonly evidence: SampleEvidence | null;
  }[];
}

export interface QualityState {
  readonly catalog: CatalogView | null;
  readonly profile: ProfileView | null;
  /** Row counts of earlier profiles, oldest first. */
  readonly rowCounts: readonly { readonly profiledAt: string; readonly rowCount: number }[];
  /** Effective classes per column, from compliance's result at `revision`. */
  readonly classes: {
    readonly revision: number;
    readonly columns: Readonly<Record<string, readonly ClassId[]>>;
  } | null;
  readonly revision: number;
  readonly digest: string | null;
}

export interface QualityResult {
  readonly urn: string;
  readonly revision: number;
  readonly deleted: boolean;
  readonly score: number | null;
  readonly band: string | null;
  readonly dimensions: QualityScore['dimensions'];
  readonly columns: QualityScore['columns'];
  readonly freshnessFrom: QualityScore['freshnessFrom'];
  readonly expectedIntervalMs: number;
  readonly volumeAnomaly: boolean;
  readonly volumeZ: number | null;
  readonly rowCount: number | null;
  readonly profiledAt: string | null;
  readonly scoredAt: string;
}

/** What compliance.v1 says that quality uses. */
interface ComplianceView {
  readonly revision: number;
  readonly deleted: boolean;
  readonly columns: Readonly<Record<string, readonly ClassId[]>>;
}

export type QualityInput =
  | { readonly from: 'changes'; readonly event: ChangeEvent }
  | { readonly from: 'assets'; readonly asset: AssetEvent | null }
  | { readonly from: 'compliance'; readonly result: ComplianceView | null }
  | { readonly from: 'commands'; readonly id: string; readonly asOf: string };

const empty = (): QualityState => ({
  catalog: null,
  profile: null,
  rowCounts: [],
  classes: null,
  revision: 0,
  digest: null,
});

const UNITS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The strictest `freshness:<n>(m|h|d)` tag, else the default. */
export function expectedInterval(tags: readonly string[]): number {
  const intervals = tags.flatMap((tag) => {
    const match = /^freshness:(\d+)([mhd])$/.exec(tag);
    return match && Number(match[1]) > 0 ? [Number(match[1]) * (UNITS[match[2] ?? 'h'] ?? 0)] : [];
  });
  return intervals.length ? Math.min(...intervals) : DEFAULT_EXPECTED_MS;
}

function profileView(event: ChangeEvent, state: QualityState): ProfileView | undefined {
  const profile = event.profile;
  if (!profile || (state.profile && state.profile.profiledAt >= profile.profiledAt)) return undefined;
  const declared = new Map((state.catalog?.columns ?? []).map((c) => [c.name, c.type]));
  for (const c of event.asset.columns ?? []) declared.set(c.name, c.type);
  const asOf = new Date(profile.profiledAt);
  return {
    eventId: event.id,
    profiledAt: profile.profiledAt,
    rowCount: profile.rowCount,
    columns: profile.columns.map((c) => ({
      name: c.name,
      valueType: c.valueType,
      nullCount: c.nullCount,
      distinctCount: c.distinctCount,
      evidence: c.samples.length
        ? sampleEvidence(declared.get(c.name) ?? c.valueType, c.samples, asOf)
        : null,
    })),
  };
}

function apply(
  input: QualityInput,
  state: QualityState,
  timestamp: number,
): { state: QualityState; now: Date } | undefined {
  const now = new Date(timestamp);
  switch (input.from) {
    case 'changes': {
      const profile = profileView(input.event, state);
      if (!profile) return undefined;
      const previous = state.profile;
      const rowCounts =
        previous && previous.rowCount !== null
          ? [...state.rowCounts, { profiledAt: previous.profiledAt, rowCount: previous.rowCount }].slice(
              -HISTORY_LENGTH,
            )
          : state.rowCounts;
      return { state: { ...state, profile, rowCounts }, now };
    }
    case 'assets': {
      const asset = input.asset;
      if (asset === null || (state.catalog && asset.revision <= state.catalog.revision)) return undefined;
      const catalog: CatalogView = {
        revision: asset.revision,
        deleted: asset.deleted,
        tags: asset.tags,
        lastModifiedAt: asset.lastModifiedAt,
        columns: asset.columns.map((c) => ({
          name: c.name,
          type: c.type,
          primaryKey: c.primaryKey,
          unique: c.unique,
        })),
      };
      return { state: { ...state, catalog }, now };
    }
    case 'compliance': {
      const result = input.result;
      if (result === null || (state.classes && result.revision <= state.classes.revision)) return undefined;
      return { state: { ...state, classes: { revision: result.revision, columns: result.columns } }, now };
    }
    case 'commands':
      return { state, now: new Date(input.asOf) };
  }
}

/** The result for `state` as of `now`; null scores until a profile arrived. */
export function scoreState(urn: string, state: QualityState, now: Date, revision: number): QualityResult {
  const catalog = state.catalog;
  const profile = state.profile;
  const expectedIntervalMs = expectedInterval(catalog?.tags ?? []);
  const base = {
    urn,
    revision,
    deleted: catalog?.deleted ?? false,
    expectedIntervalMs,
    rowCount: profile?.rowCount ?? null,
    profiledAt: profile?.profiledAt ?? null,
    scoredAt: now.toISOString(),
  };
  if (!profile || base.deleted) {
    return {
      ...base,
      score: null,
      band: null,
      dimensions: { completeness: null, uniqueness: null, validity: null, freshness: null, volume: null },
      columns: [],
      freshnessFrom: catalog?.lastModifiedAt ? 'source' : 'profile',
      volumeAnomaly: false,
      volumeZ: null,
    };
  }
  const declared = new Map((catalog?.columns ?? []).map((c) => [c.name, c]));
  const score = scoreAsset(
    {
      rowCount: profile.rowCount,
      profiledAt: profile.profiledAt,
      lastModifiedAt: catalog?.lastModifiedAt ?? null,
      rowCountHistory: state.rowCounts.map((r) => r.rowCount),
      expectedIntervalMs,
      columns: profile.columns.map((c) => {
        const column = declared.get(c.name);
        return {
          name: c.name,
          type: column?.type ?? c.valueType,
          ...(column?.primaryKey && { primaryKey: true }),
          ...(column?.unique && { unique: true }),
          nullCount: c.nullCount,
          distinctCount: c.distinctCount,
          evidence: c.evidence,
          classes: state.classes?.columns[c.name] ?? [],
        };
      }),
    },
    now,
  );
  return {
    ...base,
    score: score.score,
    band: score.band,
    dimensions: score.dimensions,
    columns: score.columns,
    freshnessFrom: score.freshnessFrom,
    volumeAnomaly: score.volumeAnomaly,
    volumeZ: score.volumeZ !== null && Number.isFinite(score.volumeZ) ? score.volumeZ : null,
  };
}

function digestOf(result: QualityResult): string {
  const { revision: _r, scoredAt: _s, ...content } = result;
  return createHash('sha256').update(JSON.stringify(content)).digest('base64url');
}

export function handleQuality(
  event: InputEvent<QualityInput>,
  state: QualityState | undefined,
  output: TopicDeclaration,
): HandleResult<QualityState> {
  const before = state ?? empty();
  const applied = apply(event.value, before, event.timestamp);
  if (!applied) return {};
  let next = applied.state;
  const draft = scoreState(event.key, next, applied.now, next.revision + 1);
  const digest = digestOf(draft);
  if (digest === next.digest) return { state: next };
  next = { ...next, revision: draft.revision, digest };
  const emit: Emit[] = [{ topic: output, key: event.key, value: draft }];
  if (draft.deleted) emit.push({ topic: output, key: event.key, value: null });
  return {
    state: next,
    effects: {
      emit,
      rows: [
        {
          table: QUALITY_TABLE,
          mode: 'upsert',
          key: { urn: draft.urn },
          values: {
            revision: draft.revision,
            score: draft.score,
            band: draft.band,
            dimensions: JSON.stringify(draft.dimensions),
            columns: JSON.stringify(draft.columns),
            freshness_from: draft.freshnessFrom,
            volume_anomaly: draft.volumeAnomaly,
            scored_at: draft.scoredAt,
          },
        },
        {
          table: HISTORY_TABLE,
          mode: 'insert',
          key: { urn: draft.urn, event_id: event.id },
          values: {
            scored_at: draft.scoredAt,
            score: draft.score,
            band: draft.band,
            dimensions: JSON.stringify(draft.dimensions),
            row_count: draft.rowCount,
          },
        },
      ],
    },
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** Reads what quality needs of a compliance result: its revision and each column's effective classes. */
export function acceptComplianceResult(value: unknown, key: string): Accepted<ComplianceView | null> {
  if (value === null) return { ok: true, value: null };
  if (!isRecord(value) || typeof value.revision !== 'number' || !Array.isArray(value.columns))
    return { ok: false, reason: 'the value is not a ComplianceResult' };
  if (value.urn !== key)
    return {
      ok: false,
      code: 'STW_KEY_MISMATCH',
      reason: `the record key is not the result's urn (${String(value.urn)})`,
    };
  const columns: Record<string, ClassId[]> = {};
  for (const column of value.columns as unknown[]) {
    if (!isRecord(column) || typeof column.name !== 'string' || !Array.isArray(column.classes)) continue;
    columns[column.name] = (column.classes as unknown[]).flatMap((k) =>
      isRecord(k) && k.effective === true && typeof k.class === 'string' && isClassId(k.class)
        ? [k.class]
        : [],
    );
  }
  return { ok: true, value: { revision: value.revision, deleted: value.deleted === true, columns } };
}

/** `rescore` `{asOf?}` for quality; commands for other processors are ignored. */
export function acceptRescore(value: unknown, key: string): Accepted<QualityInput> {
  const command = value as Command;
  if (command.target !== 'quality') return { ok: false, ignore: true, reason: `for ${command.target}` };
  if (command.kind !== 'rescore')
    return { ok: false, reason: `quality has no command ${JSON.stringify(command.kind)}` };
  if (command.urn !== key)
    return {
      ok: false,
      code: 'STW_KEY_MISMATCH',
      reason: `the record key is not the command's urn (${String(command.urn)})`,
    };
  let asOf: unknown = command.issuedAt;
  try {
    const payload: unknown = JSON.parse(command.payload ?? '{}');
    if (isRecord(payload) && payload.asOf !== undefined) asOf = payload.asOf;
  } catch {
    return { ok: false, reason: 'rescore: payload is not JSON' };
  }
  if (typeof asOf !== 'string' || Number.isNaN(Date.parse(asOf)))
    return { ok: false, reason: 'rescore: asOf must be an ISO-8601 instant' };
  return { ok: true, value: { from: 'commands', id: command.id, asOf: new Date(asOf).toISOString() } };
}

export function qualityProcessor(
  topics: {
    readonly changes: TopicDeclaration;
    readonly assets: TopicDeclaration;
    readonly compliance: TopicDeclaration;
    readonly commands?: TopicDeclaration;
    readonly output: TopicDeclaration;
  } = { changes, assets, compliance, commands, output: quality },
): ProcessorDefinition<QualityInput, QualityState> {
  const inputs = [
    topics.changes,
    topics.assets,
    topics.compliance,
    ...(topics.commands ? [topics.commands] : []),
  ];
  return define<QualityInput, QualityState>({
    name: 'quality',
    group: 'steward.quality',
    consumes: inputs,
    produces: [topics.output],
    tables: [QUALITY_TABLE, HISTORY_TABLE],
    idempotency: 'ledger',
    accept: (value, topic, key) => {
      if (topic.name === topics.assets.name) {
        const accepted = acceptAssetEvent(value, key);
        if (!accepted.ok) return accepted;
        return {
          ok: true,
          value: { from: 'assets', asset: 'tombstone' in accepted.value ? null : accepted.value },
        };
      }
      if (topic.name === topics.compliance.name) {
        const accepted = acceptComplianceResult(value, key);
        return accepted.ok ? { ok: true, value: { from: 'compliance', result: accepted.value } } : accepted;
      }
      if (topics.commands && topic.name === topics.commands.name) return acceptRescore(value, key);
      const accepted = acceptChangeEvent(value, key);
      return accepted.ok ? { ok: true, value: { from: 'changes', event: accepted.value } } : accepted;
    },
    eventId: (input) =>
      input.from === 'changes' ? input.event.id : input.from === 'commands' ? input.id : undefined,
    handle: (event, state) => handleQuality(event, state, topics.output),
  });
}
