import assert from 'node:assert/strict';
import { test } from 'node:test';
import { upsertEvent } from '../fixtures/events.ts';
import { runtimeFixture, waitFor } from '../helpers/runtime.ts';

test('two instances should share the partitions, and stopping one should move its partitions to the other without loss', async (t) => {
  const fx = await runtimeFixture(t, { partitions: 4 });
  const a = fx.start();
  const b = fx.start();
  await fx.produce(Array.from({ length: 4000 }, (_, i) => upsertEvent(i % 400)));
  await waitFor(
    () => fx.counts(),
    (c) => c.effects >= 4000,
    120_000,
    'the first half applied',
  );
  const sharing = await fx.pool.query<{ n: string }>(
    `SELECT count(DISTINCT key) AS n FROM steward_state WHERE processor = $1`,
    [fx.names.name],
  );
  assert.equal(Number(sharing.rows[0]?.n), 400);
  // Both members took part: each logs the partitions the group assigned to it.
  /** The input partitions of each assignment the instance logged, oldest first. */
  const assignments = (output: string): number[][] =>
    output
      .split('\n')
      .filter((line) => line.includes('partitions assigned'))
      .map(
        (line) =>
          (JSON.parse(line) as { assignment: Record<string, number[]> }).assignment[fx.names.input] ?? [],
      );
  const assigned = (output: string): number[] => assignments(output).flat();
  assert.ok(assigned(a.output()).length > 0, 'instance a owns partitions');
  assert.ok(assigned(b.output()).length > 0, 'instance b owns partitions');

  a.child.kill('SIGTERM');
  assert.equal((await a.exited).code, 0);
  await fx.produce(Array.from({ length: 4000 }, (_, i) => upsertEvent(i % 400)));
  const final = await waitFor(
    () => fx.counts(),
    (c) => c.effects >= 8000,
    120_000,
    'the second half applied by the survivor',
  );
  assert.deepEqual(
    assignments(b.output()).at(-1)?.toSorted(),
    [0, 1, 2, 3],
    'the survivor took every partition',
  );
  assert.deepEqual(final, { effects: 8000, ledger: 8000, applications: 8000 });
  b.child.kill('SIGTERM');
  assert.equal((await b.exited).code, 0);
});

test('SIGTERM during load should exit 0 within 10 s with the offsets of everything applied committed', async (t) => {
  const fx = await runtimeFixture(t, { partitions: 4 });
  await fx.produce(Array.from({ length: 20_000 }, (_, i) => upsertEvent(i % 1000)));
  const processor = fx.start();
  await waitFor(
    () => fx.counts(),
    (c) => c.effects >= 3000,
    120_000,
    'load under way',
  );
  const began = Date.now();
  processor.child.kill('SIGTERM');
  const exit = await processor.exited;
  const tookMs = Date.now() - began;
  assert.equal(exit.code, 0, processor.output().slice(-2000));
  assert.ok(tookMs < 10_000, `stopped in ${tookMs} ms`);

  // Committed offsets cover exactly what was applied: a restart neither re-applies nor skips.
  const applied = (await fx.counts()).ledger;
  const admin = (await import('../helpers/services.ts')).kafkaFor(t).kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const [offsets] = await admin.fetchOffsets({ groupId: fx.names.group, topics: [fx.names.input] });
  const committed = (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  const warnings = processor
    .output()
    .split('\n')
    .filter((line) => /"level":"(warn|error|fatal)"/.test(line))
    .slice(-20)
    .join('\n');
  assert.equal(committed, applied, `${JSON.stringify(offsets)}\n${warnings}`);
});
