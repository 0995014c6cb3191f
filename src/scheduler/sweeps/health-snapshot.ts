import type { Admin } from 'kafkajs';
import type pg from 'pg';
import { Gauge, type Registry } from 'prom-client';
import { consumerLag } from '../../adapters/kafka-positions.ts';
import type { Check } from '../../observability/health-server.ts';
import type { Sweep } from '../sweep-runner.ts';

export interface CheckResult {
  readonly ok: boolean;
  readonly ms: number;
  readonly error?: string;
}

/** Runs one probe with a time limit; never throws. */
async function probe(check: Check, timeoutMs: number): Promise<CheckResult> {
  const began = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - began) };
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - began), error: String(error).slice(0, 300) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * health-snapshot: reachability of Kafka, the registry, Elasticsearch, PostgreSQL and Redis (the same
 * probes as /readyz) and the lag of every Steward consumer group, one row per slot in
 * `steward_health_snapshots` (the sweep's own table). An unreachable server is a finding, not a failure
 * of the run: the row says so. Without Kafka the lag is recorded as unknown.
 */
export function healthSnapshotSweep(deps: {
  pool: pg.Pool;
  admin: () => Promise<Admin>;
  checks: Readonly<Record<string, Check>>;
  registry: Registry;
  groupPrefix?: string;
  timeoutMs?: number;
}): Sweep {
  const up = new Gauge({
    name: 'steward_dependency_up',
    help: 'Whether each server answered the latest health snapshot (1) or not (0)',
    labelNames: ['dependency'],
    registers: [deps.registry],
  });
  const lagGauge = new Gauge({
    name: 'steward_group_lag_records',
    help: 'Consumer lag of each Steward group at the latest health snapshot',
    labelNames: ['group'],
    registers: [deps.registry],
  });
  const timeoutMs = deps.timeoutMs ?? 3000;
  return {
    job: 'health-snapshot',
    async run({ slot }) {
      const names = Object.keys(deps.checks).sort();
      const results = await Promise.all(
        names.map((name) => probe(deps.checks[name] ?? (() => Promise.resolve()), timeoutMs)),
      );
      const checks = Object.fromEntries(names.map((name, i) => [name, results[i]]));
      for (const [name, result] of Object.entries(checks)) up.set({ dependency: name }, result?.ok ? 1 : 0);
      // Best effort, like the probes: a lag that cannot be read (Kafka down, a group rebalancing) is a
      // finding recorded in the row, not a failed run.
      let lag: unknown = null;
      if (checks.kafka?.ok) {
        try {
          const groups = await consumerLag(await deps.admin(), deps.groupPrefix ?? 'steward.');
          for (const group of groups) lagGauge.set({ group: group.group }, group.total);
          lag = Object.fromEntries(
            groups.map((g) => [g.group, g.error ? { error: g.error } : { total: g.total, topics: g.topics }]),
          );
        } catch (error) {
          lag = { error: String(error).slice(0, 300) };
        }
      }
      const healthy = results.every((r) => r.ok);
      await deps.pool.query(
        `INSERT INTO steward_health_snapshots (slot, healthy, checks, lag) VALUES ($1, $2, $3, $4)
         ON CONFLICT (slot) DO NOTHING`,
        [slot, healthy, JSON.stringify(checks), JSON.stringify(lag)],
      );
      return { healthy, unreachable: names.filter((_, i) => !results[i]?.ok) };
    },
  };
}
