/**
 * Column classification: a pure core. A column's name and description give name signals (names.ts), its
 * sampled values are tested by each class's detector (values.ts), and the two are combined:
 *
 * - With a name signal, the class is accepted when at least half of the non-missing samples pass its
 *   detector (or its looser with-name test); confidence grows with that fraction. Values that fail
 *   (fewer than 30 % pass) contradict the name: the class is rejected, whatever the name says.
 *   Between the two, it is accepted as low-confidence.
 * - Without a name signal, only `validator` and `pattern` detectors classify, when at least 80 % of the
 *   samples pass; `pattern` detectors not when the header names another kind of identifier (`ticket_no`).
 * - Masked values (`****-****-****-1234`) are recognised as masked: a card- or SSN-named column, or card-
 *   shaped masks without a name, is classified with `masked: true` in its evidence.
 * - Too little evidence (fewer than 20 non-missing samples, or fewer than 5 distinct values for a class
 *   that needs variety) marks a classification low-confidence; with no samples at all, a name signal
 *   alone gives a low-confidence classification.
 *
 * Evidence names the detector, the fraction of samples that matched, the name signal, the sample size,
 * the rule-set version and at most one masked exemplar; never a raw value.
 */
import { RULESET_VERSION, type ClassId } from './classes.ts';
import { isMasked, maskExemplar } from './masking.ts';
import { nameSignals, namesOtherIdentifier, type NameSignal } from './names.ts';
import { detectors, withName, type Strength } from './values.ts';

export interface ColumnInput {
  readonly name: string;
  readonly type?: string | null;
  readonly description?: string | null;
  readonly samples: readonly (string | number | boolean | null)[];
}

export interface Evidence {
  /** `values:<strength>`, `name`, `masked-values` or `name+values:<strength>`. */
  readonly detector: string;
  /** Share of the non-missing samples the class's detector accepted; null when there were none. */
  readonly matchedFraction: number | null;
  /** What the header or description matched (`word:phone`), if anything. */
  readonly nameSignal: string | null;
  readonly sampleSize: number;
  readonly nonMissing: number;
  readonly distinct: number;
  readonly masked: boolean;
  readonly rulesetVersion: string;
  /** One matching value, masked. */
  readonly exemplar?: string;
}

export interface Classification {
  readonly class: ClassId;
  /** In [0, 1]. */
  readonly confidence: number;
  readonly lowConfidence: boolean;
  readonly evidence: Evidence;
}

export interface ClassifyOptions {
  /** The instant the samples were taken (ages and birth dates are judged against it). */
  readonly asOf: Date;
}

/** Placeholders that mean "no value" in real data. */
const missing = new Set([
  '',
  'n/a',
  'na',
  'null',
  'none',
  'nil',
  'unknown',
  '-',
  '--',
  'tbd',
  '?',
  'undefined',
  '#n/a',
]);
/** Classes whose values are few by nature: few distinct values is no weakness. */
const fewValues = new Set<ClassId>(['gender', 'age', 'health_code']);
const booleanValues = new Set(['true', 'false', 't', 'f', 'yes', 'no', 'y', 'n', '0', '1']);
const booleanTypes = /^(bool|boolean|bit)$/i;

const minNonMissing = 20;
const minDistinct = 5;
const round = (n: number): number => Math.round(n * 1000) / 1000;

function valuesOf(samples: ColumnInput['samples']): string[] {
  return samples.flatMap((s) => {
    if (s === null) return [];
    const text = String(s).trim();
    return missing.has(text.toLowerCase()) ? [] : [text];
  });
}

function confidenceOf(strength: Strength, fraction: number, named: boolean): number {
  const base = named
    ? { validator: 0.55, pattern: 0.5, shape: 0.45 }[strength]
    : { validator: 0.5, pattern: 0.4, shape: 0 }[strength];
  return round(Math.min(1, base + 0.45 * fraction));
}

/** Share of the values a class's detector must accept when the column's name does not suggest it. */
const needed = 0.8;

/**
 * The values `accept` takes, in order; undefined as soon as `hopeless(n)` holds for n = how many could
 * still be accepted (the values not refused yet), i.e. when the caller's threshold is out of reach.
 */
function acceptedUntil(
  values: readonly string[],
  accept: (value: string) => boolean,
  hopeless: (atMost: number) => boolean,
): string[] | undefined {
  const accepted: string[] = [];
  let atMost = values.length;
  for (const value of values) {
    if (accept(value)) accepted.push(value);
    else if (hopeless(--atMost)) return undefined;
  }
  return accepted;
}

