import fc from 'fast-check';

/**
 * fast-check arbitraries from the JSON Schemas of the OpenAPI document (the keywords the API's TypeBox
 * schemas use), for the fuzz pass: `valid` draws values the schema accepts, `hostile` mixes those with
 * values it must refuse cleanly: wrong types, out-of-range numbers, over-long and binary strings, and
 * text that means something to Elasticsearch, PostgreSQL, URLs or regex engines.
 */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly anyOf?: readonly JsonSchema[];
  readonly format?: string;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly minProperties?: number;
}

/** Strings that have a meaning somewhere behind the API. */
export const HOSTILE_STRINGS: readonly string[] = [
  '*',
  '?*',
  '*'.repeat(500),
  '"unclosed',
  'a OR b AND NOT c',
  '(((((((((( a',
  '/.*{1000}(a+)+$/',
  'name:* AND _exists_:urn',
  '\\',
  '%',
  '%ZZ',
  '%00',
  '\u0000',
  '\uFFFF\uD800',
  "'; DROP TABLE assets; --",
  '$1',
  '../../etc/passwd',
  '{"$ne": null}',
  '<script>alert(1)</script>',
  'x'.repeat(100_000),
  '😀'.repeat(3000),
  'urn:steward:dataset:postgres:prod:' + 'a.'.repeat(2000),
  '  ',
  '',
  '-1',
  '1e309',
  'NaN',
  'true',
  'null',
  '2026-02-30T25:61:61Z',
];

const typesOf = (schema: JsonSchema): readonly string[] =>
  schema.type === undefined ? [] : typeof schema.type === 'string' ? [schema.type] : schema.type;

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.format === 'uuid') return fc.uuid();
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 64, 64);
  if (schema.pattern !== undefined) {
    const pattern = new RegExp(schema.pattern);
    try {
      return fc
        .stringMatching(pattern)
        .filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity));
    } catch {
      // fast-check cannot generate from every regex (lookaheads): draw strings and keep the matching ones,
      // with a few known shapes so the filter has something to keep.
      return fc
        .oneof(fc.string({ maxLength }), fc.constantFrom('P90D', 'P1Y6M', 'PT12H', 'a-b-c', 'x'))
        .filter((s) => pattern.test(s) && s.length >= minLength);
    }
  }
  return fc.string({ minLength, maxLength: Math.max(minLength, maxLength), unit: 'grapheme' });
}

/** Values the schema accepts (up to the depth limit, where nested containers stay empty). */
export function valid(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => valid(s, depth)));
  const types = typesOf(schema);
  if (types.length > 1) return fc.oneof(...types.map((type) => valid({ ...schema, type }, depth)));
  switch (types[0]) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1e9,
        max: schema.maximum ?? 1e9,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const items = schema.items ?? {};
      const minLength = schema.minItems ?? 0;
      const maxLength = depth > 3 ? minLength : Math.min(schema.maxItems ?? 5, Math.max(minLength, 5));
      const element = valid(items, depth + 1);
      return schema.uniqueItems
        ? fc.uniqueArray(element, { minLength, maxLength, selector: (v) => JSON.stringify(v) })
        : fc.array(element, { minLength, maxLength });
    }
    case 'object': {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const model = Object.fromEntries(
        Object.entries(properties).map(([name, property]) => [name, valid(property, depth + 1)]),
      );
      return fc
        .record(model, { requiredKeys: Object.keys(properties).filter((name) => required.has(name)) })
        .filter((value) => Object.keys(value).length >= (schema.minProperties ?? 0));
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Anything at all, biased towards what breaks servers. */
export const anything: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Valid values half the time, hostile ones otherwise (nested too, so one bad field hides in a good body). */
export function hostile(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const types = typesOf(schema);
  const nested: fc.Arbitrary<unknown>[] = [];
  if (depth < 3 && types.includes('object') && schema.properties) {
    const properties = Object.entries(schema.properties);
    nested.push(
      fc.record(
        Object.fromEntries(properties.map(([name, property]) => [name, hostile(property, depth + 1)])),
        { requiredKeys: [] },
      ),
    );
  }
  if (depth < 3 && types.includes('array') && schema.items)
    nested.push(fc.array(hostile(schema.items, depth + 1), { maxLength: 5 }));
  return fc.oneof(
    { weight: 3, arbitrary: valid(schema, depth) },
    { weight: 2, arbitrary: anything },
    ...nested.map((arbitrary) => ({ weight: 2, arbitrary })),
  );
}
