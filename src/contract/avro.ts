/**
 * TypeBox (JSON Schema) → Avro, for the subset the contracts use. Pure: no registry, no I/O.
 *
 * - object → record named by its `title` (else parent name + property name), namespace on the root only;
 *   a named type used twice is defined once and then referred to by name.
 * - string/integer/number/boolean → string/long/double/boolean; array → array.
 * - string literal unions and string enums → enum (symbols must be Avro names).
 * - `T | null`, and every optional property → `["null", T]` with `"default": null` (null first, as Avro
 *   requires of a null default), so readers on a newer schema still read older data (BACKWARD).
 * - descriptions → `doc`; fields keep their declared order.
 * Validation keywords (lengths, patterns, formats, limits) have no Avro form: decoded values are checked
 * against the contract again (validateChangeEvent) before use.
 */
import type { TSchema } from 'typebox';
import { ChangeEventSchema, type ChangeEvent } from '../domain/change-event.ts';
import { nonNull, plainJsonSchema, type JsonSchema } from './json-schema.ts';

export type AvroType = string | readonly AvroType[] | { readonly [key: string]: unknown };
export type AvroField = {
  readonly name: string;
  readonly type: AvroType;
  readonly doc?: string;
  readonly default?: null;
};
export type AvroRecordSchema = {
  readonly type: 'record';
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly fields: readonly AvroField[];
};

const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
type Named = Map<string, string>;

const pascal = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);
const doc = (schema: JsonSchema) => (schema.description === undefined ? {} : { doc: schema.description });

function avroName(name: string, what: string, path: string): string {
  if (!AVRO_NAME.test(name)) throw new Error(`${path}: ${what} ${JSON.stringify(name)} is not an Avro name`);
  return name;
}

/** Defines a named type the first time; the same definition again is a reference to the name. */
function define(
  named: Named,
  source: JsonSchema,
  name: string,
  path: string,
  build: () => AvroType,
): AvroType {
  const key = JSON.stringify(source);
  const existing = named.get(name);
  if (existing === key) return name;
  if (existing !== undefined)
    throw new Error(`${path}: another Avro type is named ${name}; give one a title`);
  named.set(name, key);
  return build();
}

function enumSymbols(schema: JsonSchema): string[] | undefined {
  const values =
    schema.enum ?? (schema.anyOf?.length ? schema.anyOf.map((branch) => branch.const) : undefined);
  if (!values?.every((value) => typeof value === 'string')) return undefined;
  return values as string[];
}

function convert(schema: JsonSchema, hint: string, path: string, named: Named): AvroType {
  const inner = nonNull(schema);
  if (inner) return ['null', convert(inner, hint, path, named)];
  const symbols = enumSymbols(schema);
  if (symbols) {
    const name = avroName(schema.title ?? hint, 'type name', path);
    const checked = symbols.map((symbol) => avroName(symbol, 'enum symbol', path));
    return define(named, schema, name, path, () => ({
      type: 'enum',
      name,
      ...doc(schema),
      symbols: checked,
    }));
  }
  switch (schema.type) {
    case 'object': {
      const name = avroName(schema.title ?? hint, 'type name', path);
      return define(named, schema, name, path, () => record(schema, name, path, named));
    }
    case 'array':
      if (schema.items)
        return { type: 'array', items: convert(schema.items, `${hint}Item`, `${path}/items`, named) };
      break;
    case 'string':
    case 'boolean':
    case 'null':
      return schema.type;
    case 'integer':
      return 'long';
    case 'number':
      return 'double';
  }
  throw new Error(`${path}: no Avro form for ${JSON.stringify(schema)}`);
}

function record(schema: JsonSchema, name: string, path: string, named: Named): AvroRecordSchema {
  const required = new Set(schema.required);
  const fields = Object.entries(schema.properties ?? {}).map(([key, property]): AvroField => {
    const at = `${path}/properties/${key}`;
    const field = avroName(key, 'field name', at);
    const type = convert(property, `${name}${pascal(key)}`, at, named);
    const nullable = nonNull(property) !== undefined;
    if (required.has(key) && !nullable) return { name: field, type, ...doc(property) };
    return { name: field, type: nullable ? type : ['null', type], ...doc(property), default: null };
  });
  return { type: 'record', name, ...doc(schema), fields };
}

/** The Avro record schema of an object schema; its `title` names the record. */
export function avroSchemaOf(schema: TSchema, namespace: string): AvroRecordSchema {
  const json = plainJsonSchema(schema);
  if (json.type !== 'object' || json.title === undefined)
    throw new Error('the root of an Avro schema must be an object schema with a title (the record name)');
  const name = avroName(json.title, 'record name', '#');
  const named: Named = new Map([[name, JSON.stringify(json)]]);
  const { fields, doc: description } = record(json, name, '#', named);
  return {
    type: 'record',
    name,
    namespace,
    ...(description === undefined ? {} : { doc: description }),
    fields,
  };
}

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON value → Avro value: absent optional properties become null; undeclared properties are dropped. */
export function toAvroValue(schema: JsonSchema, value: unknown): unknown {
  const inner = nonNull(schema);
  if (inner) return value === null || value === undefined ? null : toAvroValue(inner, value);
  const { items, properties } = schema;
  if (items && Array.isArray(value)) return value.map((item) => toAvroValue(items, item));
  if (!properties || !isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(properties).map(([key, property]) => [
      key,
      value[key] === undefined ? null : toAvroValue(property, value[key]),
    ]),
  );
}

/**
 * Decoded Avro value → JSON value: null in an optional, non-nullable property becomes an absent property,
 * record instances become plain objects, and fields the schema does not declare (a newer writer's) go.
 */
export function fromAvroValue(schema: JsonSchema, value: unknown): unknown {
  const inner = nonNull(schema);
  if (inner) return value === null ? null : fromAvroValue(inner, value);
  const { items, properties } = schema;
  if (items && Array.isArray(value)) return value.map((item) => fromAvroValue(items, item));
  if (!properties || !isObject(value)) return value;
  const required = new Set(schema.required);
  const result: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(properties)) {
    const field = value[key];
    if (field === undefined || (field === null && !required.has(key))) continue;
    result[key] = fromAvroValue(property, field);
  }
  return result;
}

const changeEventJson = plainJsonSchema(ChangeEventSchema);

/** A change event as the Avro record of `changeEventAvroSchema` (absent optionals as null). */
export function toAvro(event: ChangeEvent): Record<string, unknown> {
  return toAvroValue(changeEventJson, event) as Record<string, unknown>;
}

/** A decoded change-event record as the JSON event; check it with validateChangeEvent before use. */
export function fromAvro(record: unknown): unknown {
  return fromAvroValue(changeEventJson, record);
}
