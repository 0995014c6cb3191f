import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import { produceFile } from '../../../src/producer/produce-file.ts';
import { ContractError, type PublishResult } from '../../../src/producer/publish.ts';
import { upsertEvent } from '../../fixtures/events.ts';

/** Mocked: the publisher (records what it is given; may refuse events by id). Real: the file system. */
function fakePublisher(refuse: ReadonlySet<string> = new Set()) {
  const published: ChangeEvent[][] = [];
  return {
    published,
    publishChanges(events: readonly unknown[]): Promise<PublishResult> {
      const batch = events as ChangeEvent[];
      const refused = batch.flatMap((e, index) =>
        refuse.has(e.id) ? [{ index, path: '/', message: 'encodes to 9 bytes; the topic accepts 8' }] : [],
      );
      if (refused.length) return Promise.reject(new ContractError(refused));
      published.push(batch);
      return Promise.resolve({ sent: batch.length, batches: batch.length ? 1 : 0 });
    },
  };
}

describe('produceFile', () => {
  let dir = '';
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'steward-produce-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  const events = [upsertEvent(1), upsertEvent(2), upsertEvent(3)];
  async function file(name: string, lines: readonly string[]): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, lines.join('\n'));
    return path;
  }
  const valid = events.map((e) => JSON.stringify(e));

  it('should send every event and print a summary when every line is valid', async () => {
    const publisher = fakePublisher();
    const out: string[] = [];
    const result = await produceFile(await file('valid.ndjson', valid), {
      publisher,
      skipInvalid: false,
      out: (l) => out.push(l),
    });
    assert.deepEqual(result, { sent: 3, invalid: 0, rejected: false });
    assert.deepEqual(out, ['sent 3 events in 1 batch(es)']);
    assert.deepEqual(publisher.published, [events]);
  });

  it('should send nothing and report every problem with its line when lines are invalid without skipInvalid', async () => {
    const publisher = fakePublisher();
    const out: string[] = [];
    const missing: Partial<ChangeEvent> = upsertEvent(4);
    delete missing.occurredAt;
    const path = await file('invalid.ndjson', [valid[0]!, JSON.stringify(missing), '', '[', valid[1]!]);
    const result = await produceFile(path, { publisher, skipInvalid: false, out: (l) => out.push(l) });
    assert.deepEqual(result, { sent: 0, invalid: 2, rejected: true });
    assert.equal(out[0], 'line 2: /occurredAt: required property');
    assert.match(out[1] ?? '', /^line 4: invalid JSON: /);
    assert.equal(out[2], '2 invalid line(s); nothing sent (--skip-invalid sends the 2 valid events)');
    assert.deepEqual(publisher.published, []);
  });

  it('should report an event the publisher refuses on its line and send nothing when skipInvalid is off', async () => {
    const publisher = fakePublisher(new Set([events[1]!.id]));
    const out: string[] = [];
    const path = await file('refused.ndjson', ['', ...valid]);
    const result = await produceFile(path, { publisher, skipInvalid: false, out: (l) => out.push(l) });
    assert.deepEqual(result, { sent: 0, invalid: 1, rejected: true });
    assert.equal(out[0], 'line 3: /: encodes to 9 bytes; the topic accepts 8');
    assert.deepEqual(publisher.published, []);
  });

  it('should send the other events and report the refused one when skipInvalid is on', async () => {
    const publisher = fakePublisher(new Set([events[1]!.id]));
    const out: string[] = [];
    const path = await file('refused-skip.ndjson', ['[', ...valid]);
    const result = await produceFile(path, { publisher, skipInvalid: true, out: (l) => out.push(l) });
    assert.deepEqual(result, { sent: 2, invalid: 2, rejected: false });
    assert.match(out[0] ?? '', /^line 1: invalid JSON: /);
    assert.equal(out[1], 'line 3: /: encodes to 9 bytes; the topic accepts 8');
    assert.equal(out[2], 'skipped 2 invalid line(s); sent 2 events in 1 batch(es)');
    assert.deepEqual(publisher.published, [[events[0], events[2]]]);
  });

  it('should throw when the file does not exist', async () => {
    await assert.rejects(
      produceFile(join(dir, 'missing.ndjson'), {
        publisher: fakePublisher(),
        skipInvalid: true,
        out: () => {},
      }),
      { code: 'ENOENT' },
    );
  });
});
