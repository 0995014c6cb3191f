import type { TLocalizedValidationError } from 'typebox/error';

/** One problem with one field: `path` is a JSON pointer into the value (`/` for the value itself). */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** Messages that replace TypeBox's for a format name or a pattern's source. */
export interface Messages {
  readonly formats?: Readonly<Record<string, string>>;
  readonly patterns?: Readonly<Record<string, string>>;
}

type SchemaError = TLocalizedValidationError;
type Node = Readonly<Record<string, unknown>>;

const escape = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');
const child = (path: string, key: string): string => `${path}/${escape(key)}`;
const at = (path: string): string => path || '/';
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null;

/** The sub-schema at a TypeBox schemaPath such as `#/properties/asset/properties/description`. */
function resolve(schema: unknown, schemaPath: string): unknown {
  let node = schema;
  for (const segment of schemaPath.split('/').slice(1)) {
    const key = segment.replaceAll('~1', '/').replaceAll('~0', '~');
    node = isNode(node) ? node[key] : undefined;
  }
  return node;
}

function describeBranch(branch: unknown): string {
  if (!isNode(branch)) return 'valid';
  if ('const' in branch) return JSON.stringify(branch.const);
  return typeof branch.type === 'string' ? branch.type : 'valid';
}

function describe(error: SchemaError, messages: Messages): FieldError[] {
  const path = at(error.instancePath);
  switch (error.keyword) {
    case 'required':
      return error.params.requiredProperties.map((key) => ({
        path: child(error.instancePath, key),
        message: 'required property',
      }));
    case 'additionalProperties':
      return error.params.additionalProperties.map((key) => ({
        path: child(error.instancePath, key),
        message: 'unknown property',
      }));
    case 'boolean': // `additionalProperties: false` reports each extra key here too; handled above
      return error.schemaPath.endsWith('/additionalProperties') ? [] : [{ path, message: error.message }];
    case 'enum':
      return [
        {
          path,
          message: `must be one of ${error.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`,
        },
      ];
    case 'minLength':
      return [{ path, message: error.params.limit === 1 ? 'must not be empty' : error.message }];
    case 'format':
      return [{ path, message: messages.formats?.[error.params.format] ?? error.message }];
    case 'pattern':
      return [{ path, message: messages.patterns?.[String(error.params.pattern)] ?? error.message }];
    default:
      return [{ path, message: error.message }];
  }
}

/**
 * An `anyOf` reports every branch's failures. When exactly one branch had the value's type (a too-long
 * string against `string | null`), its failures are the useful ones; otherwise say which types would do.
 */
function describeAnyOf(
  error: SchemaError,
  all: readonly SchemaError[],
  schema: unknown,
  messages: Messages,
): FieldError[] {
  const branches = resolve(schema, `${error.schemaPath}/anyOf`);
  const count = Array.isArray(branches) ? branches.length : 0;
  const typed: SchemaError[][] = [];
  for (let i = 0; i < count; i++) {
    const prefix = `${error.schemaPath}/anyOf/${i}`;
    const own = all.filter((e) => e.schemaPath === prefix || e.schemaPath.startsWith(`${prefix}/`));
    const wrongType = own.some(
      (e) =>
        e.schemaPath === prefix &&
        e.instancePath === error.instancePath &&
        ['type', 'const', 'enum'].includes(e.keyword),
    );
    if (!wrongType) typed.push(own);
  }
  const [only] = typed;
  if (typed.length === 1 && only?.length) return only.flatMap((e) => describe(e, messages));
  const kinds = Array.isArray(branches) ? branches.map(describeBranch) : [];
  return [{ path: at(error.instancePath), message: `must be ${kinds.join(' or ')}` }];
}

/**
 * Turns TypeBox's errors into one message per problem, each naming its field: required and unknown
 * properties get the property's own path, and the per-branch noise of `anyOf` collapses into one message.
 */
export function fieldErrors(
  schema: unknown,
  errors: readonly SchemaError[],
  messages: Messages = {},
): FieldError[] {
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf').map((e) => `${e.schemaPath}/anyOf/`);
  const seen = new Set<string>();
  const result: FieldError[] = [];
  for (const error of errors) {
    if (anyOfs.some((prefix) => error.schemaPath.startsWith(prefix))) continue;
    const described =
      error.keyword === 'anyOf' ? describeAnyOf(error, errors, schema, messages) : describe(error, messages);
    for (const fieldError of described) {
      const key = `${fieldError.path}\u0000${fieldError.message}`;
      if (!seen.has(key)) result.push(fieldError);
      seen.add(key);
    }
  }
  return result;
}
