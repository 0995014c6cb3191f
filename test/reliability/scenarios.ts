/**
 * The faults, each injected while a slice of the workload flows. Outages of PostgreSQL, Redis and
 * Elasticsearch go through the suite's proxies (the machine's shared PostgreSQL and Redis are never
 * stopped); only the stack's own JVMs and Steward's own processes are killed for real.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ownedPid, stopProcess } from '../../src/stack/processes.ts';
import type { ServiceName } from '../../src/stack/service.ts';
import { localStack, up } from '../../src/stack/stack.ts';
import { seededRandom } from '../../src/domain/seeded-random.ts';
import type { FaultMode, FaultProxy } from './fault-proxy.ts';
import type { Suite } from './suite.ts';

export interface Scenario {
  readonly name: string;
  /** Share of the slice that is poison. */
  readonly poisonRate: number;
  /** How the slice is offered. */
  readonly via: 'kafka' | 'http';
  /** Injects the fault while the slice flows; resolves once it is over (everything restored). */
  fault(suite: Suite, windowMs: number, log: (line: string) => void): Promise<void>;
}

const OUTAGE_MS = 30_000;
const LEAD_MS = 5_000;

/** Stops one of the stack's JVMs (SIGTERM, then SIGKILL past its grace) and starts it again. */
async function restartService(name: ServiceName, log: (line: string) => void): Promise<void> {
  const stack = localStack();
  const service = stack.services.find((s) => s.name === name);
  if (!service) throw new Error(`no ${name} in the local stack`);
  const pid = ownedPid(service.layout.pidFile, service.marker);
  if (pid === undefined) throw new Error(`${name} is not running from the local stack`);
  const began = Date.now();
  const how = await stopProcess(pid, service.stopGraceMs);
  log(`${name} ${how} (pid ${pid})`);
  await up(stack, () => undefined);
  log(`${name} restarted in ${((Date.now() - began) / 1000).toFixed(1)} s`);
}

/** Puts `proxy` in `mode` for `ms`, then lets traffic pass again. */
async function away(
  proxy: FaultProxy,
  name: string,
  mode: FaultMode,
  ms: number,
  log: (line: string) => void,
): Promise<void> {
  proxy.set(mode);
  log(`${name}: ${mode.kind === 'latency' ? `+${mode.ms} ms per chunk` : mode.kind} for ${ms / 1000} s`);
  await sleep(ms);
  proxy.set({ kind: 'pass' });
  log(`${name}: reachable again`);
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'kill -9 a processor x5',
    poisonRate: 0,
    via: 'kafka',
    async fault(suite, windowMs, log) {
      const random = seededRandom(Number.parseInt(suite.id, 16));
      for (let k = 1; k <= 5; k++) {
        await sleep(windowMs / 6);
        const candidates = suite.instances.filter((i) => i.part !== 'api');
        const victim = candidates[Math.floor(random() * candidates.length)];
        if (!victim) throw new Error('no processor instance to kill');
        const next = await suite.killAndRestart(victim);
        log(`kill ${k}: ${victim.name} (pid ${victim.child.pid ?? '?'}) killed, ${next.name} started`);
      }
    },
  },
  {
    name: 'Kafka broker restart',
    poisonRate: 0,
    via: 'kafka',
    async fault(_suite, _windowMs, log) {
      await sleep(LEAD_MS * 2);
      await restartService('kafka', log);
    },
  },
  {
    name: 'Elasticsearch 30 s away, then restarted',
    poisonRate: 0,
    via: 'kafka',
    async fault(suite, _windowMs, log) {
      await sleep(LEAD_MS);
      await away(suite.proxies.elasticsearch, 'elasticsearch', { kind: 'blackhole' }, OUTAGE_MS, log);
      await restartService('elasticsearch', log);
    },
  },
  {
    name: 'PostgreSQL 30 s away',
    poisonRate: 0,
    via: 'kafka',
    async fault(suite, _windowMs, log) {
      await sleep(LEAD_MS);
      await away(suite.proxies.postgres, 'postgresql', { kind: 'latency', ms: 100 }, 10_000, log);
      await away(suite.proxies.postgres, 'postgresql', { kind: 'blackhole' }, OUTAGE_MS, log);
    },
  },
  {
    name: 'Redis 30 s away (HTTP ingest)',
    poisonRate: 0,
    via: 'http',
    async fault(suite, _windowMs, log) {
      await sleep(LEAD_MS);
      await away(suite.proxies.redis, 'redis', { kind: 'reset' }, OUTAGE_MS, log);
    },
  },
  {
    name: '1 % poison events',
    poisonRate: 0.01,
    via: 'kafka',
    async fault() {},
  },
];
