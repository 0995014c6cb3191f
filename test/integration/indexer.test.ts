import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { AssetDocument } from '../../src/adapters/elasticsearch/asset-index.ts';
import { searchAssets } from '../../src/adapters/elasticsearch/asset-queries.ts';
import type { AssetColumn, ChangeEvent } from '../../src/domain/change-event.ts';
import { indexer } from '../../processors/indexer/processor.ts';
import { toAssetEvent, type SyncState } from '../../processors/metadata-sync/asset-event.ts';
import { metadataSync } from '../../processors/metadata-sync/processor.ts';
import { upsertEvent } from '../fixtures/events.ts';
import { catalogPipeline } from '../helpers/catalog.ts';
import { waitFor } from '../helpers/runtime.ts';

/**
 * metadata-sync and the indexer in-process on unique topics, a unique PostgreSQL schema and a unique index
 * prefix: after ~230 change events (deletes, re-creations, schema changes, duplicates, late profiles) the
 * index equals PostgreSQL's `assets`: every live asset at its revision, no deleted asset, nothing else.
 */

const ASSETS = 40;
const minute = (n: number): string => new Date(Date.UTC(2024, 5, 1, 0, n)).toISOString();
const column = (name: string, type: string): AssetColumn => ({
  name,
  type,
  nullable: true,
  description: null,
  tags: [],
});
const v1 = [column('id', 'bigint'), column('email', 'text')];
/** a % 5 == 0 gains `customerLoyaltyTier` (searchable by the word "loyalty"); a % 5 == 1 loses email. */
const changedColumns = (a: number): AssetColumn[] | undefined =>
  a % 5 === 0
    ? [...v1, column('customerLoyaltyTier', 'text')]
    : a % 5 === 1
      ? [column('id', 'bigint')]
      : undefined;
/** a % 4 == 0 is deleted; a % 8 == 0 is re-created after. */
const finallyDeleted = (a: number): boolean => a % 4 === 0 && a % 8 !== 0;

function scenario(): ChangeEvent[] {
  const events: ChangeEvent[] = [];
  const at = (e: ChangeEvent, n: number): ChangeEvent => ({ ...e, id: randomUUID(), occurredAt: minute(n) });
  const identity = (a: number, change: Partial<ChangeEvent['asset']> = {}): ChangeEvent['asset'] => {
    const asset = { ...upsertEvent(a).asset, ...change };
    delete asset.columns;
    return asset;
  };
  const profile = (a: number, n: number): ChangeEvent => ({
    ...upsertEvent(a),
    id: randomUUID(),
    kind: 'profile',
    occurredAt: minute(n),
    asset: identity(a),
    profile: { rowCount: n, profiledAt: minute(n), columns: [] },
  });
  for (let a = 0; a < ASSETS; a++) {
    const first = at(upsertEvent(a, { columns: v1, owners: [`team-${a % 5}`] }), 0);
    const second = at(upsertEvent(a, { columns: v1, owners: [`owner-${a}`] }), 10);
    events.push(first, second, profile(a, 20));
    const changed = changedColumns(a);
    if (changed) events.push(at(upsertEvent(a, { columns: changed, owners: [`owner-${a}`] }), 30));
    if (a % 4 === 0)
      events.push({
        ...at(upsertEvent(a), 40),
        kind: 'delete',
        asset: identity(a, { description: null, owners: [], tags: [] }),
      });
    if (!finallyDeleted(a))
      events.push(at(upsertEvent(a, { columns: changed ?? v1, owners: [`owner-${a}`], tags: ['x'] }), 60));
    if (a % 3 === 0) events.push(profile(a, 5), first); // a late profile, and a duplicate
    if (a % 2 === 0) events.push(second); // a duplicate
  }
  return events;
}

