/**
 * Curation: what a steward sets on an asset through the API (owners, tags, description, retention), kept
 * by metadata-sync as the asset's `curated` aspect, which change events never write. It travels as a
 * `curate` command on steward.commands.v1, keyed by the asset's URN, so it is applied in order with the
 * asset's change events and deduplicated by its id like them. Pure.
 *
 * A patch is a JSON merge patch over the curated aspect: a field left out is kept, `null` clears the
 * steward's value (the source's value shows again), anything else replaces it.
 */
import { Compile } from 'typebox/compile';
import { Type, type Static } from 'typebox';
import { LIMITS } from './change-event-schema.ts';
import type { Command } from './command.ts';
import { fieldErrors, type FieldError } from './field-errors.ts';

/** ISO-8601 duration in whole units (P90D, P1Y6M, PT12H), as `retention:<duration>` tags carry it. */
export const RETENTION = '^P(?!$)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$';

const Label = Type.String({ minLength: 1, maxLength: LIMITS.labelLength, pattern: '^\\S(.*\\S)?$' });
const Labels = (description: string) =>
  Type.Union([Type.Array(Label, { maxItems: LIMITS.labels, uniqueItems: true }), Type.Null()], {
    description,
  });

export const CurationPatchSchema = Type.Object(
  {
    owners: Type.Optional(Labels("the asset's owners, replacing the ones its source reports")),
    tags: Type.Optional(Labels('tags added to the ones its source reports (a `retention:` tag is not one)')),
    description: Type.Optional(
      Type.Union([Type.String({ maxLength: LIMITS.descriptionLength }), Type.Null()], {
        description: "the asset's description, replacing its source's",
      }),
    ),
    retention: Type.Optional(
      Type.Union([Type.String({ pattern: RETENTION, maxLength: 64 }), Type.Null()], {
        description:
          'how long its data is kept, an ISO-8601 duration (P90D); shown as the tag retention:<duration>',
      }),
    ),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'a JSON merge patch: a field left out is kept, null clears the curated value',
  },
);

export type CurationPatch = Static<typeof CurationPatchSchema>;

/** metadata-sync's `curate`: the patch, stamped with the command's issue time and id. */
export interface Curate {
  readonly kind: 'curate';
  readonly id: string;
  readonly urn: string;
  readonly at: string;
  readonly by: string;
  readonly patch: CurationPatch;
}

export const CURATE = 'curate';

const validator = Compile(CurationPatchSchema);

export function validateCurationPatch(
  value: unknown,
): { ok: true; patch: CurationPatch } | { ok: false; errors: FieldError[] } {
  if (validator.Check(value)) return { ok: true, patch: value };
  return { ok: false, errors: fieldErrors(CurationPatchSchema, [...validator.Errors(value)], {}) };
}

/** Reads a curate command; the reason names what is wrong. */
export function parseCurate(command: Command): { ok: true; value: Curate } | { ok: false; reason: string } {
  if (command.urn === null) return { ok: false, reason: 'curate: urn is required' };
  if (Number.isNaN(Date.parse(command.issuedAt)))
    return { ok: false, reason: 'curate: issuedAt must be an ISO-8601 instant' };
  let payload: unknown;
  try {
    payload = JSON.parse(command.payload ?? 'null');
  } catch {
    return { ok: false, reason: 'curate: payload is not JSON' };
  }
  const checked = validateCurationPatch(payload);
  if (!checked.ok)
    return {
      ok: false,
      reason: `curate: ${checked.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
    };
  return {
    ok: true,
    value: {
      kind: 'curate',
      id: command.id,
      urn: command.urn,
      at: new Date(command.issuedAt).toISOString(),
      by: command.issuedBy,
      patch: checked.patch,
    },
  };
}
