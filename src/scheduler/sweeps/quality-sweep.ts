import { fanOutCommands, type CommandSink } from '../../commands/fan-out.ts';
import { commandId } from '../../domain/command.ts';
import type { Sweep } from '../sweep-runner.ts';

/**
 * quality-sweep (daily): asks quality to rescore every live asset it has scored, as of the slot, so
 * freshness decays for sources that stopped reporting (a score only moves when something arrives
 * otherwise). Ids derive from (job, slot, URN).
 */
export function qualitySweep(deps: CommandSink & { readonly job: string }): Sweep {
  return {
    job: deps.job,
    async run({ slot, progress }) {
      const at = slot.toISOString();
      const { checked, sent } = await fanOutCommands<{ urn: string }>(
        deps,
        {
          sql: `SELECT q.urn FROM asset_quality q JOIN assets a ON a.urn = q.urn
         WHERE NOT a.deleted AND q.urn > $1 ORDER BY q.urn LIMIT $2`,
        },
        (row) => ({
          id: commandId(deps.job, at, row.urn),
          kind: 'rescore',
          target: 'quality',
          urn: row.urn,
          issuedAt: at,
          issuedBy: deps.job,
          reason: 'daily quality sweep (freshness)',
          payload: JSON.stringify({ asOf: at }),
        }),
        progress,
      );
      return { checked, rescoreSent: sent };
    },
  };
}
