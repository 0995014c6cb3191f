import { RULESET_VERSION } from '../../../processors/compliance/classify/classes.ts';
import { fanOutCommands, type CommandSink } from '../../commands/fan-out.ts';
import { commandId, type Command } from '../../domain/command.ts';
import type { Sweep } from '../sweep-runner.ts';

type Row = { urn: string; ruleset_version: string | null };

/**
 * compliance-rescan (daily): asks compliance to re-evaluate every live asset as of the slot (waivers that
 * expired, policies whose scope now matches), and, for assets classified under an older rule set than
 * this Steward's, asks for a rescan so the next profile is classified anew (`rescan`, addressed to the
 * scanner that owns the source; assets pushed by other producers are re-classified on their next profile).
 * Ids derive from (job, slot, URN, kind), so a repeated run sends ids the owners have already applied.
 */
export function complianceRescanSweep(deps: CommandSink & { readonly job: string }): Sweep {
  return {
    job: deps.job,
    async run({ slot, progress }) {
      const at = slot.toISOString();
      let rescans = 0;
      const command = (row: Row, kind: string, target: string, payload: object, reason: string): Command => ({
        id: commandId(deps.job, at, row.urn, kind),
        kind,
        target,
        urn: row.urn,
        issuedAt: at,
        issuedBy: deps.job,
        reason,
        payload: JSON.stringify(payload),
      });
      const { checked, sent } = await fanOutCommands<Row>(
        deps,
        {
          sql: `SELECT a.urn, c.ruleset_version FROM assets a LEFT JOIN asset_compliance c ON c.urn = a.urn
         WHERE NOT a.deleted AND a.urn > $1 ORDER BY a.urn LIMIT $2`,
        },
        (row) => {
          const reevaluate = command(
            row,
            're-evaluate',
            'compliance',
            { asOf: at },
            'daily compliance rescan',
          );
          if (row.ruleset_version === null || row.ruleset_version >= RULESET_VERSION) return reevaluate;
          rescans += 1;
          return [
            reevaluate,
            command(
              row,
              'rescan',
              'scanner',
              { rulesetVersion: RULESET_VERSION },
              `classified under rule set ${row.ruleset_version}; current is ${RULESET_VERSION}`,
            ),
          ];
        },
        progress,
      );
      return {
        checked,
        reevaluateSent: sent - rescans,
        rescanSent: rescans,
        rulesetVersion: RULESET_VERSION,
      };
    },
  };
}
