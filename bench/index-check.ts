/**
 * What the pipeline benches (bench/catalog.ts, bench/pipeline.ts) share about the index: the document writes
 * metadata-sync's own pure functions predict for a sequence of events, the "searchable" check on an alias
 * (count and sum of `revision`, no forced refresh), and produced→searchable latency at a fixed offered load.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import type { ChangeEvent } from '../src/domain/change-event.ts';
import type { DocumentWrite } from '../src/domain/processor.ts';
import { toDocument } from '../processors/indexer/document.ts';
import { toAssetEvent, type SyncState } from '../processors/metadata-sync/asset-event.ts';
import { mergeChange } from '../processors/metadata-sync/merge.ts';

/** The index's expected content: live documents and the sum of their `revision`. */
export interface Expectation {
  readonly assets: number;
  readonly revisionSum: number;
}

/** What metadata-sync will emit for a sequence of events, folded in memory with its own pure functions. */
export interface Expected extends Expectation {
  /** One write per assets-topic record, in order; a deleted asset's write deletes its document. */
  readonly writes: readonly Omit<DocumentWrite, 'index'>[];
}

/** Folds `events` as metadata-sync would; `onWrite` (if given) takes the writes instead of the list. */
export function expectedOf(
  events: Iterable<ChangeEvent>,
  onWrite?: (write: Omit<DocumentWrite, 'index'>) => void,
): Expected {
  const states = new Map<string, SyncState>();
  const writes: Omit<DocumentWrite, 'index'>[] = [];
  for (const event of events) {
    const before = states.get(event.asset.urn);
    const merged = mergeChange(before?.asset, event);
    if (!merged.changed) continue;
    const previous = before?.schemaVersion ?? 0;
    const next: SyncState = {
      asset: merged.state,
      schemaVersion: merged.schemaChanged ? previous + 1 : previous,
    };
    states.set(event.asset.urn, next);
    const value = toAssetEvent(next);
    const write = {
      id: value.urn,
      version: value.revision,
      document: value.deleted ? null : toDocument(value),
    };
    if (onWrite) onWrite(write);
    else writes.push(write);
  }
  let assets = 0;
  let revisionSum = 0;
  for (const state of states.values()) {
    const value = toAssetEvent(state);
    if (value.deleted) continue;
    assets++;
    revisionSum += value.revision;
  }
  return { writes, assets, revisionSum };
}

/** Count and `revision` sum of the alias as search sees it now (no forced refresh). */
export async function searchable(es: Client, alias: string): Promise<Expectation> {
  const response = await es.search({
    index: alias,
    size: 0,
    track_total_hits: true,
    aggs: { revisions: { sum: { field: 'revision' } } },
  });
  const total = response.hits.total;
  const count = typeof total === 'number' ? total : (total?.value ?? 0);
  const agg = response.aggregations?.['revisions'] as { value?: number | null } | undefined;
  return { assets: count, revisionSum: agg?.value ?? 0 };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export interface Freshness {
  readonly offeredEventsPerSecond: number;
  readonly achievedEventsPerSecond: number;
  readonly seconds: number;
  readonly events: number;
  readonly samples: number;
  readonly unresolved: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface FreshnessTarget {
  readonly es: Client;
  readonly alias: string;
  readonly signal: AbortSignal;
  /** Produces `events` with `timestamp` (ms since epoch) as every record's timestamp. */
  send(events: readonly ChangeEvent[], timestamp: number): Promise<void>;
  /** Throws when the pipeline dead-lettered something (checked once the load ends). */
  check?(): Promise<void>;
}

export interface FreshnessLoad {
  readonly offered: number;
  readonly seconds: number;
  /** 1 sampled event in this many (of those `sampled` accepts). */
  readonly sampleEvery: number;
  readonly tickMs?: number;
  readonly pollMs?: number;
  readonly timeoutMs?: number;
  /** Events whose searchability can be seen: they carry asset.lastModifiedAt and it lands in the document. */
  readonly sampled?: (event: ChangeEvent) => boolean;
}

/**
 * Events from `stream` at `offered` events/s for `seconds`, sent every `tickMs` with their record timestamp
 * set to the send time. For 1 in `sampleEvery` (of the sampled kind), the latency is from that record
 * timestamp to the first search (an `ids` query on the alias every `pollMs`, no forced refresh) whose hit
 * carries its lastModifiedAt or a later one. Samples not seen `timeoutMs` after the load ends are counted
 * as unresolved (e.g. the asset was deleted by a later event before a search saw it).
 */
export async function measureFreshness(
  target: FreshnessTarget,
  stream: Iterator<ChangeEvent>,
  load: FreshnessLoad,
): Promise<Freshness> {
  const tickMs = load.tickMs ?? 100;
  const pollMs = load.pollMs ?? 25;
  const timeoutMs = load.timeoutMs ?? 60_000;
  const sampled = load.sampled ?? ((e: ChangeEvent) => e.asset.lastModifiedAt !== undefined);
  const pending = new Map<string, { at: number; lastModified: number }[]>();
  const latencies: number[] = [];
  const phase = { producing: true, stoppedAt: Infinity };
  let samples = 0;
  const poller = (async (): Promise<void> => {
    const deadline = (): boolean => !phase.producing && Date.now() > phase.stoppedAt + timeoutMs;
    while ((phase.producing || pending.size) && !deadline()) {
      target.signal.throwIfAborted();
      if (pending.size) {
        const ids = [...pending.keys()];
        const response = await target.es.search<{ lastModifiedAt?: string }>({
          index: target.alias,
          size: ids.length,
          _source: ['lastModifiedAt'],
          query: { ids: { values: ids } },
        });
        const now = Date.now();
        for (const hit of response.hits.hits) {
          const waiting = pending.get(hit._id ?? '');
          const seen = Date.parse(hit._source?.lastModifiedAt ?? '');
          if (!waiting || !Number.isFinite(seen)) continue;
          const left = waiting.filter((s) => {
            if (s.lastModified > seen) return true;
            latencies.push(now - s.at);
            return false;
          });
          if (left.length) pending.set(hit._id ?? '', left);
          else pending.delete(hit._id ?? '');
        }
      }
      await sleep(pollMs, undefined, { signal: target.signal });
    }
  })();
  void poller.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
  const began = Date.now();
  let sent = 0;
  let candidates = 0;
  try {
    for (let tick = 1; tick * tickMs <= load.seconds * 1000; tick++) {
      const due = Math.floor((load.offered * tick * tickMs) / 1000) - sent;
      const batch: ChangeEvent[] = [];
      for (let i = 0; i < due; i++) {
        const next = stream.next();
        if (next.done) break;
        batch.push(next.value);
      }
      if (batch.length) {
        const at = Date.now();
        for (const event of batch) {
          if (!sampled(event) || candidates++ % load.sampleEvery) continue;
          samples++;
          const list = pending.get(event.asset.urn) ?? [];
          list.push({ at, lastModified: Date.parse(event.asset.lastModifiedAt ?? '') });
          pending.set(event.asset.urn, list);
        }
        await target.send(batch, at);
        sent += batch.length;
      }
      const wait = began + tick * tickMs - Date.now();
      if (wait > 0) await sleep(wait, undefined, { signal: target.signal });
    }
  } finally {
    phase.producing = false;
    phase.stoppedAt = Date.now();
  }
  const seconds = (phase.stoppedAt - began) / 1000;
  await poller;
  await target.check?.();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    offeredEventsPerSecond: load.offered,
    achievedEventsPerSecond: sent / seconds,
    seconds,
    events: sent,
    samples,
    unresolved: samples - sorted.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? NaN,
  };
}
