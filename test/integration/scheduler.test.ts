import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { migrate } from '../../src/adapters/postgres/migrate.ts';
import { latestSlot, slotsAfter } from '../../src/domain/schedule.ts';
import { valueSubject } from '../../src/domain/topic.ts';
import { resolveJobs } from '../../src/scheduler/jobs.ts';
import { timers } from '../../topics/index.ts';
import { assetIndexFor } from '../helpers/catalog.ts';
import { killAfter, processEnv, spawnFixture, waitFor, type ProcessorChild } from '../helpers/runtime.ts';
import { deleteSubject, endpoints, kafkaFor, postgresSchemaFor, uniqueName } from '../helpers/services.ts';

const hour = 3_600_000;

/**
 * Restarts the Redis server the tests use: the machine's own service (the local set-up runs Redis as a
 * system service; CI's PATH may not include sbin, so the tools are tried by absolute path).
 */
async function restartRedis(): Promise<void> {
  const { hostname } = new URL(endpoints().redisUrl);
  assert.ok(['127.0.0.1', 'localhost', '::1', '[::1]'].includes(hostname), 'Redis must be the local service');
  const attempts: [string, string[]][] = [
    ['/usr/sbin/service', ['redis-server', 'restart']],
    ['/etc/init.d/redis-server', ['restart']],
    ['/usr/bin/systemctl', ['restart', 'redis-server']],
    ['/bin/systemctl', ['restart', 'redis-server']],
  ];
  const failures: string[] = [];
  for (const [command, args] of attempts) {
    try {
      execFileSync(command, args, { stdio: 'ignore' });
      failures.length = 0;
      break;
    } catch (error) {
      failures.push(`${command}: ${String(error)}`);
    }
  }
  assert.equal(failures.length, 0, `could not restart Redis:\n${failures.join('\n')}`);
  const redis = new Redis(endpoints().redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    assert.equal(await redis.ping(), 'PONG');
  } finally {
    redis.disconnect();
  }
}

/** `{job, slot}` of every JSON log line with message `msg` in the children's output. */
function logged(children: readonly ProcessorChild[], msg: string): string[] {
  return children.flatMap((c) =>
    c
      .output()
      .split('\n')
      .flatMap((line) => {
        if (!line.startsWith('{')) return [];
        const entry = JSON.parse(line) as { msg?: string; job?: string; slot?: string };
        return entry.msg === msg ? [`${entry.job ?? ''} ${entry.slot ?? ''}`] : [];
      }),
  );
}

