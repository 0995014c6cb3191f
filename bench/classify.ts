/**
 * `npm run bench:classify`: columns classified per second, 100 samples each, on one core (the classifier
 * is pure and synchronous: a compliance instance classifies at most this fast per core). The columns are
 * the evaluation set's (eval/classify/columns.ndjson: every class and the hard negatives), their samples
 * cycled to exactly 100. Warm-up, then 3 timed repetitions of at least 3 s; prints the median and the
 * spread. It prints figures and exits 0; it is not a test.
 */
import { readFileSync } from 'node:fs';
import { classifyColumn, type ColumnInput } from '../processors/compliance/classify/classify.ts';
import type { EvalColumn } from '../eval/classify/generate.ts';
import { machine, rate } from './common.ts';

const samplesPerColumn = 100;
const asOf = new Date('2026-12-01T00:00:00Z');
const columns: ColumnInput[] = readFileSync(
  new URL('../eval/classify/columns.ndjson', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter(Boolean)
  .map((line) => {
    const column = JSON.parse(line) as EvalColumn;
    const samples = Array.from(
      { length: samplesPerColumn },
      (_, i) => column.samples[i % column.samples.length] ?? null,
    );
    return { name: column.name, type: column.type, description: column.description, samples };
  });

/** Classifies columns round-robin for at least `ms`; returns columns per second. */
function measure(ms: number): number {
  const began = performance.now();
  let done = 0;
  while (performance.now() - began < ms) {
    for (const column of columns) classifyColumn(column, { asOf });
    done += columns.length;
  }
  return done / ((performance.now() - began) / 1000);
}

measure(1000); // warm-up: JIT, caches of the validators
const runs = [measure(3000), measure(3000), measure(3000)].sort((a, b) => a - b);
const median = runs[1] ?? 0;
const spread = ((runs[2] ?? 0) - (runs[0] ?? 0)) / median;
const m = machine();
process.stdout.write(
  [
    `classify: ${columns.length} distinct columns × ${samplesPerColumn} samples, one core (${m.cpuModel}, ${m.cores} cores, load ${m.loadAverage.toFixed(2)}), node ${m.node}, commit ${m.commit}${m.dirty ? '+dirty' : ''}`,
    `columns/s: median ${rate(median)} (runs ${runs.map(rate).join(', ')}; spread ${(spread * 100).toFixed(1)} %)`,
    `samples/s: median ${rate(median * samplesPerColumn)}; per column: ${(1000 / median).toFixed(3)} ms`,
  ].join('\n') + '\n',
);
