import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  dueSlots,
  latestSlot,
  nextSlot,
  slotsAfter,
  validateJob,
  type CatchUp,
  type JobDeclaration,
} from '../../../src/domain/schedule.ts';
import { fromWallTime, toWallTime } from '../../../src/domain/wall-time.ts';

const iso = (text: string): Date => new Date(text);
const job = (cron: string, timeZone = 'UTC', catchUp: CatchUp = 'latest') => ({ cron, timeZone, catchUp });
const between = (j: { cron: string; timeZone: string }, from: string, to: string): string[] => {
  const out: string[] = [];
  for (const slot of slotsAfter(j, iso(from))) {
    if (slot > iso(to)) break;
    out.push(slot.toISOString());
  }
  return out;
};
const options = { toleranceMs: 60_000, catchUpLimit: 3 };

describe('wall time', () => {
  const cases: [zone: string, wall: string, instant: string, why: string][] = [
    ['UTC', '2026-06-01T12:00:00Z', '2026-06-01T12:00:00.000Z', 'UTC is the identity'],
    ['Asia/Kolkata', '2026-06-01T00:00:00Z', '2026-05-31T18:30:00.000Z', 'a half-hour offset'],
    ['Europe/Berlin', '2026-03-29T02:30:00Z', '2026-03-29T01:00:00.000Z', 'a spring gap: the transition'],
    ['Europe/Berlin', '2026-10-25T02:30:00Z', '2026-10-25T00:30:00.000Z', 'a repeated hour: the first pass'],
    ['America/New_York', '2026-03-08T02:15:00Z', '2026-03-08T07:00:00.000Z', 'a spring gap west of UTC'],
    ['America/New_York', '2026-11-01T01:30:00Z', '2026-11-01T05:30:00.000Z', 'a repeated hour west of UTC'],
    ['Australia/Sydney', '2026-10-04T02:30:00Z', '2026-10-03T16:00:00.000Z', 'a southern spring gap'],
    ['Australia/Sydney', '2026-04-05T02:30:00Z', '2026-04-04T15:30:00.000Z', 'a southern repeated hour'],
  ];
  for (const [zone, wall, instant, why] of cases)
    it(`should map ${wall.slice(0, 16)} in ${zone} to ${instant} (${why})`, () => {
      assert.equal(fromWallTime(iso(wall), zone).toISOString(), instant);
    });

  it('should read the wall time of an instant in the zone', () => {
    assert.equal(
      toWallTime(iso('2026-10-25T01:30:00Z'), 'Europe/Berlin').toISOString(),
      '2026-10-25T02:30:00.000Z',
    );
  });
});

