import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { define, type InputEvent } from '../../../src/domain/processor.ts';
import { mebibyte, type TopicDeclaration } from '../../../src/domain/topic.ts';
import { planBatch, type Versioned } from '../../../src/runtime/plan.ts';
import type { RawRecord } from '../../../src/runtime/records.ts';

const topic: TopicDeclaration = {
  name: 'in',
  description: 'test input',
  partitions: 1,
  replicationFactor: 1,
  config: { 'cleanup.policy': 'delete', 'retention.ms': 1000, 'max.message.bytes': mebibyte },
  key: 'urn',
  value: { format: 'raw' },
  writers: [],
  readers: [],
};

interface Value {
  readonly n: number;
  readonly fail?: boolean;
}

/** Sums n per key; emits the running total; throws on `fail`. */
const summer = define<Value, { total: number }>({
  name: 'summer',
  group: 'summer',
  consumes: [topic],
  produces: [topic],
  tables: ['totals'],
  idempotency: 'ledger',
  accept: (value) => ({ ok: true, value: value as Value }),
  handle: (event, state) => {
    if (event.value.fail) throw new Error('boom');
    const total = (state?.total ?? 0) + event.value.n;
    return {
      state: { total },
      effects: {
        emit: [{ topic, key: event.key, value: { total } }],
        rows: [{ table: 'totals', key: { urn: event.key }, values: { total }, mode: 'upsert' }],
      },
    };
  },
});

let offset = 0;
function event(key: string, value: Value, id = `e${offset}`): InputEvent<Value> {
  offset++;
  return { id, topic: 'in', partition: 0, offset: String(offset), key, value, timestamp: 0, headers: {} };
}
const raw = (e: InputEvent<Value>): RawRecord => ({
  topic: e.topic,
  partition: e.partition,
  offset: e.offset,
  key: Buffer.from(e.key),
  value: null,
  headers: {},
  timestamp: '0',
});

describe('planBatch', () => {
  it('should fold the events of one key in order onto the loaded state', () => {
    const loaded = new Map<string, Versioned<{ total: number }>>([
      ['a', { version: 7, state: { total: 10 } }],
    ]);
    const plan = planBatch(
      summer,
      [event('a', { n: 1 }), event('b', { n: 5 }), event('a', { n: 2 })],
      loaded,
      new Set(),
      raw,
    );
    assert.deepEqual(plan.changes, [
      { key: 'a', expectedVersion: 7, next: { total: 13 } },
      { key: 'b', expectedVersion: null, next: { total: 5 } },
    ]);
    assert.deepEqual(
      plan.emits.map((e) => e.value),
      [{ total: 11 }, { total: 5 }, { total: 13 }],
    );
    assert.equal(plan.applied.length, 3);
  });

  it('should skip an event already in the ledger or repeated within the batch', () => {
    const batch = [event('a', { n: 1 }, 'x'), event('a', { n: 1 }, 'y'), event('a', { n: 1 }, 'x')];
    const plan = planBatch(summer, batch, new Map(), new Set(['y']), raw);
    assert.deepEqual(
      plan.duplicates.map((e) => e.id),
      ['y', 'x'],
    );
    assert.deepEqual(plan.changes, [{ key: 'a', expectedVersion: null, next: { total: 1 } }]);
  });

  it('should dead-letter an event whose handle throws, leave the state as before it, and go on', () => {
    const batch = [event('a', { n: 1 }), event('a', { n: 100, fail: true }), event('a', { n: 2 })];
    const plan = planBatch(summer, batch, new Map(), new Set(), raw);
    assert.equal(plan.dead.length, 1);
    assert.equal(plan.dead[0]?.code, 'STW_HANDLER_FAILED');
    assert.match(plan.dead.map((d) => d.message).join(), /boom/);
    assert.deepEqual(plan.changes, [{ key: 'a', expectedVersion: null, next: { total: 3 } }]);
    assert.equal(plan.applied.length, 2, 'the failed event is not in the ledger, so a replay can apply it');
  });

  it('should not change a key whose events were all duplicates', () => {
    const plan = planBatch(summer, [event('a', { n: 1 }, 'z')], new Map(), new Set(['z']), raw);
    assert.deepEqual(plan.changes, []);
    assert.deepEqual(plan.rows, []);
  });

  it("should hand every event of a key the key's looked-up context, and undefined to a key without one", () => {
    const scaled = define<Value, { total: number }, number>({
      ...summer,
      lookup: () => Promise.resolve(new Map<string, number>()),
      handle: (e, state, factor) => ({ state: { total: (state?.total ?? 0) + e.value.n * (factor ?? -1) } }),
    });
    const plan = planBatch(
      scaled,
      [event('a', { n: 1 }), event('b', { n: 1 }), event('a', { n: 2 })],
      new Map(),
      new Set(),
      raw,
      new Map([['a', 10]]),
    );
    assert.deepEqual(plan.changes, [
      { key: 'a', expectedVersion: null, next: { total: 30 } },
      { key: 'b', expectedVersion: null, next: { total: -1 } },
    ]);
  });
});
