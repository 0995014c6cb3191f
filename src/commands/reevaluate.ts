import { commandId } from '../domain/command.ts';
import { fanOutCommands, type CommandSink } from './fan-out.ts';

/**
 * Asks compliance to re-evaluate every live asset against the current policies: one `re-evaluate`
 * command per asset, keyed by URN, with ids derived from (who, when, URN) so a repeated fan-out of the
 * same request is applied once. Returns how many were sent.
 */
export async function reevaluateAll(
  sink: CommandSink,
  request: { readonly issuedBy: string; readonly reason: string; readonly at?: Date },
): Promise<number> {
  const at = (request.at ?? new Date()).toISOString();
  const { sent } = await fanOutCommands<{ urn: string }>(
    sink,
    { sql: 'SELECT urn FROM assets WHERE NOT deleted AND urn > $1 ORDER BY urn LIMIT $2' },
    (row) => ({
      id: commandId(request.issuedBy, at, row.urn),
      kind: 're-evaluate',
      target: 'compliance',
      urn: row.urn,
      issuedAt: at,
      issuedBy: request.issuedBy,
      reason: request.reason,
      payload: null,
    }),
  );
  return sent;
}
