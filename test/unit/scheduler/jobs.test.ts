import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clockOf } from '../../../src/domain/clock.ts';
import { declaredJobs, resolveJobs } from '../../../src/scheduler/jobs.ts';
import { acceptTick } from '../../../src/scheduler/sweep-runner.ts';

describe('resolveJobs', () => {
  it('should keep the declared defaults when nothing is overridden', () => {
    assert.deepEqual(resolveJobs({}), declaredJobs);
  });

  it('should apply an override to its job only', () => {
    const jobs = resolveJobs({
      'kpi-aggregate': { timeZone: 'Europe/Berlin', catchUp: 'all', enabled: false },
    });
    const kpi = jobs.find((j) => j.name === 'kpi-aggregate');
    assert.deepEqual(
      { timeZone: kpi?.timeZone, catchUp: kpi?.catchUp, enabled: kpi?.enabled, cron: kpi?.cron },
      { timeZone: 'Europe/Berlin', catchUp: 'all', enabled: false, cron: '0 1 * * *' },
    );
    assert.equal(jobs.find((j) => j.name === 'index-reconcile')?.timeZone, 'UTC');
  });

  it('should refuse an unknown job name and an invalid expression, naming them', () => {
    assert.throws(
      () => resolveJobs({ 'nightly-backup': { cron: '0 3 * * *' } }),
      /unknown jobs: nightly-backup/,
    );
    assert.throws(
      () => resolveJobs({ 'health-snapshot': { cron: 'every 15 minutes' } }),
      /health-snapshot: invalid cron/,
    );
  });
});

describe('acceptTick', () => {
  const jobs = declaredJobs;
  const tick = {
    job: 'index-reconcile',
    slot: '2026-01-01T00:30:00.000Z',
    firedAt: '2026-01-01T00:30:00.120Z',
    schedulerId: 'a',
  };

  it('should accept a tick keyed by its job', () => {
    assert.deepEqual(acceptTick(tick, 'index-reconcile', jobs), { ok: true, tick });
  });

  const refusals: [string, unknown, string, RegExp][] = [
    ['an unknown job', { ...tick, job: 'nightly-backup' }, 'nightly-backup', /unknown job "nightly-backup"/],
    ['a key that is not the job', tick, 'kpi-aggregate', /record key \(kpi-aggregate\)/],
    [
      'a slot that is not a UTC instant',
      { ...tick, slot: '2026-01-01 00:30' },
      'index-reconcile',
      /not an ISO-8601 UTC instant/,
    ],
    ['a missing field', { job: 'index-reconcile' }, 'index-reconcile', /must be strings/],
  ];
  for (const [what, value, key, reason] of refusals)
    it(`should refuse ${what}, saying why`, () => {
      const result = acceptTick(value, key, jobs);
      assert.equal(result.ok, false);
      assert.match(result.ok ? '' : result.reason, reason);
    });
});

describe('the scheduler clock', () => {
  it('should read origin + (real − anchor) × speed when accelerated, for every instance alike', () => {
    let real = Date.parse('2026-12-03T18:00:10Z');
    const setting = {
      kind: 'accelerated' as const,
      originMs: Date.parse('2026-03-28T12:00:00Z'),
      anchorMs: Date.parse('2026-12-03T18:00:00Z'),
      speed: 360,
    };
    const clock = clockOf(setting, () => real);
    assert.equal(clock().toISOString(), '2026-03-28T13:00:00.000Z');
    real += 10_000;
    assert.equal(clock().toISOString(), '2026-03-28T14:00:00.000Z');
  });

  it('should read the real time when it is the system clock', () => {
    assert.equal(clockOf({ kind: 'system' }, () => 42)().getTime(), 42);
  });
});
