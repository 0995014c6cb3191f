import { Type } from 'typebox';

const Strings = Type.Array(Type.String());

/** An asset as the index has it (search hits and the indexed part of asset detail). */
export const AssetSummary = Type.Object({
  urn: Type.String(),
  platform: Type.String(),
  instance: Type.String(),
  type: Type.String(),
  name: Type.String(),
  qualifiedName: Type.String(),
  description: Type.Optional(Type.String()),
  owners: Strings,
  tags: Strings,
  columns: Type.Array(
    Type.Object({ name: Type.String(), type: Type.Optional(Type.String()), classes: Strings }),
  ),
  classes: Strings,
  sensitivity: Type.String(),
  quality: Type.Object({
    score: Type.Optional(Type.Number()),
    band: Type.String(),
    dimensions: Type.Record(Type.String(), Type.Number()),
  }),
  violations: Type.Object({
    open: Type.Integer(),
    openPolicies: Strings,
    status: Type.String(),
    worstSeverity: Type.Optional(Type.String()),
  }),
  revision: Type.Integer(),
  updatedAt: Type.String(),
  schemaChangedAt: Type.Optional(Type.String()),
  lastModifiedAt: Type.Optional(Type.String()),
  freshUntil: Type.Optional(Type.String()),
  stale: Type.Boolean(),
});
