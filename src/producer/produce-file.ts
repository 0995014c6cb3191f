import { readFile, stat } from 'node:fs/promises';
import { formatProblem, parseNdjson, type LineProblem, type ParsedNdjson } from './ndjson.ts';
import { ContractError, type ChangePublisher, type PublishResult } from './publish.ts';

/**
 * The whole file is read into memory (then parsed, then encoded), so files are limited to 100 MiB;
 * split larger ones (`split -l 100000 events.ndjson`) and produce each part.
 */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;

export interface ProduceFileOptions {
  readonly publisher: Pick<ChangePublisher, 'publishChanges'>;
  /** Send the valid lines and report the invalid ones, instead of refusing the whole file. */
  readonly skipInvalid: boolean;
  /** Receives one line of output per problem, then a summary line. */
  readonly out: (line: string) => void;
}

export interface ProduceFileResult {
  readonly sent: number;
  /** Lines with at least one problem (not JSON, breaks the contract, or too large for the topic). */
  readonly invalid: number;
  /** True when the file was refused: some line is invalid and skipInvalid is off; nothing was sent. */
  readonly rejected: boolean;
}

interface Outcome {
  readonly result: PublishResult;
  readonly problems: LineProblem[];
}

const none: PublishResult = { sent: 0, batches: 0 };

/** Publishes the valid events; an event the publisher refuses (too large) becomes a problem on its line. */
async function publish(options: ProduceFileOptions, parsed: ParsedNdjson): Promise<Outcome> {
  try {
    return { result: await options.publisher.publishChanges(parsed.events), problems: [] };
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    const problems = error.errors.map((e) => ({ ...e, line: parsed.lines[e.index] ?? 0 }));
    if (!options.skipInvalid) return { result: none, problems };
    const refused = new Set(error.errors.map((e) => e.index));
    const rest = parsed.events.filter((_, index) => !refused.has(index));
    return { result: await options.publisher.publishChanges(rest), problems };
  }
}

async function readNdjson(path: string): Promise<string> {
  const { size } = await stat(path);
  if (size > MAX_FILE_BYTES)
    throw new RangeError(`${path} is ${size} bytes; produce reads at most ${MAX_FILE_BYTES}: split the file`);
  return readFile(path, 'utf8');
}

/**
 * Produces an NDJSON file of change events (one per line) to the changes topic.
 *
 * Every line is checked before anything is sent. When a line is invalid and `skipInvalid` is off, each
 * problem is written to `out` as `line N: <path>: <message>`, nothing is sent, and the result has
 * `rejected: true`: the CLI exits with code 1. With `skipInvalid`, the valid lines are sent and the invalid
 * ones reported the same way; the CLI exits 0. Problems in the file never throw; I/O, a file over
 * MAX_FILE_BYTES, and Kafka or registry failures do (PublishError says how many events were sent first),
 * and the CLI exits 1 on those too.
 */
export async function produceFile(path: string, options: ProduceFileOptions): Promise<ProduceFileResult> {
  const parsed = parseNdjson(await readNdjson(path));
  const rejected = parsed.problems.length > 0 && !options.skipInvalid;
  const { result, problems } = rejected ? { result: none, problems: [] } : await publish(options, parsed);
  const all = [...parsed.problems, ...problems].sort((a, b) => a.line - b.line);
  for (const problem of all) options.out(formatProblem(problem));
  const invalid = new Set(all.map((p) => p.line)).size;
  const refused = rejected || (problems.length > 0 && !options.skipInvalid);
  if (refused) {
    const valid = parsed.events.length - new Set(problems.map((p) => p.line)).size;
    options.out(`${invalid} invalid line(s); nothing sent (--skip-invalid sends the ${valid} valid events)`);
  } else {
    const skipped = invalid ? `skipped ${invalid} invalid line(s); ` : '';
    options.out(`${skipped}sent ${result.sent} events in ${result.batches} batch(es)`);
  }
  return { sent: result.sent, invalid, rejected: refused };
}
