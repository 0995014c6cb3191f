/**
 * Quality scoring: dimension scores in [0, 1] per column and per asset, and an overall 0–100 score with
 * documented weights and bands. Pure: the clock, the profile, the sample evidence (counts taken from the
 * samples when they arrive: `sampleEvidence`), the classes and the row-count history are arguments.
 *
 * Dimensions (null when there is nothing to measure; the overall score re-weights over the others):
 * - completeness: per column, the share of rows that are not null (profile null count over row count,
 *   or the samples' non-missing share when the profile has no row count); the asset's is the mean.
 * - uniqueness: only for key-like columns (declared primary or unique keys, or `id`-named columns whose
 *   samples never repeat): distinct over non-null; the asset's is the mean over them.
 * - validity: per column, the share of non-missing samples that parse as the declared type and pass the
 *   validator of each class the column carries (confirmed or inferred by compliance; with several, the
 *   least valid class counts); mean over columns.
 * - freshness: the source's own last-modification time (`lastModifiedAt`) against the expected
 *   interval: 1 while within it, falling linearly to 0 at twice it. Without one, the age of the last
 *   profile stands in, and the result says so (`freshnessFrom: 'profile'`).
 * - volume: the row count against the asset's history (at least 5 earlier counts): 1 within one standard
 *   deviation of the mean, falling linearly to 0 at four; beyond three it is an anomaly.
 *
 * Overall = 100 × Σ weight × dimension / Σ weights of the dimensions measured. Weights: completeness 0.25,
 * validity 0.25, freshness 0.20, uniqueness 0.15, volume 0.15. Bands: healthy ≥ 90, at risk ≥ 75,
 * critical below.
 */
import type { ClassId } from '../compliance/classify/classes.ts';
import { detectors } from '../compliance/classify/values.ts';

export const DIMENSIONS = ['completeness', 'uniqueness', 'validity', 'freshness', 'volume'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export type Band = 'healthy' | 'at_risk' | 'critical';

export const WEIGHTS: Readonly<Record<Dimension, number>> = {
  completeness: 0.25,
  validity: 0.25,
  freshness: 0.2,
  uniqueness: 0.15,
  volume: 0.15,
};

/**
 * What a column's samples say, counted when the profile arrives (samples are not kept): how many were
 * present, distinct, of the declared type, and — per class whose detector accepted any — of the type and
 * of the class. Quality keeps these counts, so the classes compliance publishes later still score.
 */
export interface SampleEvidence {
  readonly sampled: number;
  readonly present: number;
  readonly presentDistinct: number;
  readonly typeValid: number;
  readonly classValid: Readonly<Partial<Record<ClassId, number>>>;
}

export interface ColumnInput {
  readonly name: string;
  /** The declared type, as reported (`varchar(255)`, `int4`, `timestamp with time zone`…). */
  readonly type: string;
  readonly primaryKey?: boolean;
  readonly unique?: boolean;
  readonly nullCount: number | null;
  readonly distinctCount: number | null;
  /** null when the column was not sampled. */
  readonly evidence: SampleEvidence | null;
  readonly classes: readonly ClassId[];
}

/** A column with its samples in hand: what `sampleEvidence` counts. */
export type SampledColumn = Omit<ColumnInput, 'evidence'> & { readonly samples: readonly (string | null)[] };

export interface AssetInput {
  readonly rowCount: number | null;
  readonly profiledAt: string;
  readonly lastModifiedAt: string | null;
  readonly columns: readonly ColumnInput[];
  /** Earlier row counts, oldest first. */
  readonly rowCountHistory: readonly number[];
  readonly expectedIntervalMs: number;
}

export interface ColumnScore {
  readonly name: string;
  readonly completeness: number | null;
  readonly uniqueness: number | null;
  readonly validity: number | null;
}

export interface QualityScore {
  readonly score: number | null;
  readonly band: Band | null;
  readonly dimensions: Readonly<Record<Dimension, number | null>>;
  readonly columns: readonly ColumnScore[];
  readonly freshnessFrom: 'source' | 'profile';
  readonly volumeAnomaly: boolean;
  /** Standard deviations from the mean row count, when there is enough history. */
  readonly volumeZ: number | null;
}

const missing = new Set(['', 'null', 'n/a', 'na', 'none']);
const round = (n: number): number => Math.round(n * 1000) / 1000;
const mean = (values: readonly number[]): number | null =>
  values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
const clamp = (n: number): number => Math.min(1, Math.max(0, n));

/** `YYYY-MM-DD` naming a day that exists (Date.parse accepts 2026-02-30). */
function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Whether a sampled value parses as the declared type (unknown types accept anything). */
export function fitsType(type: string, value: string): boolean {
  const t = type.toLowerCase();
  const v = value.trim();
  if (/^(bool|boolean|bit)\b/.test(t)) return /^(true|false|t|f|0|1|yes|no)$/i.test(v);
  if (/^(int|integer|bigint|smallint|tinyint|int[248]|serial|bigserial)\b/.test(t))
    return /^[+-]?\d+$/.test(v);
  if (/^(numeric|decimal|real|double|float|money|number)/.test(t))
    return v !== '' && Number.isFinite(Number(v.replace(/,/g, '')));
  if (/^date$/.test(t)) return isCalendarDate(v);
  if (/^(timestamp|datetime)/.test(t)) return !Number.isNaN(Date.parse(v));
  if (/^uuid$/.test(t)) return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);
  if (/^(json|jsonb)$/.test(t)) {
    try {
      JSON.parse(v);
      return true;
    } catch {
      return false;
    }
  }
  return true;
}

