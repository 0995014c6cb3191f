/**
 * `npm run test:reliability [-- --full]`: drives a workload with a known final state through Steward's
 * processors (real child processes on the local stack) while injecting one fault per scenario, and checks
 * after each that nothing was lost or duplicated. Prints a table; exits 1 when any check fails.
 * See docs/reliability.md.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import { projectRoot } from '../../src/paths.ts';
import { localStack, status } from '../../src/stack/stack.ts';
import { PARTS, type Part } from './part.ts';
import { SCENARIOS, type Scenario } from './scenarios.ts';
import { offerOverHttp, offerOverKafka, type Offered } from './send.ts';
import { Suite } from './suite.ts';
import { tamperingUnnoticed, verify, type Verdict } from './verify.ts';
import { workload, type Workload } from './workload.ts';

interface Options {
  readonly full: boolean;
  readonly events?: number;
  readonly only?: string;
  readonly keepLogs?: string;
}

const PROFILES = {
  ci: { events: 20_000, tables: 1_000, catchUpMs: 240_000 },
  full: { events: 100_000, tables: 5_000, catchUpMs: 600_000 },
} as const;
/** The slice of each scenario is offered over at least this long, at most this fast. */
const MIN_WINDOW_MS = 45_000;
const MAX_RATE = 150;
const POLL_MS = 2_000;
const PROBE_MS = 500;

const log = (line: string): void =>
  void process.stderr.write(`[reliability ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function parse(): Options {
  const positive = (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 6) throw new InvalidArgumentError('expected an integer >= 6');
    return n;
  };
  return new Command('test:reliability')
    .description('faults injected while a known workload flows; nothing may be lost or duplicated')
    .option('--full', 'the full profile: 100,000 events (default: the CI profile, 20,000)', false)
    .option('--events <n>', 'events in all (split evenly over the scenarios)', positive)
    .option('--only <names>', 'comma-separated scenario numbers (1-6) to run')
    .option('--keep-logs <dir>', "write every Steward process's output there at the end")
    .parse()
    .opts<Options>();
}

interface Row {
  readonly scenario: string;
  readonly events: number;
  readonly poison: number;
  readonly verdict: Verdict;
  readonly caughtUp: boolean;
  readonly recoverySeconds: number;
  readonly retries: number;
  readonly apiErrors: number;
  readonly probes: number;
  readonly notReady: readonly string[];
}

/** GET /v1/search every PROBE_MS until `stop`: how many answered, how many did not answer 2xx. */
function probeApi(suite: Suite, stop: AbortSignal): Promise<{ probes: number; failed: number }> {
  const api = suite.instances.find((i) => i.part === 'api');
  const result = { probes: 0, failed: 0 };
  return (async () => {
    while (!stop.aborted) {
      result.probes += 1;
      try {
        const response = await fetch(`http://127.0.0.1:${api?.apiPort ?? 0}/v1/search?q=t1&size=5`, {
          signal: AbortSignal.timeout(5000),
        });
        await response.arrayBuffer();
        if (response.status >= 300) result.failed += 1;
      } catch {
        result.failed += 1;
      }
      await sleep(PROBE_MS).catch(() => undefined);
    }
    return result;
  })();
}

async function runScenario(
  suite: Suite,
  scenario: Scenario,
  work: Workload,
  events: number,
  catchUpMs: number,
  sentPoison: string[],
): Promise<Row> {
  const items = work.next(events, scenario.poisonRate);
  const windowMs = Math.max(MIN_WINDOW_MS, (events / MAX_RATE) * 1000);
  const rate = events / (windowMs / 1000);
  const offered: Offered & { apiErrors: number } = { poison: [], retries: 0, apiErrors: 0 };
  const stopProbe = new AbortController();
  const probing = probeApi(suite, stopProbe.signal);
  log(`${scenario.name}: ${events} events at ${rate.toFixed(0)}/s over ${(windowMs / 1000).toFixed(0)} s`);
  const offering =
    scenario.via === 'http'
      ? offerOverHttp(
          suite,
          items.flatMap((i) => (i.kind === 'valid' ? [i.event] : [])),
          rate,
          offered,
        )
      : offerOverKafka(suite, items, rate, offered);
  await Promise.all([offering, scenario.fault(suite, windowMs, log)]);
  const settledAt = performance.now();
  stopProbe.abort();
  const { probes, failed } = await probing;
  sentPoison.push(...offered.poison);
  const sent = { valid: work.valid, poison: sentPoison };
  let verdict = await verify(suite, sent);
  const ok = (v: Verdict): boolean => v.lost === 0 && v.duplicated === 0 && v.dlqFound === v.dlqExpected;
  while (!ok(verdict) && performance.now() - settledAt < catchUpMs) {
    await sleep(POLL_MS);
    verdict = await verify(suite, sent);
  }
  const caughtUp = ok(verdict);
  const recoverySeconds = (performance.now() - settledAt) / 1000;
  const notReady = await suite.notReady();
  log(
    `${scenario.name}: ${caughtUp ? 'caught up' : 'NOT caught up'} in ${recoverySeconds.toFixed(1)} s; lost ${verdict.lost}, duplicated ${verdict.duplicated}, DLQ ${verdict.dlqFound}/${verdict.dlqExpected}${notReady.length ? `; not ready: ${notReady.join('; ')}` : ''}`,
  );
  for (const problem of verdict.problems) log(`  ${problem}`);
  // A failure is explained by what the processes warned about: their last warnings and errors.
  if (!caughtUp)
    for (const instance of suite.instances) {
      const lines = instance
        .output()
        .split('\n')
        .filter((line) => /"level":"(warn|error|fatal)"/.test(line))
        .slice(-8);
      for (const line of lines) log(`  ${instance.name}: ${line.slice(0, 600)}`);
    }
  return {
    scenario: scenario.name,
    events,
    poison: offered.poison.length,
    verdict,
    caughtUp,
    recoverySeconds,
    retries: offered.retries,
    apiErrors: failed,
    probes,
    notReady,
  };
}

