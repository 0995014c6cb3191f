import type { OutboxRelay } from '../adapters/outbox-relay.ts';
import type { Pool } from '../adapters/postgres/pool.ts';
import type { PostgresStateStore } from '../adapters/postgres/state-store.ts';
import type { TopicDeclaration } from '../domain/topic.ts';
import type { Logger } from '../observability/logger.ts';

const day = 86_400_000;

/**
 * The runtime's periodic chores: publish outbox rows a stopped instance left behind, and prune expired
 * rows — the ledger once no input topic can redeliver its events (twice the longest retention), published
 * outbox rows after a day, originals of dead letters after the DLQ topic's own retention.
 */
export function startHousekeeping(deps: {
  readonly processor: string;
  readonly consumes: readonly TopicDeclaration[];
  readonly dlqTopic: TopicDeclaration;
  readonly pool: Pool;
  readonly store: PostgresStateStore<unknown> | undefined;
  readonly relay: OutboxRelay;
  readonly log: Logger;
  readonly outboxSweepAfterMs: number;
  readonly intervalMs: number;
}): { stop(): void } {
  const { store, relay, log } = deps;
  const ledgerHorizonMs =
    2 *
    Math.max(
      ...deps.consumes.map((t) => (t.config['retention.ms'] > 0 ? t.config['retention.ms'] : 7 * day)),
    );
  const sweeper = store
    ? setInterval(
        () => {
          relay
            .sweep(deps.processor, deps.outboxSweepAfterMs)
            .then(
              (n) =>
                n && log.info({ published: n }, 'outbox sweep published rows left by a stopped instance'),
            )
            .catch((error: unknown) => log.warn({ err: error }, 'outbox sweep failed'));
        },
        Math.max(1000, deps.outboxSweepAfterMs / 2),
      ).unref()
    : undefined;
  const pruner = setInterval(() => {
    void (async () => {
      const pruned = {
        ledger: store ? await store.pruneLedger(ledgerHorizonMs) : 0,
        outbox: store ? await relay.prune(deps.processor, day) : 0,
        deadLetterPayloads:
          (
            await deps.pool.query(
              `DELETE FROM steward_dlq_payloads WHERE stored_at < now() - make_interval(secs => $1::double precision / 1000)`,
              [deps.dlqTopic.config['retention.ms']],
            )
          ).rowCount ?? 0,
      };
      if (pruned.ledger || pruned.outbox || pruned.deadLetterPayloads)
        log.info(pruned, 'housekeeping pruned expired rows');
    })().catch((error: unknown) => log.warn({ err: error }, 'housekeeping failed'));
  }, deps.intervalMs).unref();
  return {
    stop() {
      clearInterval(sweeper);
      clearInterval(pruner);
    },
  };
}
