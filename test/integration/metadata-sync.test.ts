import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { AssetColumn, ChangeEvent } from '../../src/domain/change-event.ts';
import type { AssetEvent } from '../../processors/metadata-sync/asset-event.ts';
import { mergeChange, type AssetState } from '../../processors/metadata-sync/merge.ts';
import { metadataSync } from '../../processors/metadata-sync/processor.ts';
import { upsertEvent } from '../fixtures/events.ts';
import { samplesInPostgres } from '../helpers/leaks.ts';
import { catalogPipeline } from '../helpers/catalog.ts';
import { waitFor } from '../helpers/runtime.ts';
import { registryClient } from '../helpers/services.ts';

const ASSETS = 50;
const minute = (n: number): string => new Date(Date.UTC(2024, 5, 1, 0, n)).toISOString();
const column = (name: string, type: string, nullable: boolean): AssetColumn => ({
  name,
  type,
  nullable,
  description: null,
  tags: [],
});
const v1 = [
  { ...column('id', 'bigint', false), ordinal: 1, primaryKey: true },
  column('email', 'text', true),
];
/** a % 5 == 0: email dropped, phone added (breaking); a % 5 == 1: phone added (not breaking). */
const changedColumns = (a: number): AssetColumn[] | undefined =>
  a % 5 === 0
    ? [v1[0] ?? column('id', 'bigint', false), column('phone', 'text', true)]
    : a % 5 === 1
      ? [...v1, column('phone', 'text', true)]
      : undefined;
const finallyDeleted = (a: number): boolean => a % 4 === 0 && a % 8 !== 0;

/** ~300 events over 50 assets, in the order they are produced (per URN, the order of the partition). */
function scenario(): { events: ChangeEvent[]; samples: string[] } {
  const events: ChangeEvent[] = [];
  const samples: string[] = [];
  const at = (e: ChangeEvent, n: number): ChangeEvent => ({ ...e, id: randomUUID(), occurredAt: minute(n) });
  /** The asset's identity, no columns: what a profile or a delete carries. */
  const identity = (a: number, change: Partial<ChangeEvent['asset']> = {}): ChangeEvent['asset'] => {
    const asset = { ...upsertEvent(a).asset, ...change };
    delete asset.columns;
    return asset;
  };
  const profile = (a: number, n: number, rowCount: number): ChangeEvent => {
    const sample = `secret-${a}-${n}@example.org`;
    samples.push(sample);
    return {
      ...upsertEvent(a),
      id: randomUUID(),
      kind: 'profile',
      occurredAt: minute(n),
      asset: identity(a),
      profile: {
        rowCount,
        profiledAt: minute(n),
        columns: [
          {
            name: 'email',
            nullCount: 0,
            distinctCount: 9,
            min: null,
            max: null,
            valueType: 'string',
            samples: [sample],
          },
        ],
      },
    };
  };
  for (let a = 0; a < ASSETS; a++) {
    const first = at(upsertEvent(a, { columns: v1, owners: [`team-${a % 5}`], tags: ['base'] }), 0);
    const second = at(upsertEvent(a, { columns: v1, owners: [`owner-${a}`], tags: ['base'] }), 10);
    events.push(first, second, profile(a, 20, 2000 + a));
    const changed = changedColumns(a);
    if (changed)
      events.push(at(upsertEvent(a, { columns: changed, owners: [`owner-${a}`], tags: ['base'] }), 30));
    if (a % 4 === 0)
      events.push({
        ...at(upsertEvent(a), 40),
        kind: 'delete',
        asset: identity(a, { description: null, owners: [], tags: [] }),
      });
    if (!finallyDeleted(a))
      events.push(
        at(upsertEvent(a, { columns: changed ?? v1, owners: [`owner-${a}`], tags: ['final'] }), 60),
      );
    if (a % 3 === 0) events.push(profile(a, 5, 1), first); // a late profile, and a duplicate
    if (a % 2 === 0) events.push(second); // a duplicate
  }
  return { events, samples };
}

/** The expected final state of each URN: the pure merge folded in produce order (duplicates skipped). */
function expected(events: readonly ChangeEvent[]): Map<string, AssetState> {
  const states = new Map<string, AssetState>();
  const seen = new Set<string>();
  for (const e of events) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    states.set(e.asset.urn, mergeChange(states.get(e.asset.urn), e).state);
  }
  return states;
}

