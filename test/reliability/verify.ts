/**
 * The reliability suite's checks: the state Steward holds now, compared with the state the workload
 * implies. Each effect is either present once (ok), missing (lost) or present more than once or ahead of
 * what was sent (duplicated).
 */
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import type { Suite } from './suite.ts';
import { expectedCatalog, fingerprint } from './workload.ts';

export interface Verdict {
  readonly lost: number;
  readonly duplicated: number;
  readonly dlqExpected: number;
  readonly dlqFound: number;
  /** What differs, a few examples of each kind (empty when everything matches). */
  readonly problems: readonly string[];
}

/** The processors that read the changes topic: each applies every valid event and dead-letters each poison. */
export const CHANGE_CONSUMERS = ['metadata-sync', 'compliance', 'quality'] as const;

export interface Sent {
  readonly valid: readonly ChangeEvent[];
  /** Fingerprints of the poison records' bytes as produced. */
  readonly poison: readonly string[];
}

const EXAMPLES = 3;

class Tally {
  lost = 0;
  duplicated = 0;
  readonly problems: string[] = [];
  readonly #examples = new Map<string, number>();

  note(kind: 'lost' | 'duplicated', what: string, example: string): void {
    this[kind] += 1;
    const seen = this.#examples.get(what) ?? 0;
    this.#examples.set(what, seen + 1);
    if (seen < EXAMPLES) this.problems.push(`${kind}: ${what}: ${example}`);
  }
}

export async function verify(suite: Suite, sent: Sent): Promise<Verdict> {
  const tally = new Tally();
  await catalog(suite, sent, tally);
  await ledgers(suite, sent, tally);
  await index(suite, tally);
  await transitions(suite, tally);
  const dlq = deadLetters(suite, sent, tally);
  return { lost: tally.lost, duplicated: tally.duplicated, ...dlq, problems: tally.problems };
}

/** metadata-sync's catalog: every URN at exactly the revision and deleted flag the events imply. */
async function catalog(suite: Suite, sent: Sent, tally: Tally): Promise<void> {
  const expected = expectedCatalog(sent.valid);
  const { rows } = await suite.pool.query<{ urn: string; revision: string; deleted: boolean }>(
    'SELECT urn, revision, deleted FROM assets',
  );
  const actual = new Map(rows.map((r) => [r.urn, { revision: Number(r.revision), deleted: r.deleted }]));
  for (const [urn, want] of expected) {
    const got = actual.get(urn);
    if (!got || got.revision < want.revision)
      tally.note(
        'lost',
        'catalog revision behind',
        `${urn} at ${got?.revision ?? 'none'}, expected ${want.revision}`,
      );
    else if (got.revision > want.revision)
      tally.note(
        'duplicated',
        'catalog revision ahead',
        `${urn} at ${got.revision}, expected ${want.revision}`,
      );
    else if (got.deleted !== want.deleted)
      tally.note('lost', 'catalog deleted flag', `${urn} deleted=${got.deleted}, expected ${want.deleted}`);
  }
  for (const urn of actual.keys())
    if (!expected.has(urn)) tally.note('duplicated', 'catalog asset never sent', urn);
}

/** Each change consumer's exactly-once ledger holds every valid event id. */
async function ledgers(suite: Suite, sent: Sent, tally: Tally): Promise<void> {
  const { rows } = await suite.pool.query<{ processor: string; event_id: string }>(
    `SELECT processor, event_id FROM steward_applied_events WHERE processor = ANY($1)`,
    [CHANGE_CONSUMERS],
  );
  const applied = new Map<string, Set<string>>(CHANGE_CONSUMERS.map((p) => [p, new Set()]));
  for (const row of rows) applied.get(row.processor)?.add(row.event_id);
  const ids = new Set(sent.valid.map((e) => e.id));
  for (const processor of CHANGE_CONSUMERS) {
    const set = applied.get(processor) ?? new Set<string>();
    for (const id of ids) if (!set.has(id)) tally.note('lost', `${processor} ledger`, id);
    // Records of the suite's other topics are ledgered by position (`<topic>:<partition>:<offset>`).
    for (const id of set)
      if (!ids.has(id) && !id.startsWith(`${suite.fixture.groupPrefix}.`))
        tally.note('duplicated', `${processor} ledger has an id never sent`, id);
  }
}

/**
 * The index: a document for every live asset, none for a deleted one, each at the revision its PostgreSQL
 * parts add up to (what the indexer writes as the external version), never behind and never ahead.
 */
async function index(suite: Suite, tally: Tally): Promise<void> {
  const { rows } = await suite.pool.query<{ urn: string; deleted: boolean; revision: string }>(
    `SELECT a.urn, a.deleted, (a.revision + coalesce(c.revision, 0) + coalesce(q.revision, 0))::text AS revision
       FROM assets a LEFT JOIN asset_compliance c USING (urn) LEFT JOIN asset_quality q USING (urn)`,
  );
  await suite.es.indices.refresh({ index: suite.alias });
  // The suite's tables are at most 5,000: one page of the default window (10,000) holds every document.
  const page = await suite.es.search({ index: suite.alias, size: 10_000, version: true, _source: false });
  const documents = new Map<string, number>(page.hits.hits.map((hit) => [hit._id ?? '', hit._version ?? 0]));
  for (const row of rows) {
    const version = documents.get(row.urn);
    documents.delete(row.urn);
    const want = Number(row.revision);
    if (row.deleted) {
      if (version !== undefined) tally.note('duplicated', 'document of a deleted asset', row.urn);
    } else if (version === undefined || version < want)
      tally.note('lost', 'document behind', `${row.urn} at ${version ?? 'none'}, expected ${want}`);
    else if (version > want)
      tally.note('duplicated', 'document ahead', `${row.urn} at ${version}, expected ${want}`);
  }
  for (const urn of documents.keys()) tally.note('duplicated', 'document of no asset', urn);
}

