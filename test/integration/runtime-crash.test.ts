import assert from 'node:assert/strict';
import { test } from 'node:test';
import { upsertEvent } from '../fixtures/events.ts';
import { runtimeFixture, waitFor } from '../helpers/runtime.ts';

test('a processor killed with SIGKILL mid-run should, once restarted, lose no event and duplicate no effect', async (t) => {
  const fx = await runtimeFixture(t, { partitions: 4 });
  const events = Array.from({ length: 20_000 }, (_, i) => upsertEvent(i % 1000));
  await fx.produce(events);

  const first = fx.start();
  await waitFor(
    () => fx.counts(),
    (c) => c.effects >= 4000,
    120_000,
    'a fifth of the events applied',
  );
  first.child.kill('SIGKILL');
  const killed = await first.exited;
  assert.equal(killed.signal, 'SIGKILL');
  const atKill = await fx.counts();
  assert.ok(atKill.effects < 20_000, `killed mid-run (${atKill.effects} applied)`);

  const second = fx.start();
  const final = await waitFor(
    () => fx.counts(),
    (c) => c.effects >= 20_000,
    180_000,
    'every event applied',
  );
  // Anything applied twice would show as an over-count of the per-URN state or extra ledger rows.
  assert.deepEqual(final, { effects: 20_000, ledger: 20_000, applications: 20_000 });
  // Every committed change was published (the outbox), possibly more than once, never lost.
  const outputs = await fx.outputs(20_000, 120_000);
  assert.equal(new Set(outputs.map((o) => o.id)).size, 20_000);
  second.child.kill('SIGTERM');
  assert.equal((await second.exited).code, 0);
});
