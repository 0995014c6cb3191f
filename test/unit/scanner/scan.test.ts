import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import type { ScanStore } from '../../../src/adapters/postgres/scan-store.ts';
import type { CatalogTable, SampleRows, SourceReader } from '../../../src/scanner/model.ts';
import type { TableState } from '../../../src/scanner/plan.ts';
import { scanSource, type ScanReport } from '../../../src/scanner/scan.ts';
import { parseSources } from '../../../src/scanner/sources.ts';

const source =
  parseSources({ sources: [{ name: 'shop', platform: 'postgres', connection: { env: 'X' } }] })[0] ??
  assert.fail('no source');
const logger = createLogger({ level: 'silent', name: 'test' });

const tableNamed = (schema: string, name: string, modSignal = '1'): CatalogTable => ({
  schema,
  name,
  kind: 'table',
  description: null,
  columns: [
    {
      name: 'email',
      type: 'text',
      valueType: 'string',
      nullable: true,
      description: null,
      ordinal: 1,
      primaryKey: false,
      unique: false,
    },
  ],
  rowEstimate: 2,
  modSignal,
  lastModifiedAt: null,
});

/** A database held in memory: the scanner's logic without one (the readers are tested on real databases). */
class MemoryReader implements SourceReader {
  readonly database = 'shop';
  tables = new Map<string, CatalogTable[]>();
  failingSchemas = new Set<string>();
  failingSamples = new Set<string>();
  sampled: string[] = [];
  schemas(): Promise<string[]> {
    return Promise.resolve([...this.tables.keys()]);
  }
  listSchema(schema: string): Promise<CatalogTable[]> {
    if (this.failingSchemas.has(schema))
      return Promise.reject(new Error(`permission denied for schema ${schema}`));
    return Promise.resolve(this.tables.get(schema) ?? []);
  }
  sample(table: CatalogTable): Promise<SampleRows> {
    this.sampled.push(table.name);
    if (this.failingSamples.has(table.name))
      return Promise.reject(new Error('canceling statement due to lock timeout'));
    return Promise.resolve({ method: 'head', rows: [['a@example.com'], [null]], complete: true });
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

class MemoryStore implements ScanStore {
  states = new Map<string, TableState>();
  runs: ScanReport[] = [];
  load(): Promise<TableState[]> {
    return Promise.resolve([...this.states.values()]);
  }
  save(_source: string, states: readonly TableState[]): Promise<void> {
    for (const s of states) this.states.set(s.urn, s);
    return Promise.resolve();
  }
  recordRun(report: ScanReport): Promise<void> {
    this.runs.push(report);
    return Promise.resolve();
  }
}

function harness() {
  const reader = new MemoryReader();
  const store = new MemoryStore();
  const published: ChangeEvent[] = [];
  let failPublish = false;
  const sink = {
    publishChanges: (events: readonly unknown[]) => {
      if (failPublish) return Promise.reject(new Error('broker down'));
      published.push(...(events as ChangeEvent[]));
      return Promise.resolve({ sent: events.length, batches: 1 });
    },
  };
  const scan = (options: { allowMassDelete?: boolean } = {}) => {
    reader.sampled = [];
    published.length = 0;
    return scanSource({ source, reader, sink, store, logger, ...options });
  };
  return { reader, store, published, scan, failPublishing: (v: boolean) => (failPublish = v) };
}

const kinds = (events: readonly ChangeEvent[]) => events.map((e) => `${e.kind} ${e.asset.name}`).sort();

describe('scanSource', () => {
  it('should publish every table once, then nothing while nothing changes', async () => {
    const h = harness();
    h.reader.tables.set('public', [tableNamed('public', 'a'), tableNamed('public', 'b')]);
    const report = await h.scan();
    assert.deepEqual(kinds(h.published), ['upsert a', 'upsert b']);
    assert.equal(report.status, 'succeeded');
    const again = await h.scan();
    assert.deepEqual([h.published.length, h.reader.sampled.length, again.tables.unchanged], [0, 0, 2]);
  });

  it('should re-profile and publish a table whose data changed, and delete a dropped one', async () => {
    const h = harness();
    h.reader.tables.set('public', [
      tableNamed('public', 'a'),
      tableNamed('public', 'b'),
      tableNamed('public', 'c'),
    ]);
    await h.scan();
    h.reader.tables.set('public', [tableNamed('public', 'a', '2'), tableNamed('public', 'b')]);
    const report = await h.scan();
    assert.deepEqual(h.reader.sampled, ['a']);
    assert.deepEqual(kinds(h.published), ['delete c', 'upsert a']);
    assert.deepEqual([report.tables.deleted, report.tables.upserts], [1, 1]);
    assert.equal(
      h.store.states.get(h.published.find((e) => e.kind === 'delete')?.asset.urn ?? '')?.deleted,
      true,
    );
  });

  it('should report a failing table, publish the others, and profile it again next time', async () => {
    const h = harness();
    h.reader.tables.set('public', [tableNamed('public', 'a'), tableNamed('public', 'b')]);
    h.reader.failingSamples.add('b');
    const report = await h.scan();
    assert.equal(report.status, 'partial');
    assert.deepEqual(report.failures, [
      { stage: 'sample', target: 'public.b', reason: 'canceling statement due to lock timeout' },
    ]);
    assert.deepEqual(kinds(h.published), ['upsert a', 'upsert b'], "b's schema is still published");
    h.reader.failingSamples.clear();
    await h.scan();
    assert.deepEqual(h.reader.sampled, ['b']);
    assert.deepEqual(kinds(h.published), ['profile b']);
  });

  it('should delete nothing from a schema that fails to list, or that lost most of its tables', async () => {
    const h = harness();
    h.reader.tables.set('public', [
      tableNamed('public', 'a'),
      tableNamed('public', 'b'),
      tableNamed('public', 'c'),
    ]);
    h.reader.tables.set('sales', [tableNamed('sales', 'x')]);
    await h.scan();
    h.reader.failingSchemas.add('public');
    const failed = await h.scan();
    assert.deepEqual([h.published.length, failed.status, failed.failures[0]?.stage], [0, 'partial', 'list']);
    h.reader.failingSchemas.clear();
    h.reader.tables.set('public', [tableNamed('public', 'c')]);
    const guarded = await h.scan();
    assert.deepEqual(
      [h.published.length, guarded.withheldDeletes],
      [0, [{ schema: 'public', missing: 2, of: 3 }]],
    );
    await h.scan({ allowMassDelete: true });
    assert.deepEqual(kinds(h.published), ['delete a', 'delete b']);
  });

  it('should record nothing for tables whose events were not published', async () => {
    const h = harness();
    h.reader.tables.set('public', [tableNamed('public', 'a')]);
    h.failPublishing(true);
    await assert.rejects(h.scan(), /broker down/);
    assert.equal(h.store.states.size, 0);
    h.failPublishing(false);
    await h.scan();
    assert.deepEqual(kinds(h.published), ['upsert a']);
  });

  it('should fail without deleting when the source cannot be listed', async () => {
    const h = harness();
    h.reader.tables.set('public', [tableNamed('public', 'a')]);
    await h.scan();
    h.reader.schemas = () => Promise.reject(new Error('connect ECONNREFUSED'));
    const report = await h.scan();
    assert.deepEqual(
      [report.status, h.published.length, h.store.runs.at(-1)?.status],
      ['failed', 0, 'failed'],
    );
  });
});
