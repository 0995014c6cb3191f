/**
 * The commands compliance takes on steward.commands.v1 (target `compliance`). Pure.
 * - `re-evaluate` `{asOf?}`: evaluate the asset's policies again as of `asOf` (default: when issued) —
 *   sent when policies change, by the violation-monitor sweep (escalations) and the daily rescan.
 * - `decide-classification` `{column, class, decision: confirm|reject|clear, by, reason?}`: a steward's
 *   decision on one class of one column; it survives every later classification of that column.
 */
import type { Command } from '../../src/domain/command.ts';
import type { Accepted } from '../../src/domain/processor.ts';
import { isClassId, type ClassId } from './classify/classes.ts';

export const TARGET = 'compliance';

export interface Reevaluate {
  readonly kind: 're-evaluate';
  readonly id: string;
  readonly urn: string;
  readonly asOf: string;
}

export interface DecideClassification {
  readonly kind: 'decide-classification';
  readonly id: string;
  readonly urn: string;
  readonly column: string;
  readonly class: ClassId;
  readonly decision: 'confirm' | 'reject' | 'clear';
  readonly by: string;
  readonly at: string;
  readonly reason: string | null;
}

export type ComplianceCommand = Reevaluate | DecideClassification;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isInstant = (value: unknown): value is string =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value));

export function parseComplianceCommand(value: unknown, key: string): Accepted<ComplianceCommand> {
  const command = value as Command;
  if (command.target !== TARGET) return { ok: false, ignore: true, reason: `for ${command.target}` };
  if (command.urn === null) return { ok: false, reason: `${command.kind}: urn is required` };
  if (command.urn !== key)
    return {
      ok: false,
      code: 'STW_KEY_MISMATCH',
      reason: `the record key is not the command's urn (${command.urn})`,
    };
  let payload: unknown = {};
  if (command.payload !== null) {
    try {
      payload = JSON.parse(command.payload);
    } catch {
      return { ok: false, reason: `${command.kind}: payload is not JSON` };
    }
  }
  if (!isRecord(payload)) return { ok: false, reason: `${command.kind}: payload must be a JSON object` };
  const base = { id: command.id, urn: command.urn };
  switch (command.kind) {
    case 're-evaluate': {
      const asOf = payload.asOf ?? command.issuedAt;
      if (!isInstant(asOf)) return { ok: false, reason: 're-evaluate: asOf must be an ISO-8601 instant' };
      return { ok: true, value: { ...base, kind: 're-evaluate', asOf: new Date(asOf).toISOString() } };
    }
    case 'decide-classification': {
      const { column, decision, by, reason } = payload;
      const cls = payload.class;
      const problems: string[] = [];
      if (typeof column !== 'string' || !column) problems.push('column must be a column name');
      if (typeof cls !== 'string' || !isClassId(cls)) problems.push('class must be a class id');
      if (decision !== 'confirm' && decision !== 'reject' && decision !== 'clear')
        problems.push('decision must be confirm, reject or clear');
      if (typeof by !== 'string' || !by) problems.push('by must name who decided');
      if (reason !== undefined && reason !== null && typeof reason !== 'string')
        problems.push('reason must be text');
      if (!isInstant(command.issuedAt)) problems.push('issuedAt must be an ISO-8601 instant');
      if (problems.length) return { ok: false, reason: `decide-classification: ${problems.join('; ')}` };
      return {
        ok: true,
        value: {
          ...base,
          kind: 'decide-classification',
          column: column as string,
          class: cls as ClassId,
          decision: decision as DecideClassification['decision'],
          by: by as string,
          at: new Date(command.issuedAt).toISOString(),
          reason: typeof reason === 'string' ? reason : null,
        },
      };
    }
    default:
      return { ok: false, reason: `compliance has no command ${JSON.stringify(command.kind)}` };
  }
}
