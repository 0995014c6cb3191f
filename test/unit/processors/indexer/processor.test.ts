import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DocumentWrite, HandleResult, InputEvent } from '../../../../src/domain/processor.ts';
import { mergeChange } from '../../../../processors/metadata-sync/merge.ts';
import { indexer, type IndexerInput, type IndexerState } from '../../../../processors/indexer/processor.ts';
import { documentOf, type AssetSource } from '../../../../processors/indexer/sources.ts';
import { assets, compliance, quality } from '../../../../topics/index.ts';
import { upsertEvent } from '../../../fixtures/events.ts';
import { assetEvent, contactsUrn } from './asset-event.ts';

const processor = indexer();
const tombstone: IndexerInput = { tombstone: true };

function input(value: IndexerInput, offset = 0): InputEvent<IndexerInput> {
  return {
    id: `assets:0:${offset}`,
    topic: assets.name,
    partition: 0,
    offset: String(offset),
    key: contactsUrn,
    value,
    timestamp: 0,
    headers: {},
  };
}

/** An asset as PostgreSQL has it: metadata-sync's merged state, at document revision `revision`. */
function source(revision: number, deleted = false): AssetSource {
  const event = upsertEvent(1, { urn: contactsUrn, description: `at ${revision}` });
  const merged = mergeChange(undefined, {
    ...event,
    id: '00000000-0000-4000-8000-000000000001',
    occurredAt: '2026-01-01T00:00:00.000Z',
  });
  return {
    urn: contactsUrn,
    revision,
    deleted,
    sync: { asset: merged.state, schemaVersion: 1 },
    compliance: null,
    quality: null,
  };
}

/** Any notice on the assets topic: the indexer reads what to write from the source, not the notice. */
const handle = (from: AssetSource | undefined, state?: IndexerState): HandleResult<IndexerState> =>
  processor.handle(input(assetEvent(1)), state, from);
const documents = (result: HandleResult<IndexerState>): readonly DocumentWrite[] =>
  result.effects?.documents ?? assert.fail('no documents');
const topic = processor.consumes[0] ?? assert.fail();

describe('indexer accept', () => {
  it('should declare what it consumes and keep keyed state with the ledger', () => {
    assert.equal(processor.name, 'indexer');
    assert.equal(processor.group, 'steward.indexer');
    assert.deepEqual(processor.consumes, [assets, compliance, quality]);
    assert.deepEqual(processor.produces, []);
    assert.equal(processor.idempotency, 'ledger');
  });

  it('should accept an asset state and a tombstone', () => {
    assert.deepEqual(processor.accept(assetEvent(), topic, contactsUrn), { ok: true, value: assetEvent() });
    assert.deepEqual(processor.accept(null, topic, contactsUrn), { ok: true, value: tombstone });
  });

  it('should refuse a value without what the document needs, or under another key', () => {
    const bad = processor.accept({ ...assetEvent(), revision: 0, owners: null }, topic, contactsUrn);
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.reason, /revision: .*; owners: must be an array/);
    const wrongKey = processor.accept(assetEvent(), topic, 'other');
    assert.deepEqual(wrongKey.ok ? undefined : wrongKey.code, 'STW_KEY_MISMATCH');
    assert.equal(processor.accept('text', topic, contactsUrn).ok, false);
  });
});

describe('indexer handle', () => {
  it('should write the full document of the source at its revision through the alias', () => {
    const result = handle(source(3));
    assert.deepEqual(result.state, { revision: 3, deleted: false });
    assert.deepEqual(documents(result), [
      { index: 'steward-assets', id: contactsUrn, version: 3, document: documentOf(source(3)) },
    ]);
    assert.equal(documentOf(source(3)).revision, 3, 'the document carries the revision it is written at');
    assert.equal(documentOf(source(3)).description, 'at 3');
  });

  it('should write through the alias it was given', () => {
    const result = indexer(undefined, 'other-assets').handle(input(assetEvent(1)), undefined, source(1));
    assert.equal(documents(result)[0]?.index, 'other-assets');
  });

  it('should write what PostgreSQL has now, whatever the notice says', () => {
    const stale = processor.handle(input(assetEvent(2)), { revision: 1, deleted: false }, source(9));
    assert.deepEqual(
      documents(stale).map((w) => w.version),
      [9],
    );
    const fromTombstone = processor.handle(input(tombstone), undefined, source(4));
    assert.deepEqual(
      documents(fromTombstone).map((w) => w.version),
      [4],
    );
  });

  it('should change nothing when PostgreSQL is at or below the indexed revision', () => {
    const state: IndexerState = { revision: 5, deleted: false };
    assert.deepEqual(handle(source(5), state), {});
    assert.deepEqual(handle(source(4), state), {});
  });

  it('should change nothing for an asset PostgreSQL does not know', () => {
    assert.deepEqual(handle(undefined), {});
    assert.deepEqual(handle(undefined, { revision: 2, deleted: false }), {});
  });

  it('should delete the document at the revision it was deleted at', () => {
    const result = handle(source(6, true), { revision: 5, deleted: false });
    assert.deepEqual(result.state, { revision: 6, deleted: true });
    assert.deepEqual(documents(result), [
      { index: 'steward-assets', id: contactsUrn, version: 6, document: null },
    ]);
  });

  it('should never re-create a deleted document from an older or equal revision', () => {
    const state: IndexerState = { revision: 6, deleted: true };
    assert.deepEqual(handle(source(5), state), {});
    assert.deepEqual(handle(source(6), state), {});
    assert.deepEqual(handle(source(6, true), state), {});
  });

  it('should re-create the document after a delete from a higher revision', () => {
    const result = handle(source(7), { revision: 6, deleted: true });
    assert.deepEqual(result.state, { revision: 7, deleted: false });
    assert.deepEqual(documents(result), [
      { index: 'steward-assets', id: contactsUrn, version: 7, document: documentOf(source(7)) },
    ]);
  });

  it('should fold a delete, a stale read and a re-creation in order', () => {
    let state: IndexerState | undefined = { revision: 2, deleted: false };
    const writes: DocumentWrite[] = [];
    for (const from of [source(3, true), source(3, true), source(2), source(4), source(3)]) {
      const result = handle(from, state);
      if (result.state !== undefined) state = result.state ?? undefined;
      writes.push(...(result.effects?.documents ?? []));
    }
    assert.deepEqual(state, { revision: 4, deleted: false });
    assert.deepEqual(
      writes.map((w) => [w.version, w.document === null]),
      [
        [3, true],
        [4, false],
      ],
    );
  });
});
