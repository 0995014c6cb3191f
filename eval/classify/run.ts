/**
 * `npm run eval:classify`: the column classifier against the frozen evaluation set
 * (eval/classify/columns.ndjson, generated once by generate.ts before any tuning). Prints, per class,
 * precision, recall and F1 (the predicted class of a column is its most confident classification), then
 * the false-positive rate on the hard negatives, and checks the targets: validator-backed classes
 * precision ≥ 0.95 and recall ≥ 0.90; negatives flagged ≤ 1 %. Name-dependent classes are reported
 * separately with their own figures. It prints figures and exits 0; it is not a test.
 */
import { readFileSync } from 'node:fs';
import { CLASS_IDS, RULESET_VERSION, type ClassId } from '../../processors/compliance/classify/classes.ts';
import { classifyColumn } from '../../processors/compliance/classify/classify.ts';
import type { EvalColumn } from './generate.ts';

const validatorBacked: readonly ClassId[] = [
  'payment_card',
  'iban',
  'swift_bic',
  'us_ssn',
  'vin',
  'ip_address',
  'mac_address',
  'email',
  'phone',
  'url',
  'geo_coordinates',
];
const asOf = new Date('2026-12-01T00:00:00Z'); // the set's reference date (generate.ts)

const columns = readFileSync(new URL('./columns.ndjson', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as EvalColumn);

const began = performance.now();
const predictions = columns.map((column) => {
  const [top] = classifyColumn(column, { asOf });
  return { column, predicted: top?.class ?? null, lowConfidence: top?.lowConfidence ?? false };
});
const seconds = (performance.now() - began) / 1000;

interface Row {
  cls: ClassId;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}
const rows: Row[] = CLASS_IDS.map((cls) => {
  const tp = predictions.filter((p) => p.predicted === cls && p.column.expected === cls).length;
  const fp = predictions.filter((p) => p.predicted === cls && p.column.expected !== cls).length;
  const fn = predictions.filter((p) => p.predicted !== cls && p.column.expected === cls).length;
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = tp + fn ? tp / (tp + fn) : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { cls, tp, fp, fn, precision, recall, f1 };
});

const f = (n: number): string => n.toFixed(3);
const print = (title: string, subset: Row[], targets: boolean): void => {
  process.stdout.write(
    `\n${title}\n${'class'.padEnd(20)} ${'prec'.padStart(6)} ${'recall'.padStart(6)} ${'f1'.padStart(6)}   tp  fp  fn${targets ? '  target (p≥0.95, r≥0.90)' : ''}\n`,
  );
  for (const r of subset)
    process.stdout.write(
      `${r.cls.padEnd(20)} ${f(r.precision).padStart(6)} ${f(r.recall).padStart(6)} ${f(r.f1).padStart(6)} ${String(r.tp).padStart(4)} ${String(r.fp).padStart(3)} ${String(r.fn).padStart(3)}${targets ? `  ${r.precision >= 0.95 && r.recall >= 0.9 ? 'met' : 'MISSED'}` : ''}\n`,
    );
};
print(
  'Validator-backed classes',
  rows.filter((r) => validatorBacked.includes(r.cls)),
  true,
);
print(
  'Name-dependent classes',
  rows.filter((r) => !validatorBacked.includes(r.cls)),
  false,
);

const negatives = predictions.filter((p) => p.column.expected === null);
const flagged = negatives.filter((p) => p.predicted !== null);
const byClass = new Map<string, number>();
for (const p of flagged) byClass.set(p.predicted ?? '', (byClass.get(p.predicted ?? '') ?? 0) + 1);
const fpRate = flagged.length / negatives.length;
const micro = (subset: Row[]) => {
  const tp = subset.reduce((a, r) => a + r.tp, 0);
  const fp = subset.reduce((a, r) => a + r.fp, 0);
  const fn = subset.reduce((a, r) => a + r.fn, 0);
  return `precision ${f(tp / (tp + fp))}, recall ${f(tp / (tp + fn))}`;
};
process.stdout.write(
  `\nHard negatives: ${flagged.length} of ${negatives.length} flagged (${(fpRate * 100).toFixed(2)} %; target ≤ 1 %: ${fpRate <= 0.01 ? 'met' : 'MISSED'})${flagged.length ? ` as ${JSON.stringify(Object.fromEntries(byClass))}` : ''}\n`,
);
process.stdout.write(
  `All classes (micro): ${micro(rows)}; validator-backed: ${micro(rows.filter((r) => validatorBacked.includes(r.cls)))}\n`,
);
const byKind = new Map<string, { right: number; all: number }>();
for (const p of predictions.filter((x) => x.column.expected !== null)) {
  const entry = byKind.get(p.column.kind) ?? { right: 0, all: 0 };
  entry.all += 1;
  if (p.predicted === p.column.expected) entry.right += 1;
  byKind.set(p.column.kind, entry);
}
process.stdout.write(
  `Recall by kind of column: ${[...byKind].map(([kind, { right, all }]) => `${kind} ${right}/${all}`).join(', ')}\n`,
);
process.stdout.write(
  `${columns.length} columns (${columns.reduce((a, c) => a + c.samples.length, 0)} samples) classified in ${seconds.toFixed(2)} s; rule set ${RULESET_VERSION}\n`,
);
