import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Request validation with two Ajv instances: the query string, path and headers are text, so they are
 * coerced to the schema's types (`?severity=high` to `['high']`, `?limit=5` to 5); a JSON body is taken
 * as sent, so `{"owners": "jo"}` is refused rather than read as `["jo"]`. Neither removes unknown
 * properties (schemas refuse them by name) and validation stops at the first error (allErrors is a DoS
 * vector on hostile bodies).
 */
const shared: Options = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false };

function ajv(options: Options): Ajv {
  const instance = new Ajv({ ...shared, ...options });
  addFormats.default(instance);
  return instance;
}

const text = ajv({ coerceTypes: 'array' });
const json = ajv({ coerceTypes: false });

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const validate: ValidateFunction = (httpPart === 'body' ? json : text).compile(schema);
  return validate;
};

/** The first place in `value` holding a string with a NUL character, as `part.a[2].b`; undefined if none. */
export function nulAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nulAt(item, `${path}[${String(i)}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) {
      const found = nulAt(key, path) ?? nulAt(item, `${path}.${key}`);
      if (found) return found;
    }
  return undefined;
}
