/**
 * CPU time and memory of processes, read from /proc (Linux): the bench's own child processes by pid, and
 * the stack's servers (Kafka, Elasticsearch and the registry from their pid files, verified as the stack
 * does; PostgreSQL and Redis, system services, by process name). CPU is utime + stime at USER_HZ = 100
 * ticks per second (the Linux ABI value). A process's last reading is kept after it exits, so CPU over a
 * window is right for processes that end inside it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { ownedPid } from '../src/stack/processes.ts';
import { localStack } from '../src/stack/stack.ts';

const TICKS_PER_SECOND = 100;

interface ProcReading {
  readonly cpuSeconds: number;
  /** Private (anonymous) resident memory, and file-backed + shared resident memory, in KiB. */
  readonly anonKiB: number;
  readonly sharedKiB: number;
  /** Peak resident set (VmHWM) in KiB. */
  readonly hwmKiB: number;
}

export function readProc(pid: number): ProcReading | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return {
      cpuSeconds,
      anonKiB: kib('RssAnon'),
      sharedKiB: kib('RssFile') + kib('RssShmem'),
      hwmKiB: kib('VmHWM'),
    };
  } catch {
    return undefined;
  }
}

function pidsByName(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** The servers of the stack, each a function naming its processes now (empty: not found, not measured). */
export function stackServers(): Record<string, () => number[]> {
  const servers: Record<string, () => number[]> = {};
  for (const service of localStack().services) {
    servers[service.name] = () => {
      const pid = ownedPid(service.layout.pidFile, service.marker);
      return pid === undefined ? [] : [pid];
    };
  }
  servers['postgresql'] = () => pidsByName('postgres');
  servers['redis'] = () => pidsByName('redis-server');
  return servers;
}

export interface ProcessUsage {
  readonly name: string;
  readonly kind: 'steward' | 'server';
  readonly measured: boolean;
  /** Peak resident memory: VmHWM for Steward's Node processes; for servers, the highest sample (1 s) of
   * private memory summed over the server's processes plus the largest shared part (shared memory once). */
  readonly peakRssMiB: number;
  readonly cpuSeconds: number;
}

/** Samples named groups of processes every `intervalMs`; CPU per group is summed over every pid it had. */
export class ResourceMonitor {
  readonly #groups = new Map<string, { kind: 'steward' | 'server'; pids: () => number[] }>();
  readonly #cpu = new Map<string, Map<number, number>>();
  readonly #peak = new Map<string, number>();
  readonly #seen = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  track(name: string, kind: 'steward' | 'server', pids: () => number[]): void {
    this.#groups.set(name, { kind, pids });
    if (!this.#cpu.has(name)) this.#cpu.set(name, new Map());
  }

  /** A child process of a stage: several pids over the run share one name. */
  trackPid(name: string, pid: number): void {
    const group = this.#groups.get(name);
    const previous = group?.pids ?? (() => []);
    const alive = new Set<number>([pid]);
    this.track(name, 'steward', () => [...previous(), ...alive]);
    this.sample();
  }

  start(intervalMs = 1000): void {
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.sample();
  }

  sample(): void {
    for (const [name, group] of this.#groups) {
      const cpu = this.#cpu.get(name) ?? new Map<number, number>();
      let anon = 0;
      let shared = 0;
      let hwm = 0;
      for (const pid of group.pids()) {
        const reading = readProc(pid);
        if (!reading) continue;
        this.#seen.add(name);
        cpu.set(pid, reading.cpuSeconds);
        anon += reading.anonKiB;
        shared = Math.max(shared, reading.sharedKiB);
        hwm = Math.max(hwm, reading.hwmKiB);
      }
      this.#cpu.set(name, cpu);
      const rss = group.kind === 'steward' ? hwm : anon + shared;
      this.#peak.set(name, Math.max(this.#peak.get(name) ?? 0, rss));
    }
  }

  /** CPU seconds per group so far (sampled now). */
  cpu(): Map<string, number> {
    this.sample();
    return new Map(
      [...this.#cpu].map(([name, pids]) => [name, [...pids.values()].reduce((a, b) => a + b, 0)]),
    );
  }

  usage(): ProcessUsage[] {
    const cpu = this.cpu();
    return [...this.#groups].map(([name, group]) => ({
      name,
      kind: group.kind,
      measured: this.#seen.has(name),
      peakRssMiB: (this.#peak.get(name) ?? 0) / 1024,
      cpuSeconds: cpu.get(name) ?? 0,
    }));
  }
}

/** CPU seconds per group between two `cpu()` readings. */
export function cpuDelta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of after) out[name] = value - (before.get(name) ?? 0);
  return out;
}
