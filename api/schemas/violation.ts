import { Type } from 'typebox';

/** A violation episode as the API shows it (per asset and across assets). */
export const Violation = Type.Object({
  id: Type.String({ description: 'deterministic: the same violation episode has the same id everywhere' }),
  policyId: Type.String(),
  policyVersion: Type.Integer(),
  episode: Type.Integer(),
  status: Type.Enum(['open', 'resolved']),
  severity: Type.String(),
  escalated: Type.Boolean(),
  reasons: Type.Array(Type.String()),
  openedAt: Type.String({ format: 'date-time' }),
  dueAt: Type.String({ format: 'date-time' }),
  resolvedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
