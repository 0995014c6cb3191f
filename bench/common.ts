/** Helpers shared by the benchmarks (bench/runtime.ts, bench/catalog.ts). */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError } from 'commander';
import type { Config } from '../src/config.ts';
import type { Logger } from '../src/observability/logger.ts';
import { projectRoot } from '../src/paths.ts';
import type { Machine } from './report.ts';

/** A count that has not moved for this long has failed. */
export const STALL_MS = 60_000;
export const POLL_MS = 10;

export function integer(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

export const progress = (line: string): void => void process.stderr.write(`${line}\n`);
export const rate = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Cleanup steps, run last-registered first; each one runs even when an earlier one fails. */
export class Cleanup {
  readonly #steps: { what: string; run: () => Promise<unknown> }[] = [];
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  defer(what: string, run: () => Promise<unknown>): void {
    this.#steps.push({ what, run });
  }

  async run(): Promise<void> {
    for (const step of this.#steps.reverse()) {
      try {
        await step.run();
      } catch (error) {
        this.#logger.error({ err: error, step: step.what }, 'cleanup step failed');
      }
    }
  }
}

/** Polls `probe` until it reaches `target`; fails when it stops moving or on abort. Returns when. */
export async function until(
  probe: () => number | Promise<number>,
  target: number,
  what: string,
  signal: AbortSignal,
): Promise<number> {
  let last = -1;
  let movedAt = performance.now();
  for (;;) {
    signal.throwIfAborted();
    const value = await probe();
    const now = performance.now();
    if (value >= target) return now;
    if (value !== last) {
      last = value;
      movedAt = now;
    } else if (now - movedAt > STALL_MS) {
      throw new Error(`${what}: stuck at ${value} of ${target} for ${STALL_MS / 1000} s`);
    }
    await sleep(POLL_MS, undefined, { signal });
  }
}

export function machine(): Machine {
  const git = (...args: string[]): string | undefined => {
    try {
      return execFileSync('git', args, { cwd: projectRoot(), encoding: 'utf8', stdio: 'pipe' }).trim();
    } catch {
      return undefined;
    }
  };
  const kafkajs = createRequire(import.meta.url)('kafkajs/package.json') as { version: string };
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    kafkajs: kafkajs.version,
    commit: git('rev-parse', '--short', 'HEAD') ?? 'unknown',
    dirty: Boolean(git('status', '--porcelain')),
    loadAverage: loadavg()[0] ?? NaN,
  };
}

export async function deleteSubject(config: Config, subject: string): Promise<void> {
  const auth = config.schemaRegistry.auth;
  const headers: Record<string, string> = auth
    ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }
    : {};
  const base = `${config.schemaRegistry.url}/subjects/${encodeURIComponent(subject)}`;
  // Soft delete first, as the Confluent API requires; 404 (never registered) is fine.
  for (const url of [base, `${base}?permanent=true`]) {
    const response = await fetch(url, { method: 'DELETE', headers });
    await response.arrayBuffer();
  }
}

/** A connection string whose sessions use `schema` (the migrations' tables live there). */
export function withSearchPath(url: string, schema: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/** Writes a bench's figures as JSON to bench/results/<name>-latest.json (git-ignored). */
export function writeResult(name: string, result: unknown): void {
  const dir = join(projectRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}-latest.json`), `${JSON.stringify(result, null, 2)}\n`);
}

/**
 * Runs a bench's main: a failure prints its stack and exits 1 (the bench could not run); figures never
 * change the exit code. Should a client library still hold a handle afterwards, do not hang on it.
 */
export function runBench(main: () => Promise<void>): void {
  main()
    .catch((error: unknown) => {
      process.stderr.write(
        `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    })
    .finally(() => setTimeout(() => process.exit(), 5000).unref());
}

const orphans = new Set<ChildProcess>();
let exitHook = false;

/**
 * Should this process die without its cleanup, `child` goes with it (SIGKILL on exit). One exit listener
 * for every child, however many a run starts; a child that exited is forgotten.
 */
export function killOnExit(child: ChildProcess): void {
  orphans.add(child);
  child.once('exit', () => orphans.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const orphan of orphans) orphan.kill('SIGKILL');
  });
}
