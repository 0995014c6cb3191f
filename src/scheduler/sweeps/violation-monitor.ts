import { fanOutCommands, type CommandSink } from '../../commands/fan-out.ts';
import { commandId } from '../../domain/command.ts';
import type { Sweep } from '../sweep-runner.ts';

type Row = { urn: string; overdue: string };

/**
 * violation-monitor (every 4 h): finds assets with open violations past their due time and not yet
 * escalated (read only, from compliance's table) and asks compliance to re-evaluate them as of the slot;
 * compliance, which owns the violations, records the `escalated` transition (once per violation) and
 * the notifier delivers it. Ids derive from (job, slot, URN).
 */
export function violationMonitorSweep(deps: CommandSink & { readonly job: string }): Sweep {
  return {
    job: deps.job,
    async run({ slot, progress }) {
      const at = slot.toISOString();
      let overdue = 0;
      const { checked, sent } = await fanOutCommands<Row>(
        deps,
        {
          sql: `SELECT urn, count(*)::text AS overdue FROM violations
                WHERE status = 'open' AND NOT escalated AND due_at <= $3 AND urn > $1
                GROUP BY urn ORDER BY urn LIMIT $2`,
          params: [at],
        },
        (row) => {
          overdue += Number(row.overdue);
          return {
            id: commandId(deps.job, at, row.urn),
            kind: 're-evaluate',
            target: 'compliance',
            urn: row.urn,
            issuedAt: at,
            issuedBy: deps.job,
            reason: `${row.overdue} open violation(s) past their due time`,
            payload: JSON.stringify({ asOf: at }),
          };
        },
        progress,
      );
      return { assetsChecked: checked, overdueViolations: overdue, reevaluateSent: sent };
    },
  };
}