/**
 * Violation transitions: each one committed in PostgreSQL was published as an alert (at least once; the
 * notifier dedupes on the id), no alert names a transition PostgreSQL does not hold, and no violation
 * has the same transition twice (two openings or two resolutions of one episode).
 */
async function transitions(suite: Suite, tally: Tally): Promise<void> {
  const { rows } = await suite.pool.query<{ id: string; violation_id: string; kind: string }>(
    'SELECT id, violation_id, kind FROM violation_transitions',
  );
  const stored = new Set(rows.map((r) => r.id));
  for (const row of rows)
    if (!suite.collected.alerts.has(row.id)) tally.note('lost', 'transition never alerted', row.id);
  for (const id of suite.collected.alerts.keys())
    if (!stored.has(id)) tally.note('duplicated', 'alert of no stored transition', id);
  const kinds = new Map<string, number>();
  for (const row of rows) {
    if (row.kind !== 'opened' && row.kind !== 'resolved') continue;
    const key = `${row.violation_id} ${row.kind}`;
    kinds.set(key, (kinds.get(key) ?? 0) + 1);
  }
  for (const [key, n] of kinds) if (n > 1) tally.note('duplicated', 'transition repeated', `${key} x${n}`);
}

/** Every poison record is dead-lettered once per change consumer, with a reason. */
function deadLetters(suite: Suite, sent: Sent, tally: Tally): { dlqExpected: number; dlqFound: number } {
  const groups = new Set(suite.groups);
  const found = new Map<string, Set<string>>();
  const why = new Map<string, string>();
  for (const letter of suite.collected.letters.values()) {
    if (letter.topic !== suite.topics.changes.name || !groups.has(letter.group) || !letter.value) continue;
    if (!letter.errorMessage) tally.note('lost', 'dead letter without a reason', letter.id);
    const print = fingerprint(letter.value);
    why.set(print, `${letter.errorCode}: ${letter.errorMessage.slice(0, 300)}`);
    found.set(print, (found.get(print) ?? new Set()).add(letter.group));
  }
  let dlqFound = 0;
  for (const print of sent.poison) dlqFound += found.get(print)?.size ?? 0;
  const poison = new Set(sent.poison);
  for (const [print, byGroup] of found)
    if (!poison.has(print))
      tally.note(
        'duplicated',
        'dead letter of a valid event',
        `${print.slice(0, 12)} in ${[...byGroup].join(',')} (${why.get(print) ?? '?'})`,
      );
  return { dlqExpected: sent.poison.length * CHANGE_CONSUMERS.length, dlqFound };
}

/**
 * The checks must be able to fail: after the last scenario, take one effect away (or add one) at a time
 * and require `verify` to notice each, then put it back. Returns what went unnoticed.
 */
export async function tamperingUnnoticed(suite: Suite, sent: Sent): Promise<string[]> {
  const unnoticed: string[] = [];
  const expect = async (
    what: string,
    noticed: (v: Verdict) => boolean,
    undo: () => unknown,
  ): Promise<void> => {
    if (!noticed(await verify(suite, sent))) unnoticed.push(what);
    await undo();
  };
  const id = sent.valid.at(-1)?.id;
  const { rows } = await suite.pool.query<{ applied_at: Date }>(
    `DELETE FROM steward_applied_events WHERE processor = 'quality' AND event_id = $1 RETURNING applied_at`,
    [id],
  );
  await expect(
    'a ledger row taken away',
    (v) => v.lost > 0,
    () =>
      suite.pool.query(
        `INSERT INTO steward_applied_events (processor, event_id, applied_at) VALUES ('quality', $1, $2)`,
        [id, rows[0]?.applied_at ?? new Date()],
      ),
  );
  const alert = [...suite.collected.alerts].at(0);
  if (alert) {
    suite.collected.alerts.delete(alert[0]);
    await expect(
      'an alert taken away',
      (v) => v.lost > 0,
      () => suite.collected.alerts.set(...alert),
    );
  } else unnoticed.push('no alert to take away (no violation transition in the workload)');
  const letter = [...suite.collected.letters].at(0);
  if (letter) {
    suite.collected.letters.delete(letter[0]);
    await expect(
      'a dead letter taken away',
      (v) => v.dlqFound < v.dlqExpected,
      () => suite.collected.letters.set(...letter),
    );
  }
  const { rows: revisions } = await suite.pool.query<{ urn: string }>(
    'SELECT urn FROM assets WHERE NOT deleted ORDER BY urn LIMIT 1',
  );
  const urn = revisions[0]?.urn;
  if (urn) {
    await suite.pool.query('UPDATE assets SET revision = revision + 1 WHERE urn = $1', [urn]);
    await expect(
      'a catalog revision moved ahead',
      (v) => v.duplicated > 0,
      () => suite.pool.query('UPDATE assets SET revision = revision - 1 WHERE urn = $1', [urn]),
    );
  }
  return unnoticed;
}