test('the indexer should leave Elasticsearch equal to PostgreSQL', async (t) => {
  const { pool, client, alias, prepared, input, output, start, stop, produce, ledgerCount } =
    await catalogPipeline(t);
  assert.deepEqual(prepared, { alias, created: true });
  await start(metadataSync({ input, output }));
  await start(indexer({ input: output }, alias));
  try {
    const events = scenario();
    assert.ok(events.length >= 200, `${events.length} events`);
    const distinct = new Set(events.map((e) => e.id)).size;
    await produce(events);

    const ledger = ledgerCount;
    await waitFor(ledger, (n) => n >= distinct, 90_000, 'every change in the ledger');

    const { rows } = await pool.query<{ urn: string; revision: string; deleted: boolean }>(
      'SELECT urn, revision, deleted FROM assets',
    );
    assert.equal(rows.length, ASSETS);
    const live = new Map(rows.filter((r) => !r.deleted).map((r) => [r.urn, Number(r.revision)]));
    assert.equal(live.size, ASSETS - [...Array(ASSETS).keys()].filter(finallyDeleted).length);

    /** Every document of the index: its id, `_version` and `revision`. */
    const indexed = async (): Promise<Map<string, { version: number; revision: number }>> => {
      await client.indices.refresh({ index: alias });
      const response = await client.search<Pick<AssetDocument, 'revision'>>({
        index: alias,
        size: 1000,
        version: true,
        _source: ['revision'],
        query: { match_all: {} },
      });
      return new Map(
        response.hits.hits.map((h) => [
          h._id ?? '',
          { version: h._version ?? -1, revision: h._source?.revision ?? -1 },
        ]),
      );
    };
    const differences = async (): Promise<string[]> => {
      const docs = await indexed();
      const problems: string[] = [];
      for (const [urn, revision] of live) {
        const doc = docs.get(urn);
        if (doc?.version !== revision || doc.revision !== revision)
          problems.push(`${urn}: revision ${revision}, indexed ${JSON.stringify(doc)}`);
      }
      for (const urn of docs.keys()) if (!live.has(urn)) problems.push(`${urn}: not live, yet indexed`);
      return problems;
    };
    await waitFor(differences, (p) => p.length === 0, 60_000, 'the index to equal PostgreSQL');
    await sleep(1000); // nothing late may change it
    assert.deepEqual(await differences(), []);

    const loyalty = await client.search<AssetDocument>({
      index: alias,
      ...searchAssets({ text: 'loyalty', size: 100 }),
    });
    const expected = [...Array(ASSETS).keys()]
      .filter((a) => a % 5 === 0 && !finallyDeleted(a))
      .map((a) => upsertEvent(a).asset.urn)
      .sort();
    assert.ok(expected.length > 0);
    assert.deepEqual(loyalty.hits.hits.map((h) => h._id ?? '').sort(), expected);
    const first = expected[0] ?? assert.fail('no asset with the column');
    const doc = (await client.get<AssetDocument>({ index: alias, id: first }))._source;
    assert.deepEqual(
      doc?.columns.map((c) => c.words),
      ['id', 'email', 'customer loyalty tier'],
    );
  } finally {
    await stop();
  }
});

test('a revision bumped by another writer should reach the index, and metadata-sync should count on from it', async (t) => {
  const { pool, client, alias, input, output, start, stop, produce, codec, kafka } = await catalogPipeline(t);
  await start(metadataSync({ input, output }));
  await start(indexer({ input: output }, alias));
  try {
    const created = upsertEvent(1, { description: 'first' });
    const urn = created.asset.urn;
    const indexedAt = async (): Promise<{ version: number; description?: string } | undefined> => {
      const found = await client.get<AssetDocument>({ index: alias, id: urn }).catch(() => undefined);
      return found?._source && { version: found._version ?? -1, description: found._source.description };
    };
    await produce([created]);
    await waitFor(indexedAt, (d) => d?.version === 1, 60_000, 'the first document');

    // What quality and compliance do in their own transactions: bump the document revision, then notify.
    const { rows } = await pool.query<{ state: SyncState }>(
      `UPDATE assets SET revision = revision + 1 WHERE urn = $1
       RETURNING (SELECT state FROM steward_state WHERE processor = 'metadata-sync' AND key = $1)`,
      [urn],
    );
    const sync = rows[0]?.state ?? assert.fail('no metadata-sync state');
    const producer = await kafka.producer();
    await producer.send({
      topic: output.name,
      messages: [{ key: urn, value: await codec.encode(output, toAssetEvent(sync)) }],
    });
    await waitFor(indexedAt, (d) => d?.version === 2, 60_000, 'the bumped revision indexed');

    await produce([{ ...upsertEvent(1, { description: 'second' }), occurredAt: new Date().toISOString() }]);
    const last = await waitFor(indexedAt, (d) => d?.version === 3, 60_000, 'the next change indexed');
    assert.equal(last?.description, 'second');
    const revision = await pool.query<{ revision: string }>('SELECT revision FROM assets WHERE urn = $1', [
      urn,
    ]);
    assert.equal(revision.rows[0]?.revision, '3', 'counted on from the bump, not copied from the state');
  } finally {
    await stop();
  }
});
