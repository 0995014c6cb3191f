import type { Producer } from 'kafkajs';
import type pg from 'pg';
import { z } from 'zod';
import type { TopicCodec } from '../../adapters/registry.ts';
import { fanOutCommands } from '../../commands/fan-out.ts';
import { commandId } from '../../domain/command.ts';
import type { JobDeclaration } from '../../domain/schedule.ts';
import { expectedIntervalMs, isOverdue, type StalenessRules } from '../../domain/staleness.ts';
import type { TopicDeclaration } from '../../domain/topic.ts';
import type { Sweep } from '../sweep-runner.ts';

const hourMs = 3_600_000;

/** The job's payload: how often sources are expected to report their assets. */
const payloadSchema = z.strictObject({
  staleAfterHours: z.number().positive().default(24),
  staleAfterHoursBy: z
    .record(
      z.string().regex(/^(tag|instance|platform):.+$/, 'keys are tag:<t>, instance:<i> or platform:<p>'),
      z.number().positive(),
    )
    .default({}),
});

/** The staleness rules of a metadata-resync job; throws naming the problem when its payload is invalid. */
export function stalenessRules(job: Pick<JobDeclaration, 'name' | 'payload'>): StalenessRules {
  const parsed = payloadSchema.safeParse(job.payload);
  if (!parsed.success)
    throw new Error(
      `job ${job.name}: invalid payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return {
    defaultMs: Math.round(parsed.data.staleAfterHours * hourMs),
    overrides: Object.fromEntries(
      Object.entries(parsed.data.staleAfterHoursBy).map(([key, hours]) => [key, Math.round(hours * hourMs)]),
    ),
  };
}

type Row = { urn: string; platform: string; instance: string; tags: string[]; reported_at: string };

/**
 * metadata-resync: pages through the live assets not yet marked stale (read only) and, for each whose
 * source has not reported it within its expected interval as of the slot, asks metadata-sync (which owns
 * `assets`) to mark it stale, with a command keyed by URN, so every metadata-sync instance takes its share.
 * "Reported" is the newest event merged into the asset (`updated_stamp`): a re-report with the same
 * values counts. Command ids derive from (job, slot, URN): a run repeated after a crash sends the same
 * ids, which metadata-sync's ledger has already applied. A table a scanner listed counts as reported
 * when the scan listed it (scan_tables.last_seen_at): an unchanged table publishes nothing.
 */
export function metadataResyncSweep(deps: {
  pool: pg.Pool;
  producer: Producer;
  codec: TopicCodec;
  commands: TopicDeclaration;
  job: JobDeclaration;
}): Sweep {
  const rules = stalenessRules(deps.job); // refuses a bad payload at start-up
  return {
    job: deps.job.name,
    async run({ slot, progress }) {
      const { checked, sent } = await fanOutCommands<Row>(
        deps,
        {
          // A scanner that lists an unchanged table publishes nothing: its listing is the report.
          sql: `SELECT a.urn, a.platform, a.instance, a.tags,
                to_char(GREATEST((a.updated_stamp->>'occurredAt')::timestamptz,
                                 (SELECT max(s.last_seen_at) FROM scan_tables s WHERE s.urn = a.urn AND NOT s.deleted))
                        AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS reported_at
           FROM assets a
          WHERE NOT a.deleted AND a.stale_since IS NULL AND a.urn > $1 ORDER BY a.urn LIMIT $2`,
        },
        (row) => {
          const expectedMs = expectedIntervalMs(row, rules);
          if (!isOverdue(new Date(row.reported_at), expectedMs, slot)) return null;
          return {
            id: commandId(deps.job.name, slot.toISOString(), row.urn),
            kind: 'mark-stale',
            target: 'metadata-sync',
            urn: row.urn,
            issuedAt: slot.toISOString(),
            issuedBy: deps.job.name,
            reason: `not reported since ${row.reported_at}; expected every ${expectedMs / hourMs} h`,
            payload: JSON.stringify({ asOf: slot.toISOString(), expectedMs }),
          };
        },
        progress,
      );
      return { checked, markStaleSent: sent };
    },
  };
}
