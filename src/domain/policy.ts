/**
 * Policies as data: the TypeBox schema every policy is written in (built-in ones and those created
 * through the API alike), validated by one compiled validator and published as a JSON Schema
 * (schemas/policy.schema.json, generated); compliance evaluates them (processors/compliance/policies). A policy names the assets it applies to (`scope`), what must
 * hold for them (`assert`), how bad a failure is, how to fix it, the time to fix it, and waivers that
 * expire. Pure.
 */
import { Compile } from 'typebox/compile';
import { Type, type Static } from 'typebox';
import { fieldErrors, type FieldError } from './field-errors.ts';
import { CLASS_IDS } from './classes.ts';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const SENSITIVITIES = ['none', 'internal', 'confidential', 'restricted'] as const;

const ClassId = Type.Enum(CLASS_IDS);
const Label = Type.String({ minLength: 1, maxLength: 256 });
/** A tag, or a family of tags: `retention:*` matches `retention:90d`. */
const TagPattern = Type.String({ minLength: 1, maxLength: 256, pattern: '^[^*]+\\*?$' });

export const ScopeSchema = Type.Object(
  {
    classes: Type.Optional(
      Type.Array(ClassId, {
        minItems: 1,
        uniqueItems: true,
        description: 'any of these classes on any column',
      }),
    ),
    sensitivity: Type.Optional(Type.Array(Type.Enum(SENSITIVITIES), { minItems: 1 })),
    platforms: Type.Optional(Type.Array(Label, { minItems: 1 })),
    tags: Type.Optional(Type.Array(TagPattern, { minItems: 1, description: 'any of these tags' })),
    owners: Type.Optional(Type.Array(Label, { minItems: 1, description: 'any of these owners' })),
  },
  {
    additionalProperties: false,
    description: 'every given condition must hold; an empty scope is every asset',
  },
);

export const AssertionSchema = Type.Union([
  Type.Object({ kind: Type.Literal('has-owner') }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('has-tag'), anyOf: Type.Array(TagPattern, { minItems: 1 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('class-absent'), classes: Type.Array(ClassId, { minItems: 1 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('values-masked'), classes: Type.Array(ClassId, { minItems: 1 }) },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('has-description') }, { additionalProperties: false }),
]);

const Instant = Type.String({ format: 'date-time' });

export const WaiverSchema = Type.Object(
  {
    urn: Type.String({ minLength: 1, maxLength: 4096 }),
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
    grantedBy: Label,
    expiresAt: Instant,
  },
  { additionalProperties: false },
);

export const PolicySchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9-]{2,62}$' }),
    version: Type.Integer({ minimum: 1 }),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.String({ maxLength: 4000 }),
    severity: Type.Enum(SEVERITIES),
    scope: ScopeSchema,
    assert: AssertionSchema,
    remediation: Type.String({ minLength: 1, maxLength: 4000 }),
    /** Hours a violation may stay open before it is escalated. */
    slaHours: Type.Integer({ minimum: 1, maximum: 8760 }),
    references: Type.Array(Type.String({ maxLength: 500 }), { maxItems: 20 }),
    waivers: Type.Array(WaiverSchema, { maxItems: 1000 }),
    enabled: Type.Boolean(),
  },
  { additionalProperties: false, title: 'Policy' },
);

export type Policy = Static<typeof PolicySchema>;
export type Assertion = Static<typeof AssertionSchema>;
export type Severity = (typeof SEVERITIES)[number];

const validator = Compile(PolicySchema);

/** The policy, or every problem with it (JSON pointer and message). */
export function validatePolicy(
  value: unknown,
): { ok: true; policy: Policy } | { ok: false; errors: FieldError[] } {
  if (validator.Check(value)) return { ok: true, policy: value };
  return { ok: false, errors: fieldErrors(PolicySchema, [...validator.Errors(value)], {}) };
}