test('metadata-sync should leave PostgreSQL and the assets topic in the expected state', async (t) => {
  const { kafka, pool, schema, input, output, start, stop, produce, ledgerCount } = await catalogPipeline(t);
  await start(metadataSync({ input, output }));
  try {
    const { events, samples } = scenario();
    const distinct = new Set(events.map((e) => e.id)).size;
    assert.ok(events.length >= 280, `${events.length} events`);
    await produce(events);

    const ledger = ledgerCount;
    await waitFor(ledger, (n) => n >= distinct, 90_000, 'every event in the ledger');
    await sleep(500);
    assert.equal(await ledger(), distinct, 'each distinct event once in the ledger');

    const want = expected(events);
    const { rows } = await pool.query<{
      urn: string;
      name: string;
      owners: string[];
      tags: string[];
      deleted: boolean;
      revision: string;
      schema_version: number | null;
    }>('SELECT urn, name, owners, tags, deleted, revision, schema_version FROM assets');
    assert.equal(rows.length, ASSETS);
    const byUrn = new Map(rows.map((r) => [r.urn, r]));
    for (let a = 0; a < ASSETS; a++) {
      const urn = upsertEvent(a).asset.urn;
      const row = byUrn.get(urn) ?? assert.fail(`no row for ${urn}`);
      const context = `asset ${a}`;
      assert.equal(row.deleted, finallyDeleted(a), context);
      assert.equal(row.name, `t${a}`, context);
      assert.deepEqual(row.owners, [`owner-${a}`], context);
      assert.deepEqual(row.tags, finallyDeleted(a) ? ['base'] : ['final'], context);
      assert.equal(Number(row.revision), want.get(urn)?.revision, context);
      assert.equal(row.schema_version, changedColumns(a) ? 2 : 1, context);
    }

    const versions = await pool.query<{ urn: string; version: number; breaking: boolean }>(
      'SELECT urn, version, breaking FROM schema_versions ORDER BY urn, version',
    );
    const changedCount = [...Array(ASSETS).keys()].filter((a) => changedColumns(a)).length;
    assert.equal(versions.rows.length, ASSETS + changedCount);
    for (let a = 0; a < ASSETS; a++) {
      const urn = upsertEvent(a).asset.urn;
      const mine = versions.rows.filter((v) => v.urn === urn);
      const verdicts = changedColumns(a) ? [false, a % 5 === 0] : [false];
      assert.deepEqual(
        mine.map((v) => [v.version, v.breaking]),
        verdicts.map((b, i) => [i + 1, b]),
        `asset ${a}`,
      );
    }
    assert.deepEqual(await samplesInPostgres(pool, schema, samples), []);

    // The assets topic: the last record per URN is the tombstone or the newest state; before a tombstone
    // comes the deleted state with the highest revision.
    const last = new Map<string, { offset: bigint; value: Buffer | null }>();
    const beforeLast = new Map<string, { offset: bigint; value: Buffer | null }>();
    const consumer = await kafka.consumer();
    await consumer.subscribe({ topic: output.name, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key?.toString() ?? '';
        const offset = BigInt(message.offset);
        const previous = last.get(key);
        if ((previous?.offset ?? -1n) < offset) {
          if (previous) beforeLast.set(key, previous);
          last.set(key, { offset, value: message.value });
        } else if ((beforeLast.get(key)?.offset ?? -1n) < offset)
          beforeLast.set(key, { offset, value: message.value });
        await Promise.resolve();
      },
    });
    const registry = registryClient();
    const decodeLast = async (urn: string, from = last): Promise<AssetEvent | null | undefined> => {
      const record = from.get(urn);
      if (!record) return undefined;
      return record.value === null ? null : ((await registry.decode(record.value)) as AssetEvent);
    };
    const settled = async (): Promise<string[]> => {
      const pending: string[] = [];
      for (const [urn, state] of want) {
        const value = await decodeLast(urn);
        const done = state.aspects.deletion?.deleted ? value === null : value?.revision === state.revision;
        if (!done) pending.push(urn);
      }
      return pending;
    };
    await waitFor(settled, (pending) => pending.length === 0, 60_000, 'the last state of every URN');
    await consumer.stop();
    for (let a = 0; a < ASSETS; a++) {
      const value = await decodeLast(upsertEvent(a).asset.urn);
      if (finallyDeleted(a)) {
        assert.equal(value, null, `asset ${a}`);
        const urn = upsertEvent(a).asset.urn;
        const deleted = await decodeLast(urn, beforeLast);
        assert.equal(deleted?.deleted, true, `asset ${a}: the deleted state precedes the tombstone`);
        assert.equal(deleted.revision, want.get(urn)?.revision, `asset ${a}`);
      } else {
        assert.equal(value?.name, `t${a}`);
        assert.deepEqual(value.owners, [`owner-${a}`]);
        assert.equal(value.schemaVersion, changedColumns(a) ? 2 : 1);
        assert.equal(value.profile?.rowCount, 2000 + a, 'the late profile does not win');
        assert.equal(JSON.stringify(value).includes('secret-'), false);
      }
    }
  } finally {
    await stop();
  }
});
