import type { TSchema } from 'typebox';

/** The JSON Schema keywords the contract uses, as plain data. */
export type JsonSchema = {
  readonly type?: string;
  readonly title?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly [keyword: string]: unknown;
};

/**
 * A TypeBox schema as plain JSON Schema: TypeBox keeps its markers (`~kind`, `~optional`) in
 * non-enumerable properties, so a JSON round trip leaves exactly the standard keywords.
 */
export function plainJsonSchema(schema: TSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

/** The schema `schema` allows besides null, when it is `anyOf: [T, null]` (either order); else undefined. */
export function nonNull(schema: JsonSchema): JsonSchema | undefined {
  const branches = schema.anyOf;
  if (branches?.length !== 2 || !branches.some((branch) => branch.type === 'null')) return undefined;
  return branches.find((branch) => branch.type !== 'null');
}
