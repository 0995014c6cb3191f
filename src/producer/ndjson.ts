import { validateChangeEvent, type ChangeEvent } from '../domain/change-event.ts';

/** One problem on one line (1-based): `path` is a JSON pointer into the event, '' when the line is not JSON. */
export interface LineProblem {
  readonly line: number;
  readonly path: string;
  readonly message: string;
}

export interface ParsedNdjson {
  /** The valid events, in file order. */
  readonly events: ChangeEvent[];
  /** `lines[i]` is the line `events[i]` came from. */
  readonly lines: number[];
  /** Every problem of every invalid line, in file order; a line may have several. */
  readonly problems: LineProblem[];
}

const BOM = '\uFEFF';

function parseLine(text: string, line: number): { event: ChangeEvent } | { problems: LineProblem[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problems: [{ line, path: '', message: `invalid JSON: ${(error as Error).message}` }] };
  }
  const result = validateChangeEvent(value);
  if (result.ok) return { event: result.event };
  return { problems: result.errors.map(({ path, message }) => ({ line, path, message })) };
}

/**
 * Newline-delimited JSON, one change event per line, checked against the contract. Pure. Lines end with
 * LF or CRLF; blank lines (whitespace only) are skipped but still counted; a leading UTF-8 BOM is ignored.
 */
export function parseNdjson(text: string): ParsedNdjson {
  const parsed: ParsedNdjson = { events: [], lines: [], problems: [] };
  const rows = (text.startsWith(BOM) ? text.slice(1) : text).split('\n');
  for (const [i, raw] of rows.entries()) {
    const row = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (row.trim() === '') continue;
    const result = parseLine(row, i + 1);
    if ('event' in result) {
      parsed.events.push(result.event);
      parsed.lines.push(i + 1);
    } else parsed.problems.push(...result.problems);
  }
  return parsed;
}

/** `line 3: /occurredAt: required property`, or `line 3: invalid JSON: …` when there is no path. */
export function formatProblem({ line, path, message }: LineProblem): string {
  return path ? `line ${line}: ${path}: ${message}` : `line ${line}: ${message}`;
}
