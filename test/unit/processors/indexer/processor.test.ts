import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DocumentWrite, HandleResult, InputEvent } from '../../../../src/domain/processor.ts';
import { toDocument } from '../../../../processors/indexer/document.ts';
import { indexer, type IndexerInput, type IndexerState } from '../../../../processors/indexer/processor.ts';
import { assets } from '../../../../topics/index.ts';
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
const handle = (value: IndexerInput, state?: IndexerState): HandleResult<IndexerState> =>
  processor.handle(input(value), state);
const documents = (result: HandleResult<IndexerState>): readonly DocumentWrite[] =>
  result.effects?.documents ?? assert.fail('no documents');
const deleted = (revision: number) => assetEvent(revision, { deleted: true });
const topic = processor.consumes[0] ?? assert.fail();

describe('indexer accept', () => {
  it('should declare what it consumes and keep keyed state with the ledger', () => {
    assert.equal(processor.name, 'indexer');
    assert.equal(processor.group, 'steward.indexer');
    assert.deepEqual(processor.consumes, [assets]);
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
  it('should write the full document at the revision through the alias', () => {
    const result = handle(assetEvent(3));
    assert.deepEqual(result.state, { revision: 3, deleted: false });
    assert.deepEqual(documents(result), [
      { index: 'steward-assets', id: contactsUrn, version: 3, document: toDocument(assetEvent(3)) },
    ]);
  });

  it('should write through the alias it was given', () => {
    const result = indexer(undefined, 'other-assets').handle(input(assetEvent(1)), undefined);
    assert.equal(documents(result)[0]?.index, 'other-assets');
  });

  it('should change nothing on a duplicate or a stale state', () => {
    const state: IndexerState = { revision: 5, deleted: false };
    assert.deepEqual(handle(assetEvent(5), state), {});
    assert.deepEqual(handle(assetEvent(4), state), {});
  });

  it('should delete the document at the revision it was deleted at', () => {
    const result = handle(deleted(6), { revision: 5, deleted: false });
    assert.deepEqual(result.state, { revision: 6, deleted: true });
    assert.deepEqual(documents(result), [
      { index: 'steward-assets', id: contactsUrn, version: 6, document: null },
    ]);
  });

  it('should change nothing on a tombstone, with or without state', () => {
    assert.deepEqual(handle(tombstone, { revision: 6, deleted: true }), {});
    assert.deepEqual(handle(tombstone), {});
  });

  it('should never re-create a deleted document from an older or equal revision', () => {
    const state: IndexerState = { revision: 6, deleted: true };
    assert.deepEqual(handle(assetEvent(5), state), {});
    assert.deepEqual(handle(assetEvent(6), state), {});
    assert.deepEqual(handle(deleted(6), state), {});
  });

  it('should re-create the document after a delete from a higher revision', () => {
    const result = handle(assetEvent(7), { revision: 6, deleted: true });
    assert.deepEqual(result.state, { revision: 7, deleted: false });
    assert.deepEqual(documents(result), [
      { index: 'steward-assets', id: contactsUrn, version: 7, document: toDocument(assetEvent(7)) },
    ]);
  });

  it('should fold a deleted state, its tombstone and a re-creation in order', () => {
    let state: IndexerState | undefined = { revision: 2, deleted: false };
    const writes: DocumentWrite[] = [];
    for (const value of [deleted(3), tombstone, assetEvent(2), assetEvent(4), assetEvent(3)]) {
      const result = handle(value, state);
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