/** Counts what `samples` say about a column of `type` (see SampleEvidence). */
export function sampleEvidence(
  type: string,
  samples: readonly (string | null)[],
  asOf: Date,
): SampleEvidence {
  const present = samples.filter((s): s is string => s !== null && !missing.has(s.trim().toLowerCase()));
  const typed = present.filter((v) => fitsType(type, v));
  const classValid: Partial<Record<ClassId, number>> = {};
  for (const [cls, detector] of Object.entries(detectors) as [ClassId, (typeof detectors)[ClassId]][]) {
    const valid = typed.filter((v) => detector.test(v, { asOf })).length;
    if (valid) classValid[cls] = valid;
  }
  return {
    sampled: samples.length,
    present: present.length,
    presentDistinct: new Set(present).size,
    typeValid: typed.length,
    classValid,
  };
}

/** A sampled column as scoring takes it: its samples counted, then dropped. */
export function withEvidence(column: SampledColumn, asOf: Date): ColumnInput {
  const { samples, ...rest } = column;
  return { ...rest, evidence: samples.length ? sampleEvidence(column.type, samples, asOf) : null };
}

function scoreColumn(column: ColumnInput, rowCount: number | null): ColumnScore {
  const e = column.evidence;
  const completeness =
    rowCount && column.nullCount !== null
      ? clamp(1 - column.nullCount / rowCount)
      : e?.sampled
        ? e.present / e.sampled
        : null;
  const keyLike =
    column.primaryKey === true ||
    column.unique === true ||
    (/(^|_)id$/i.test(column.name) && e !== null && e.present > 1 && e.presentDistinct === e.present);
  const nonNull = rowCount !== null && column.nullCount !== null ? rowCount - column.nullCount : null;
  const uniqueness = !keyLike
    ? null
    : nonNull && column.distinctCount !== null
      ? clamp(column.distinctCount / nonNull)
      : e?.present
        ? e.presentDistinct / e.present
        : null;
  // Valid: of the declared type and of every class the column carries (the least valid class counts).
  const valid = e
    ? column.classes.length
      ? Math.min(...column.classes.map((cls) => e.classValid[cls] ?? 0))
      : e.typeValid
    : 0;
  const validity = e?.present ? valid / e.present : null;
  const r = (n: number | null): number | null => (n === null ? null : round(n));
  return {
    name: column.name,
    completeness: r(completeness),
    uniqueness: r(uniqueness),
    validity: r(validity),
  };
}

export function bandOf(score: number): Band {
  return score >= 90 ? 'healthy' : score >= 75 ? 'at_risk' : 'critical';
}

export function scoreAsset(asset: AssetInput, now: Date): QualityScore {
  const columns = asset.columns.map((c) => scoreColumn(c, asset.rowCount));
  const meanOf = (pick: (c: ColumnScore) => number | null): number | null =>
    mean(columns.flatMap((c) => (pick(c) === null ? [] : [pick(c) as number])));

  const freshnessFrom = asset.lastModifiedAt ? 'source' : 'profile';
  const age = now.getTime() - Date.parse(asset.lastModifiedAt ?? asset.profiledAt);
  const freshness = clamp(1 - Math.max(0, age - asset.expectedIntervalMs) / asset.expectedIntervalMs);

  let volume: number | null = null;
  let volumeZ: number | null = null;
  const history = asset.rowCountHistory;
  if (asset.rowCount !== null && history.length >= 5) {
    const m = mean(history) ?? 0;
    const sd = Math.sqrt(history.reduce((a, x) => a + (x - m) ** 2, 0) / (history.length - 1));
    volumeZ = sd > 0 ? Math.abs(asset.rowCount - m) / sd : asset.rowCount === m ? 0 : Infinity;
    volume = clamp(1 - Math.max(0, volumeZ - 1) / 3);
  }

  const dimensions: Record<Dimension, number | null> = {
    completeness: meanOf((c) => c.completeness),
    uniqueness: meanOf((c) => c.uniqueness),
    validity: meanOf((c) => c.validity),
    freshness,
    volume,
  };
  const measured = DIMENSIONS.filter((d) => dimensions[d] !== null);
  const weight = measured.reduce((a, d) => a + WEIGHTS[d], 0);
  const score = weight
    ? Math.round(
        ((100 * measured.reduce((a, d) => a + WEIGHTS[d] * (dimensions[d] ?? 0), 0)) / weight) * 10,
      ) / 10
    : null;
  return {
    score,
    band: score === null ? null : bandOf(score),
    dimensions: Object.fromEntries(
      DIMENSIONS.map((d) => [d, dimensions[d] === null ? null : round(dimensions[d])]),
    ) as Record<Dimension, number | null>,
    columns,
    freshnessFrom,
    volumeAnomaly: volumeZ !== null && volumeZ > 3,
    volumeZ: volumeZ === null || !Number.isFinite(volumeZ) ? volumeZ : round(volumeZ),
  };
}