function table(rows: readonly Row[]): string {
  const header = [
    'scenario',
    'events',
    'lost',
    'duplicated',
    'DLQ expected/found',
    'recovery s',
    'send retries',
    'API probes failed',
    'result',
  ];
  const cells = rows.map((r) => [
    r.scenario,
    r.events.toLocaleString('en-US'),
    String(r.verdict.lost),
    String(r.verdict.duplicated),
    `${r.verdict.dlqExpected}/${r.verdict.dlqFound}`,
    r.recoverySeconds.toFixed(1),
    String(r.retries),
    `${r.apiErrors}/${r.probes}`,
    passed(r) ? 'ok' : 'FAILED',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string =>
    c.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

const passed = (r: Row): boolean => r.caughtUp && r.notReady.length === 0;

async function main(): Promise<void> {
  const options = parse();
  const profile = options.full ? PROFILES.full : PROFILES.ci;
  const total = options.events ?? profile.events;
  const selected = options.only
    ? options.only.split(',').map((n) => {
        const scenario = SCENARIOS[Number(n) - 1];
        if (!scenario) throw new InvalidArgumentError(`no scenario ${n}`);
        return scenario;
      })
    : SCENARIOS;
  const perScenario = Math.floor(total / selected.length);
  const began = performance.now();
  const suite = await Suite.open(log);
  // Interrupted: remove what the suite created before leaving.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void suite.close().finally(() => process.exit(130));
    });
  const rows: Row[] = [];
  let unnoticed: string[] = [];
  let alerts = { transitions: 0, records: 0 };
  try {
    const instances: Part[] = ['metadata-sync', 'metadata-sync', 'compliance', 'quality', 'indexer', 'api'];
    for (const part of instances) await suite.spawn(part);
    log(
      `started ${instances.length} Steward processes (${PARTS.filter((p) => p !== 'api').join(', ')}, api)`,
    );
    const work = workload({ tables: profile.tables, seed: Number.parseInt(suite.id, 16) });
    const poison: string[] = [];
    for (const scenario of selected)
      rows.push(await runScenario(suite, scenario, work, perScenario, profile.catchUpMs, poison));
    unnoticed = await tamperingUnnoticed(suite, { valid: work.valid, poison });
    alerts = {
      transitions: suite.collected.alerts.size,
      records: [...suite.collected.alerts.values()].reduce((a, b) => a + b, 0),
    };
  } finally {
    if (options.keepLogs) {
      mkdirSync(options.keepLogs, { recursive: true });
      for (const instance of [...suite.retired, ...suite.instances])
        writeFileSync(join(options.keepLogs, `${instance.name.replace('#', '-')}.log`), instance.output());
    }
    await suite.close();
  }
  const services = await status(localStack());
  const down = services.filter((s) => !s.healthy).map((s) => s.name);
  const minutes = (performance.now() - began) / 60_000;
  const report = [
    `Steward reliability, ${options.full ? 'full' : 'CI'} profile: ${(perScenario * selected.length).toLocaleString('en-US')} events over ${selected.length} scenarios, ${profile.tables.toLocaleString('en-US')} tables, in ${minutes.toFixed(1)} min`,
    '',
    table(rows),
    '',
    `violation transitions alerted: ${alerts.transitions} (${alerts.records} alert records; the notifier dedupes on the id)`,
    `checks catch tampering (a ledger row, an alert, a dead letter, a revision): ${unnoticed.length ? `NO: ${unnoticed.join('; ')}` : 'yes'}`,
    `stack services at the end: ${services.map((s) => `${s.name} ${s.healthy ? 'up' : 'DOWN'}`).join(', ')}`,
  ].join('\n');
  process.stdout.write(`${report}\n`);
  const dir = join(projectRoot(), 'test', 'reliability', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${options.full ? 'full' : 'ci'}-latest.json`),
    `${JSON.stringify({ rows, unnoticed, alerts, services, minutes }, null, 2)}\n`,
  );
  if (down.length || unnoticed.length || rows.some((r) => !passed(r))) process.exitCode = 1;
}

main()
  .catch((error: unknown) => {
    process.stderr.write(
      `reliability suite failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  })
  .finally(() => setTimeout(() => process.exit(), 3000).unref());
