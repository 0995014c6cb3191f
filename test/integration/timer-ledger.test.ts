import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { migrate } from '../../src/adapters/postgres/migrate.ts';
import {
  adoptUnpublished,
  claimRun,
  finishRun,
  markPublished,
  pruneTimerRows,
  renewRun,
  slotCursors,
  takeSlot,
} from '../../src/adapters/postgres/timer-store.ts';
import { endpoints, postgresSchemaFor } from '../helpers/services.ts';

/** The (job, slot) ledgers on real PostgreSQL: what the schedulers and the sweeps rely on. */
describe('timer ledgers', () => {
  const ref = { job: 'index-reconcile', slot: new Date('2026-01-01T00:30:00Z') };

  it('should let one of many concurrent schedulers take a slot, and move the cursor past manual slots only', async (t) => {
    const { pool, schema } = await postgresSchemaFor(t);
    await migrate({ databaseUrl: endpoints().databaseUrl, schema });
    const taken = await Promise.all(['a', 'b', 'c', 'd'].map((id) => takeSlot(pool, ref, 'scheduled', id)));
    assert.equal(taken.filter(Boolean).length, 1);
    assert.equal(
      await takeSlot(pool, { ...ref, slot: new Date('2026-01-01T00:41:07Z') }, 'manual', 'cli'),
      true,
    );
    assert.deepEqual(
      await slotCursors(pool, new Date('2026-01-01T01:00:00Z')),
      new Map([['index-reconcile', { last: ref.slot, newest: ref.slot }]]),
    );
    // A slot taken by a clock that ran ahead is no cursor for a scheduler whose clock has not reached it.
    const ahead = new Date('2027-01-01T04:00:00Z');
    await takeSlot(pool, { ...ref, slot: ahead }, 'scheduled', 'fast-clock');
    assert.deepEqual(
      await slotCursors(pool, new Date('2026-01-01T01:00:00Z')),
      new Map([['index-reconcile', { last: ref.slot, newest: ahead }]]),
    );
    assert.deepEqual(
      await slotCursors(pool, new Date('2025-12-31T00:00:00Z')),
      new Map([['index-reconcile', { last: undefined, newest: ahead }]]),
    );
  });

  it('should have another scheduler adopt a slot taken but never published, once', async (t) => {
    const { pool, schema } = await postgresSchemaFor(t);
    await migrate({ databaseUrl: endpoints().databaseUrl, schema });
    await takeSlot(pool, ref, 'scheduled', 'died');
    await takeSlot(pool, { ...ref, slot: new Date('2026-01-01T01:00:00Z') }, 'scheduled', 'alive');
    await markPublished(pool, [{ ...ref, slot: new Date('2026-01-01T01:00:00Z') }]);
    assert.deepEqual(await adoptUnpublished(pool, 'other', 60_000, 10), [], 'too recent to adopt');
    await sleep(300);
    const adopted = await Promise.all(['x', 'y'].map((id) => adoptUnpublished(pool, id, 200, 10)));
    assert.deepEqual(adopted.flat(), [ref], 'adopted by exactly one, and only the unpublished slot');
  });

  it('should run a slot under one lease at a time, hand it over when the lease lapses, and dedupe after success', async (t) => {
    const { pool, schema } = await postgresSchemaFor(t);
    await migrate({ databaseUrl: endpoints().databaseUrl, schema });
    assert.deepEqual(await claimRun(pool, ref, 'runner-a', 400), { claimed: true, attempts: 1 });
    const held = await claimRun(pool, ref, 'runner-b', 400);
    assert.equal(held.claimed, false);
    assert.ok(
      !held.claimed && held.status === 'running' && held.runnerId === 'runner-a' && held.leaseLeftMs > 0,
    );
    assert.equal(await renewRun(pool, ref, 'runner-a', 400), true);

    // runner-a stops renewing (it died): once its lease lapses, runner-b takes the run over.
    await sleep(500);
    assert.deepEqual(await claimRun(pool, ref, 'runner-b', 10_000), { claimed: true, attempts: 2 });
    assert.equal(await renewRun(pool, ref, 'runner-a', 400), false, 'the old holder learns it lost the run');
    assert.equal(
      await finishRun(pool, ref, 'runner-a', { status: 'succeeded', outcome: {} }),
      false,
      'a late finish of the old holder writes nothing',
    );
    assert.equal(
      await finishRun(pool, ref, 'runner-b', { status: 'succeeded', outcome: { drift: 0 } }),
      true,
    );

    const duplicate = await claimRun(pool, ref, 'runner-c', 10_000);
    assert.ok(!duplicate.claimed && duplicate.status === 'succeeded', 'a redelivered tick is a duplicate');
    const { rows } = await pool.query<{ runner_id: string; attempts: number; outcome: unknown }>(
      'SELECT runner_id, attempts, outcome FROM steward_job_runs',
    );
    assert.deepEqual(rows, [{ runner_id: 'runner-b', attempts: 2, outcome: { drift: 0 } }]);
  });

  it('should prune slots and runs before the cutoff on the scheduler clock, keeping each job cursor', async (t) => {
    const { pool, schema } = await postgresSchemaFor(t);
    await migrate({ databaseUrl: endpoints().databaseUrl, schema });
    const at = (iso: string) => ({ job: 'kpi-aggregate', slot: new Date(iso) });
    for (const ref of [at('2026-01-01T01:00:00Z'), at('2026-01-02T01:00:00Z'), at('2026-06-01T01:00:00Z')]) {
      await takeSlot(pool, ref, 'scheduled', 'a');
      await claimRun(pool, ref, 'r', 1000);
    }
    await takeSlot(pool, { ...ref, slot: new Date('2025-12-01T00:00:00Z') }, 'scheduled', 'a');
    // Everything is older than the database's now() minus 90 days or not: only the cutoff given counts.
    assert.equal(await pruneTimerRows(pool, new Date('2026-01-15T00:00:00Z')), 4);
    const { rows } = await pool.query<{ job: string; slots: string; runs: string }>(
      `SELECT (SELECT count(*) FROM steward_timer_slots) AS slots, (SELECT count(*) FROM steward_job_runs) AS runs`,
    );
    assert.deepEqual(rows[0], { slots: '2', runs: '1' }, 'the June slot and run, and index-reconcile cursor');
  });

  it('should let a failed run be claimed again by the next delivery', async (t) => {
    const { pool, schema } = await postgresSchemaFor(t);
    await migrate({ databaseUrl: endpoints().databaseUrl, schema });
    await claimRun(pool, ref, 'runner-a', 10_000);
    await finishRun(pool, ref, 'runner-a', { status: 'failed', error: 'Elasticsearch unreachable' });
    assert.deepEqual(await claimRun(pool, ref, 'runner-b', 10_000), { claimed: true, attempts: 2 });
  });
});