describe('timers on a fast clock', () => {
  it('should run every (job, slot) of a simulated day exactly once with three skewed schedulers and two sweeps consumers, through a scheduler killed and Redis restarted', async (t) => {
    const kafka = kafkaFor(t);
    const { pool, schema } = await postgresSchemaFor(t);
    await migrate({ databaseUrl: endpoints().databaseUrl, schema });
    const { prefix } = assetIndexFor(t);
    const names = {
      timers: await kafka.topic(3),
      commands: await kafka.topic(3),
      dlq: await kafka.topic(1),
      retry: await kafka.topic(1),
      group: uniqueName('steward.sweeps'),
    };
    t.after(async () => {
      for (const name of [names.timers, names.commands, names.dlq])
        await deleteSubject(valueSubject({ ...timers, name }));
    });

    // A day of simulated time in 90 s: origin 2026-03-28 12:00Z, so the day crosses Berlin's spring gap.
    const speed = 960;
    const origin = Date.parse('2026-03-28T12:00:00Z');
    const anchor = Date.now() + 6000; // the clock reads `origin` once the processes are up
    const simulated = (): number => origin + (Date.now() - anchor) * speed;
    const overrides = { 'kpi-aggregate': { cron: '30 2 * * *', timeZone: 'Europe/Berlin' } };
    const env = {
      ...processEnv(`${endpoints().databaseUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`),
      ELASTICSEARCH_INDEX_PREFIX: prefix,
      SCHEDULER_CLOCK: 'accelerated',
      SCHEDULER_CLOCK_ORIGIN: new Date(origin).toISOString(),
      SCHEDULER_CLOCK_ANCHOR: new Date(anchor).toISOString(),
      SCHEDULER_CLOCK_SPEED: String(speed),
      SCHEDULER_POLL_MS: '100',
      // On time: up to two simulated hours (7.5 s) behind, so a starved pass is late, not "missed".
      SCHEDULER_LATE_TOLERANCE_MS: String(2 * hour),
      SCHEDULER_JOBS: JSON.stringify(overrides),
      SWEEP_LEASE_MS: '5000',
    };
    // Skewed clocks: one scheduler 16 simulated minutes ahead (it takes most slots: the one killed), one
    // on time, one 16 minutes behind. 16 minutes is more than the 15-minute job's interval.
    const start = (scheduler: boolean, skewMs = 0): ProcessorChild =>
      spawnFixture('test/fixtures/run-timers.ts', {
        ...env,
        SCHEDULER_CLOCK_ANCHOR: new Date(anchor - skewMs / speed).toISOString(),
        STEWARD_FIXTURE: JSON.stringify({ ...names, scheduler, sweeps: !scheduler }),
      });
    const skew = 16 * 60_000;
    const schedulers = [start(true, skew), start(true), start(true, -skew)];
    const sweeps = [start(false), start(false)];
    killAfter(t, [...schedulers, ...sweeps]);

    const until = async (simulatedMs: number): Promise<void> => {
      while (simulated() < simulatedMs) await sleep(100);
    };
    await until(origin + 8 * hour);
    schedulers[0]?.child.kill('SIGKILL');
    await until(origin + 14 * hour);
    await restartRedis();
    // Past the day's end by a simulated hour (3.75 s real, dozens of polls): one simulated minute was 62 ms
    // real, less than a poll, so a scheduler slowed by a loaded machine could be stopped before publishing
    // the day's last slot, and the test failed on load rather than on a defect.
    await until(origin + 25 * hour);
    for (const s of schedulers.slice(1)) s.child.kill('SIGTERM');
    await Promise.all(schedulers.slice(1).map((s) => s.exited));

    // Every slot taken has run, before the sweeps stop (a timeout names the slots and shows the logs).
    await waitFor(
      async () =>
        (
          await pool.query<{ job: string; slot: Date; status: string | null; error: string | null }>(
            `SELECT s.job, s.slot, r.status, r.error FROM steward_timer_slots s LEFT JOIN steward_job_runs r USING (job, slot)
             WHERE s.kind = 'scheduled' AND r.status IS DISTINCT FROM 'succeeded'`,
          )
        ).rows,
      (pending) => pending.length === 0,
      60_000,
      'every slot taken to have run',
    );
    for (const s of sweeps) s.child.kill('SIGTERM');
    const exits = await Promise.all(sweeps.map((s) => s.exited));
    assert.deepEqual(
      exits.map((e) => e.code),
      [0, 0],
      'the sweeps stop gracefully',
    );

    const { rows: runs } = await pool.query<{ job: string; slot: Date; attempts: number; status: string }>(
      `SELECT job, slot, attempts, status FROM steward_job_runs ORDER BY job, slot`,
    );
    const dayEnd = new Date(origin + 24 * hour);
    for (const job of resolveJobs(overrides)) {
      const slots = runs.filter((r) => r.job === job.name).map((r) => r.slot);
      const first = slots[0];
      const last = slots[slots.length - 1];
      assert.ok(first && last, `${job.name} ran`);
      // Contiguous: every slot between the first and the last ran (none skipped, by any scheduler).
      const expected = [first.toISOString()];
      for (const slot of slotsAfter(job, first)) {
        if (slot > last) break;
        expected.push(slot.toISOString());
      }
      assert.deepEqual(
        slots.map((s) => s.toISOString()),
        expected,
        `${job.name}: one run per slot, none skipped`,
      );
      assert.ok(first.getTime() < origin + 4 * hour, `${job.name} ran from the start of the day`);
      assert.ok(last >= (latestSlot(job, dayEnd) ?? dayEnd), `${job.name} ran through the simulated day`);
    }
    assert.ok(
      runs.some((r) => r.job === 'kpi-aggregate' && r.slot.toISOString() === '2026-03-29T01:00:00.000Z'),
      "02:30 in Berlin's spring gap ran at the first valid instant after it (03:00 CEST)",
    );
    const retried = runs.filter((r) => r.status !== 'succeeded' || r.attempts !== 1);
    assert.deepEqual(retried, [], 'each run claimed once');

    // Exactly once, by the sweeps' own account: each (job, slot) succeeded in one process, once.
    const succeeded = logged(sweeps, 'sweep succeeded');
    assert.equal(succeeded.length, runs.length);
    assert.equal(new Set(succeeded).size, runs.length);
    assert.ok(
      sweeps.every((s) => s.output().includes('sweeps started')),
      'both sweeps consumers joined the group',
    );

    // The sweeps' effects, one row per slot.
    const { rows: effects } = await pool.query<{ health: string; kpis: string; unhealthy: string }>(
      `SELECT (SELECT count(*) FROM steward_health_snapshots) AS health,
              (SELECT count(*) FROM steward_kpi_snapshots) AS kpis,
              (SELECT count(*) FROM steward_health_snapshots WHERE NOT healthy) AS unhealthy`,
    );
    assert.equal(Number(effects[0]?.health), runs.filter((r) => r.job === 'health-snapshot').length);
    assert.equal(Number(effects[0]?.kpis), runs.filter((r) => r.job === 'kpi-aggregate').length);

    const published = logged(schedulers, 'tick published');
    t.diagnostic(
      `runs ${runs.length}; ticks published ${published.length} (${published.length - new Set(published).size} republished duplicates); health snapshots with a server down: ${effects[0]?.unhealthy}`,
    );
  });
});