/** The column's classes, most confident first (usually one; none for most columns). */
export function classifyColumn(column: ColumnInput, options: ClassifyOptions): Classification[] {
  const values = valuesOf(column.samples);
  const distinct = new Set(values).size;
  if (column.type && booleanTypes.test(column.type)) return [];
  if (values.length && values.every((v) => booleanValues.has(v.toLowerCase())) && distinct <= 2) return [];

  const signals = new Map<ClassId, NameSignal>();
  for (const signal of [
    ...nameSignals(column.name),
    ...(column.description ? nameSignals(column.description) : []),
  ])
    if (!signals.has(signal.class)) signals.set(signal.class, signal);

  const base = {
    sampleSize: column.samples.length,
    nonMissing: values.length,
    distinct,
    rulesetVersion: RULESET_VERSION,
  };
  const results: Classification[] = [];
  const lowEvidence = (cls: ClassId): boolean =>
    values.length < minNonMissing || (!fewValues.has(cls) && distinct < minDistinct);

  // Masked values: recognised, never tested as raw values.
  const maskedCount = values.filter(isMasked).length;
  if (values.length && maskedCount / values.length >= 0.6) {
    const masked = values.find(isMasked) ?? '';
    const cardLike = /^[\d*xX#•\s-]{12,23}$/.test(masked) && masked.replace(/[^\d*xX#•]/g, '').length >= 13;
    const cls: ClassId | undefined = signals.has('us_ssn')
      ? 'us_ssn'
      : signals.has('payment_card') || cardLike
        ? 'payment_card'
        : undefined;
    if (cls) {
      const fraction = round(maskedCount / values.length);
      return [
        {
          class: cls,
          confidence: round(signals.has(cls) ? 0.6 + 0.35 * fraction : 0.5 + 0.3 * fraction),
          lowConfidence: lowEvidence(cls),
          evidence: {
            ...base,
            detector: 'masked-values',
            matchedFraction: fraction,
            nameSignal: signals.get(cls)?.signal ?? null,
            masked: true,
            exemplar: masked.slice(0, 32),
          },
        },
      ];
    }
  }

  const otherIdentifier = namesOtherIdentifier(column.name);
  for (const [cls, detector] of Object.entries(detectors) as [ClassId, (typeof detectors)[ClassId]][]) {
    const signal = signals.get(cls);
    if (!signal && (detector.strength === 'shape' || (detector.strength === 'pattern' && otherIdentifier)))
      continue;
    const test = (signal && withName[cls]) || detector.test;
    const { support } = detector;
    // Without a name signal the class needs 80 % of the values (below half, support does not count): once
    // the values refused put that out of reach, the rest need not be tested. The outcome is the same.
    const strict = signal
      ? values.filter((v) => test(v, options))
      : acceptedUntil(
          values,
          (v) => test(v, options),
          (left) => (support ? left * 2 < values.length : left / values.length < needed),
        );
    if (!strict) continue;
    const matches =
      support && (signal || strict.length * 2 >= values.length)
        ? values.filter((v) => test(v, options) || support(v))
        : strict;
    const fraction = values.length ? matches.length / values.length : null;
    const evidence = (detectorName: string): Evidence => ({
      ...base,
      detector: detectorName,
      matchedFraction: fraction === null ? null : round(fraction),
      nameSignal: signal?.signal ?? null,
      masked: false,
      ...(matches[0] !== undefined && { exemplar: maskExemplar(matches[0]) }),
    });
    if (signal) {
      if (fraction === null) {
        results.push({ class: cls, confidence: 0.5, lowConfidence: true, evidence: evidence('name') });
      } else if (fraction >= 0.3) {
        results.push({
          class: cls,
          confidence: confidenceOf(detector.strength, fraction, true),
          lowConfidence: fraction < 0.5 || lowEvidence(cls),
          evidence: evidence(`name+values:${detector.strength}`),
        });
      }
      continue;
    }
    if (fraction !== null && fraction >= needed)
      results.push({
        class: cls,
        confidence: confidenceOf(detector.strength, fraction, false),
        lowConfidence: lowEvidence(cls),
        evidence: evidence(`values:${detector.strength}`),
      });
  }
  return results.sort((a, b) => b.confidence - a.confidence || a.class.localeCompare(b.class));
}