describe('slots', () => {
  it('should be the UTC instants of the expression, in UTC by default', () => {
    assert.deepEqual(between(job('*/30 * * * *'), '2026-01-01T09:59:59Z', '2026-01-01T11:00:00Z'), [
      '2026-01-01T10:00:00.000Z',
      '2026-01-01T10:30:00.000Z',
      '2026-01-01T11:00:00.000Z',
    ]);
  });

  it('should read the expression in the job time zone', () => {
    assert.equal(
      nextSlot(job('0 1 * * *', 'America/New_York'), iso('2026-01-10T00:00:00Z'))?.toISOString(),
      '2026-01-10T06:00:00.000Z',
    );
  });

  it('should fire a daily slot in the spring gap once, at the first valid instant after it', () => {
    assert.deepEqual(
      between(job('30 2 * * *', 'Europe/Berlin'), '2026-03-27T12:00:00Z', '2026-03-30T12:00:00Z'),
      ['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z'],
    );
  });

  it('should fire every slot of a skipped hour once, together, at the transition', () => {
    assert.deepEqual(
      between(job('*/15 2 * * *', 'Europe/Berlin'), '2026-03-28T12:00:00Z', '2026-03-29T23:59:00Z'),
      ['2026-03-29T01:00:00.000Z'],
    );
  });

  it('should fire a repeated wall time once, at its first occurrence', () => {
    assert.deepEqual(
      between(job('30 2 * * *', 'Europe/Berlin'), '2026-10-24T12:00:00Z', '2026-10-26T12:00:00Z'),
      ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z'],
    );
    assert.deepEqual(
      between(job('*/15 2 * * *', 'Europe/Berlin'), '2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z'),
      [
        '2026-10-25T00:00:00.000Z',
        '2026-10-25T00:15:00.000Z',
        '2026-10-25T00:30:00.000Z',
        '2026-10-25T00:45:00.000Z',
      ],
    );
  });

  it('should not fire the second pass of a repeated hour for an hourly job', () => {
    assert.deepEqual(
      between(job('0 * * * *', 'Europe/Berlin'), '2026-10-24T22:30:00Z', '2026-10-25T03:00:00Z'),
      [
        '2026-10-24T23:00:00.000Z',
        '2026-10-25T00:00:00.000Z',
        '2026-10-25T02:00:00.000Z',
        '2026-10-25T03:00:00.000Z',
      ],
    );
  });

  it('should handle both transitions of a zone west of UTC', () => {
    const daily = job('30 1 * * *', 'America/New_York');
    assert.deepEqual(between(daily, '2026-10-31T12:00:00Z', '2026-11-02T12:00:00Z'), [
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
    assert.deepEqual(
      between(job('30 2 * * *', 'America/New_York'), '2026-03-07T12:00:00Z', '2026-03-09T12:00:00Z'),
      ['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z'],
    );
  });

  it('should find the latest slot at or before an instant, including the instant itself', () => {
    const hourly = job('0 * * * *');
    assert.equal(latestSlot(hourly, iso('2026-01-01T10:17:00Z'))?.toISOString(), '2026-01-01T10:00:00.000Z');
    assert.equal(latestSlot(hourly, iso('2026-01-01T10:00:00Z'))?.toISOString(), '2026-01-01T10:00:00.000Z');
    assert.equal(
      latestSlot(job('30 2 * * *', 'Europe/Berlin'), iso('2026-03-29T01:05:00Z'))?.toISOString(),
      '2026-03-29T01:00:00.000Z',
    );
  });
});

describe('due slots (catch-up policies)', () => {
  const hourly = (catchUp: CatchUp) => job('0 * * * *', 'UTC', catchUp);
  const now = iso('2026-01-01T10:00:20Z');
  const last = iso('2026-01-01T05:00:00Z');
  const fired = (due: { fire: readonly Date[] }) => due.fire.map((d) => d.toISOString());

  it('should fire a job that never ran once, at its latest slot, whatever its policy', () => {
    for (const policy of ['skip', 'latest', 'all'] as const)
      assert.deepEqual(fired(dueSlots(hourly(policy), undefined, iso('2026-01-01T10:45:00Z'), options)), [
        '2026-01-01T10:00:00.000Z',
      ]);
  });

  it('should fire nothing when the latest slot was already taken', () => {
    assert.deepEqual(fired(dueSlots(hourly('all'), iso('2026-01-01T10:00:00Z'), now, options)), []);
  });

  it('latest: should fire only the most recent missed slot and count the others', () => {
    const due = dueSlots(hourly('latest'), last, now, options);
    assert.deepEqual(fired(due), ['2026-01-01T10:00:00.000Z']);
    assert.equal(due.skipped, 4);
  });

  it('should fire every on-time slot whatever the policy: a slow pass is not downtime', () => {
    const every15 = (catchUp: CatchUp) => job('*/15 * * * *', 'UTC', catchUp);
    const slow = { toleranceMs: 20 * 60_000, catchUpLimit: 10 };
    for (const policy of ['skip', 'latest'] as const) {
      const due = dueSlots(every15(policy), iso('2026-01-01T10:00:00Z'), iso('2026-01-01T10:31:00Z'), slow);
      assert.deepEqual(fired(due), ['2026-01-01T10:15:00.000Z', '2026-01-01T10:30:00.000Z'], policy);
      assert.equal(due.skipped, 0);
    }
  });

  it('latest: should fire the newest missed slot when no slot is on time', () => {
    const due = dueSlots(hourly('latest'), last, iso('2026-01-01T10:30:00Z'), options);
    assert.deepEqual(fired(due), ['2026-01-01T10:00:00.000Z']);
    assert.equal(due.skipped, 4);
  });

  it('all: should fire missed slots oldest first, at most the limit per pass', () => {
    assert.deepEqual(fired(dueSlots(hourly('all'), last, now, options)), [
      '2026-01-01T06:00:00.000Z',
      '2026-01-01T07:00:00.000Z',
      '2026-01-01T08:00:00.000Z',
    ]);
    assert.deepEqual(fired(dueSlots(hourly('all'), iso('2026-01-01T08:00:00Z'), now, options)), [
      '2026-01-01T09:00:00.000Z',
      '2026-01-01T10:00:00.000Z',
    ]);
  });

  it('skip: should fire an on-time slot, and record a late one without firing it', () => {
    const onTime = dueSlots(hourly('skip'), last, now, options);
    assert.deepEqual(fired(onTime), ['2026-01-01T10:00:00.000Z']);
    const late = dueSlots(hourly('skip'), last, iso('2026-01-01T10:30:00Z'), options);
    assert.deepEqual(fired(late), []);
    assert.equal(late.skippedThrough?.toISOString(), '2026-01-01T10:00:00.000Z');
    assert.equal(late.skipped, 5);
  });
});

describe('schedulers with skewed clocks sharing one (job, slot) ledger', () => {
  it('should take every slot exactly once, never skipping one, with clocks up to 40 s apart', () => {
    const every15 = job('*/15 * * * *');
    const taken = new Map<string, number>(); // slot → times taken (the unique constraint allows one)
    const skews = [-40_000, 0, 25_000];
    const start = iso('2026-01-01T00:00:00Z').getTime();
    let cursor: Date | undefined = iso('2026-01-01T00:00:00Z');
    taken.set(cursor.toISOString(), 1);
    for (let t = start; t <= start + 6 * 3_600_000; t += 7_000)
      for (const skew of skews) {
        const due = dueSlots(every15, cursor, new Date(t + skew), { toleranceMs: 120_000, catchUpLimit: 10 });
        for (const slot of due.fire) {
          const key = slot.toISOString();
          if (!taken.has(key)) taken.set(key, 1); // INSERT … ON CONFLICT DO NOTHING
          if (!cursor || slot > cursor) cursor = slot;
        }
      }
    assert.equal(taken.size, 6 * 4 + 1);
    assert.ok([...taken.values()].every((count) => count === 1));
  });
});

describe('job declarations', () => {
  const base: JobDeclaration = {
    name: 'index-reconcile',
    description: 'd',
    cron: '*/30 * * * *',
    timeZone: 'UTC',
    catchUp: 'latest',
    payload: {},
    enabled: true,
  };

  it('should accept a valid declaration', () => {
    validateJob(base);
  });

  it('should refuse an invalid cron expression, an unknown zone and a bad name, naming the job', () => {
    assert.throws(() => validateJob({ ...base, cron: '61 * * * *' }), /index-reconcile: invalid cron/);
    assert.throws(
      () => validateJob({ ...base, timeZone: 'Mars/Olympus' }),
      /unknown time zone "Mars\/Olympus"/,
    );
    assert.throws(() => validateJob({ ...base, name: 'Bad Name' }), /job name "Bad Name"/);
  });
});
