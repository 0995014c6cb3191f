import type { Admin } from 'kafkajs';
import { groupPositions, type PartitionPosition } from '../adapters/kafka-positions.ts';
import type { Pool } from '../adapters/postgres/pool.ts';
import { saveFreshness, type FreshnessCheck } from '../adapters/postgres/freshness-store.ts';
import { watermarkOf } from '../domain/freshness.ts';
import type { Logger } from '../observability/logger.ts';
import type { RuntimeMetrics } from './metrics.ts';

const partitionKey = (topic: string, partition: number): string => `${topic}/${partition}`;

/**
 * The newest event time applied per partition since the last check (what this instance processed). Pure.
 */
export class AppliedTimes {
  readonly #newest = new Map<string, number>();

  observe(topic: string, partition: number, eventTime: number): void {
    if (!Number.isFinite(eventTime) || eventTime <= 0) return;
    const key = partitionKey(topic, partition);
    this.#newest.set(key, Math.max(this.#newest.get(key) ?? 0, eventTime));
  }

  /** Puts back a drained observation whose check failed. */
  restore(key: string, at: Date): void {
    this.#newest.set(key, Math.max(this.#newest.get(key) ?? 0, at.getTime()));
  }

  /** The observations since the last drain, forgotten once returned. */
  drain(): Map<string, Date> {
    const out = new Map([...this.#newest].map(([key, ms]) => [key, new Date(ms)]));
    this.#newest.clear();
    return out;
  }
}

/** One check per partition from the group's positions and what was applied since the last check. Pure. */
export function checksOf(
  group: string,
  positions: readonly PartitionPosition[],
  applied: ReadonlyMap<string, Date>,
): FreshnessCheck[] {
  return positions.map((p) => {
    const lag = Math.max(0, p.end - p.committed);
    return {
      group,
      topic: p.topic,
      partition: p.partition,
      lag,
      caughtUpAt: lag === 0 ? p.readAt : null,
      reflectedThrough: applied.get(partitionKey(p.topic, p.partition)) ?? null,
    };
  });
}

/**
 * Every `intervalMs`, writes the group's freshness per input partition (src/domain/freshness.ts) and sets
 * `steward_freshness_seconds`. Every instance checks every partition of the group (the rows only move
 * forward, so they agree), and the check reads Kafka, not this instance's batches: an idle partition keeps
 * being "caught up at now", and a partition assigned elsewhere is still reported.
 */
export function startFreshness(deps: {
  readonly processor: string;
  readonly group: string;
  readonly topics: readonly string[];
  readonly admin: Admin;
  readonly pool: Pool;
  readonly metrics: RuntimeMetrics;
  readonly log: Logger;
  readonly intervalMs: number;
}): { readonly applied: AppliedTimes; stop(): Promise<void> } {
  const applied = new AppliedTimes();
  let running: Promise<void> = Promise.resolve();
  let failures = 0;
  const check = async (): Promise<void> => {
    const drained = applied.drain();
    let checks: FreshnessCheck[];
    try {
      checks = checksOf(deps.group, await groupPositions(deps.admin, deps.group, deps.topics), drained);
      await saveFreshness(deps.pool, checks);
    } catch (error) {
      for (const [key, at] of drained) applied.restore(key, at);
      throw error;
    }
    const now = Date.now();
    for (const c of checks) {
      const watermark = watermarkOf({ ...c, checkedAt: new Date(now) });
      if (watermark)
        deps.metrics.freshnessSeconds.set(
          { processor: deps.processor, topic: c.topic, partition: String(c.partition) },
          Math.max(0, (now - watermark.getTime()) / 1000),
        );
    }
  };
  const timer = setInterval(() => {
    running = running
      .then(check)
      .then(() => {
        failures = 0;
      })
      .catch((error: unknown) => {
        // Freshness is reporting, not processing: a failed check is retried at the next tick.
        if (failures++ % 10 === 0) deps.log.warn({ err: error }, 'freshness check failed');
      });
  }, deps.intervalMs).unref();
  return {
    applied,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
