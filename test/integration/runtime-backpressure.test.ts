import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { upsertEvent } from '../fixtures/events.ts';
import { proxyFor } from '../helpers/proxy.ts';
import { runtimeFixture, waitFor } from '../helpers/runtime.ts';

test('a processor should pause while PostgreSQL is unreachable and resume without loss or duplicates when it returns', async (t) => {
  const fx = await runtimeFixture(t, { partitions: 4 });
  const target = new URL(fx.databaseUrl);
  const proxy = await proxyFor(t, target.hostname, Number(target.port || 5432));
  const proxied = new URL(fx.databaseUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);

  await fx.produce(Array.from({ length: 30_000 }, (_, i) => upsertEvent(i % 300)));
  const processor = fx.start({}, { DATABASE_URL: proxied.toString() });
  await waitFor(
    () => fx.counts(),
    (c) => c.effects >= 1000,
    120_000,
    'load under way',
  );

  await proxy.cut();
  const atCut = await fx.counts();
  await waitFor(
    () => Promise.resolve(processor.output()),
    (out) => out.includes('pausing partition'),
    60_000,
    'a paused partition',
  );
  await sleep(2000);
  assert.equal(processor.child.exitCode, null, 'the processor keeps running while its database is away');
  assert.deepEqual(await fx.counts(), atCut, 'nothing is applied while the database is unreachable');

  await proxy.restore();
  const final = await waitFor(
    () => fx.counts(),
    (c) => c.effects >= 30_000,
    120_000,
    'every event applied after the return',
  );
  assert.deepEqual(final, { effects: 30_000, ledger: 30_000, applications: 30_000 });
  processor.child.kill('SIGTERM');
  assert.equal((await processor.exited).code, 0, processor.output().slice(-3000));
});
