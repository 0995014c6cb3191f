import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { classifyColumn, type Classification } from '../../processors/compliance/classify/classify.ts';

export interface CsvClassification {
  readonly columns: readonly {
    readonly name: string;
    readonly classes: readonly Omit<Classification, 'lowConfidence'>[];
  }[];
}

/**
 * `steward classify --csv FILE [--sample N]`: the header row names the columns, the next N rows (default
 * 100) are their samples. Reads no further than it needs; prints classes with confidence and evidence
 * (a masked exemplar at most, never a raw value). Empty cells count as missing.
 */
export async function classifyCsv(
  file: string,
  sample: number,
  asOf: Date = new Date(),
): Promise<CsvClassification> {
  const parser = createReadStream(file).pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, to_line: sample + 1 }),
  );
  let header: string[] | undefined;
  const columns: (string | null)[][] = [];
  for await (const record of parser as AsyncIterable<string[]>) {
    if (!header) {
      header = record.map((name, i) => name.trim() || `column_${i + 1}`);
      header.forEach(() => columns.push([]));
      continue;
    }
    header.forEach((_, i) => columns[i]?.push(record[i]?.trim() ? (record[i] ?? null) : null));
  }
  if (!header) throw new Error(`${file}: no header row`);
  return {
    columns: header.map((name, i) => ({
      name,
      classes: classifyColumn({ name, samples: columns[i] ?? [] }, { asOf }).map(
        ({ class: cls, confidence, lowConfidence, evidence }) => ({
          class: cls,
          confidence,
          evidence: { ...evidence, lowConfidence },
        }),
      ),
    })),
  };
}
