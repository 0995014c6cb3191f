/**
 * Commands: requests on steward.commands.v1 (topics/schemas/command.ts) addressed to the one processor
 * that owns a piece of state. Pure.
 */
import { createHash } from 'node:crypto';

/** The Avro record `steward.v1.Command`. `payload` is JSON whose shape depends on `kind`. */
export interface Command {
  readonly id: string;
  readonly kind: string;
  readonly target: string;
  readonly urn: string | null;
  readonly issuedAt: string;
  readonly issuedBy: string;
  readonly reason: string | null;
  readonly payload: string | null;
}

/**
 * A UUID-shaped id derived from `parts`: the same request (a sweep's job, slot and asset) always gets the
 * same id, so a sweep run twice sends commands the owner's ledger recognises as already applied.
 */
export function commandId(...parts: readonly string[]): string {
  const hex = createHash('sha256').update(parts.join('\n')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** metadata-sync's `mark-stale`: the asset has not been reported for `expectedMs` as of `asOf`. */
export interface MarkStale {
  readonly kind: 'mark-stale';
  readonly id: string;
  readonly urn: string;
  /** ISO-8601 instant the sweep judged at (its slot). */
  readonly asOf: string;
  readonly expectedMs: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** Reads a mark-stale command; the reason names what is wrong. */
export function parseMarkStale(
  command: Command,
): { ok: true; value: MarkStale } | { ok: false; reason: string } {
  if (command.urn === null) return { ok: false, reason: 'mark-stale: urn is required' };
  let payload: unknown;
  try {
    payload = JSON.parse(command.payload ?? 'null');
  } catch {
    return { ok: false, reason: 'mark-stale: payload is not JSON' };
  }
  if (!isRecord(payload)) return { ok: false, reason: 'mark-stale: payload must be {asOf, expectedMs}' };
  const { asOf, expectedMs } = payload;
  if (typeof asOf !== 'string' || Number.isNaN(Date.parse(asOf)))
    return { ok: false, reason: 'mark-stale: payload.asOf must be an ISO-8601 instant' };
  if (typeof expectedMs !== 'number' || !Number.isSafeInteger(expectedMs) || expectedMs <= 0)
    return { ok: false, reason: 'mark-stale: payload.expectedMs must be a positive integer' };
  return { ok: true, value: { kind: 'mark-stale', id: command.id, urn: command.urn, asOf, expectedMs } };
}

/**
 * metadata-sync's `placeholder`: a dataset named by lineage before any source reported it. Creates an
 * identity-only asset when the URN is unknown; never touches a reported one.
 */
export interface PlaceholderCommand {
  readonly kind: 'placeholder';
  readonly id: string;
  readonly urn: string;
  /** ISO-8601 instant the dataset was first seen (the RunEvent's time). */
  readonly at: string;
  readonly name?: string;
  readonly qualifiedName?: string;
}

/** Reads a placeholder command; the reason names what is wrong. */
export function parsePlaceholder(
  command: Command,
): { ok: true; value: PlaceholderCommand } | { ok: false; reason: string } {
  if (command.urn === null) return { ok: false, reason: 'placeholder: urn is required' };
  let payload: unknown;
  try {
    payload = JSON.parse(command.payload ?? 'null');
  } catch {
    return { ok: false, reason: 'placeholder: payload is not JSON' };
  }
  if (!isRecord(payload))
    return { ok: false, reason: 'placeholder: payload must be {at, name?, qualifiedName?}' };
  const { at, name, qualifiedName } = payload;
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at)))
    return { ok: false, reason: 'placeholder: payload.at must be an ISO-8601 instant' };
  if (
    (name !== undefined && typeof name !== 'string') ||
    (qualifiedName !== undefined && typeof qualifiedName !== 'string')
  )
    return { ok: false, reason: 'placeholder: payload.name and payload.qualifiedName must be strings' };
  return {
    ok: true,
    value: {
      kind: 'placeholder',
      id: command.id,
      urn: command.urn,
      at,
      ...(name !== undefined && { name }),
      ...(qualifiedName !== undefined && { qualifiedName }),
    },
  };
}
