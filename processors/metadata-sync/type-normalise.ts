/**
 * SQL column types, normalised so that two spellings of one type compare equal, and compared so that a
 * change can be called a widening (every old value still fits) or not. schema-diff.ts uses both.
 *
 * Normalisation; the canonical form is `base(params)[]`, e.g. `timestamp with time zone(3)`:
 * - case and whitespace are ignored outside parameters: `VARCHAR ( 50 )` is `character varying(50)`;
 * - aliases name one type: `int`/`int4`/`serial` → `integer`, `int2` → `smallint`, `int8`/`int64` →
 *   `bigint`, `bool` → `boolean`, `float4` → `real`, `float8`/`double`/`float64` → `double precision`,
 *   `decimal`/`number` → `numeric`, `varchar` → `character varying`, `char`/`bpchar` → `character`,
 *   `string` → `text`, `timestamptz` → `timestamp with time zone`, `timestamp without time zone` →
 *   `timestamp`, `timetz` → `time with time zone`, `varbit` → `bit varying`. Where platforms disagree,
 *   PostgreSQL wins: `float` without a precision is `double precision`, `float(p)` is `real` up to p = 24;
 * - parameters that change nothing are dropped: integer display widths (MySQL `int(11)`), the default
 *   precision of `timestamp`/`time` (6) and MySQL `datetime` (0); `numeric(p)` is `numeric(p,0)` and a
 *   bare `character` is `character(1)`;
 * - arrays: `integer[]`, `integer array` and PostgreSQL's internal `_int4` are all `integer[]`;
 * - anything else (enums, `int unsigned`, `struct<…>`, geometry) keeps its lowercased words and its
 *   parameter text verbatim, so it equals only its own spelling.
 *
 * Comparison (`compareTypes`), within one family only:
 * - integers `tinyint` < `smallint` < `mediumint` < `integer` < `bigint`; an integer also widens to a
 *   `numeric` with room for all its digits (`integer` → `numeric(12,2)`, not → `numeric(5)`);
 * - `numeric(p,s)` widens when neither its integer digits (p − s) nor its scale shrink; bare `numeric`
 *   (unbounded) is the widest;
 * - `real` < `double precision`;
 * - lengths: `character varying(n)` ≤ `text` (no length: unbounded), `varbinary(n)` ≤ `bytea`,
 *   `bit varying(n)`, `character(n)` each among themselves (padding makes `character` a family of its own);
 * - fractional-second precision of one temporal type (`timestamp(3)` → `timestamp(6)`).
 * Any other change (`integer` → `text`, `timestamp` → `timestamp with time zone`, `date` → `timestamp`,
 * an unknown type) is `incompatible`: conservatively, readers may fail to compare or cast the values.
 */

export interface SqlType {
  /** Canonical base name, e.g. `character varying`, `timestamp with time zone`. */
  readonly base: string;
  /** Numeric parameters (length, precision, scale) as digits, or one verbatim parameter text. */
  readonly params: readonly string[];
  readonly arrayDepth: number;
  /** The canonical spelling: two spellings of one type have the same canonical form. */
  readonly canonical: string;
}

export type TypeChange = 'same' | 'widening' | 'narrowing' | 'incompatible';

const ALIASES = new Map(
  Object.entries({
    int: 'integer',
    int4: 'integer',
    serial: 'integer',
    serial4: 'integer',
    int2: 'smallint',
    smallserial: 'smallint',
    serial2: 'smallint',
    int8: 'bigint',
    int64: 'bigint',
    bigserial: 'bigint',
    serial8: 'bigint',
    int1: 'tinyint',
    int3: 'mediumint',
    bool: 'boolean',
    float4: 'real',
    float8: 'double precision',
    float64: 'double precision',
    double: 'double precision',
    decimal: 'numeric',
    dec: 'numeric',
    number: 'numeric',
    varchar: 'character varying',
    'char varying': 'character varying',
    char: 'character',
    bpchar: 'character',
    string: 'text',
    timestamptz: 'timestamp with time zone',
    'timestamp without time zone': 'timestamp',
    timetz: 'time with time zone',
    'time without time zone': 'time',
    varbit: 'bit varying',
  }),
);

const INTEGERS = ['tinyint', 'smallint', 'mediumint', 'integer', 'bigint'];
/** Decimal digits the largest value of each integer type needs (for integer → numeric). */
const INTEGER_DIGITS = [3, 5, 7, 10, 19];
const FLOATS = ['real', 'double precision'];
/** Types whose first parameter is a maximum length (none: unbounded); each group widens among itself. */
const LENGTH_GROUPS = [['character varying', 'text'], ['varbinary', 'bytea'], ['bit varying'], ['character']];
const DEFAULT_PRECISION = new Map(
  Object.entries({
    timestamp: 6,
    'timestamp with time zone': 6,
    time: 6,
    'time with time zone': 6,
    datetime: 0,
  }),
);

const ARRAY_SUFFIX = /(?:\[\d*\]|\sarray)$/i;
const ONE_PARAMETER_LIST = /^([^()]*)\(([^()]*)\)([^()]*)$/;
const NUMBERS = /^\d+(?:\s*,\s*\d+)*$/;

function parseParams(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  return NUMBERS.test(trimmed) ? trimmed.split(',').map((p) => String(Number(p))) : [trimmed];
}

const number = (param: string | undefined): number | undefined =>
  param !== undefined && /^\d+$/.test(param) ? Number(param) : undefined;

export function normaliseType(raw: string): SqlType {
  let text = raw.trim().replace(/\s+/g, ' ');
  let arrayDepth = 0;
  for (let suffix = ARRAY_SUFFIX.exec(text); suffix; suffix = ARRAY_SUFFIX.exec(text)) {
    arrayDepth += 1;
    text = text.slice(0, suffix.index).trimEnd();
  }
  if (arrayDepth === 0 && /^_[a-z]/i.test(text)) [arrayDepth, text] = [1, text.slice(1)];
  const list = text.includes('<') ? null : ONE_PARAMETER_LIST.exec(text);
  const words = (list ? `${list[1] ?? ''} ${list[3] ?? ''}` : text).trim().replace(/\s+/g, ' ').toLowerCase();
  let base = ALIASES.get(words) ?? words;
  let params = list ? parseParams(list[2] ?? '') : [];
  if (base === 'float') [base, params] = [(number(params[0]) ?? 53) <= 24 ? 'real' : 'double precision', []];
  if (INTEGERS.includes(base)) params = [];
  if (base === 'numeric' && params.length === 1 && number(params[0]) !== undefined) params = [...params, '0'];
  if (base === 'character' && params.length === 0) params = ['1'];
  const precision = DEFAULT_PRECISION.get(base);
  if (precision !== undefined && params.length === 1 && number(params[0]) === precision) params = [];
  const canonical = `${base}${params.length > 0 ? `(${params.join(',')})` : ''}${'[]'.repeat(arrayDepth)}`;
  return { base, params, arrayDepth, canonical };
}

const verdict = (wider: boolean): TypeChange => (wider ? 'widening' : 'narrowing');

/** Integer digits (p − s) and scale of a numeric; unbounded when it has no parameters. */
function decimal(type: SqlType): { integer: number; scale: number } | undefined {
  if (type.params.length === 0) return { integer: Infinity, scale: Infinity };
  const [precision, scale] = type.params.map(number);
  return precision === undefined || scale === undefined ? undefined : { integer: precision - scale, scale };
}

/** The maximum length; Infinity when unbounded, undefined when the parameter is not a number. */
const length = (type: SqlType): number | undefined =>
  type.params.length === 0 ? Infinity : number(type.params[0]);

function compareScalars(before: SqlType, after: SqlType): TypeChange {
  const [fromInteger, toInteger] = [INTEGERS.indexOf(before.base), INTEGERS.indexOf(after.base)];
  if (fromInteger >= 0 && toInteger >= 0) return verdict(toInteger > fromInteger);
  const [from, to] = [decimal(before), decimal(after)];
  if (fromInteger >= 0 && after.base === 'numeric' && to)
    return verdict(to.integer >= (INTEGER_DIGITS[fromInteger] ?? Infinity));
  if (before.base === 'numeric' && after.base === 'numeric' && from && to)
    return verdict(to.integer >= from.integer && to.scale >= from.scale);
  const [fromFloat, toFloat] = [FLOATS.indexOf(before.base), FLOATS.indexOf(after.base)];
  if (fromFloat >= 0 && toFloat >= 0) return verdict(toFloat > fromFloat);
  const group = LENGTH_GROUPS.find((bases) => bases.includes(before.base) && bases.includes(after.base));
  const [fromLength, toLength] = [length(before), length(after)];
  if (group && fromLength !== undefined && toLength !== undefined) return verdict(toLength >= fromLength);
  const precision = DEFAULT_PRECISION.get(before.base);
  if (precision !== undefined && before.base === after.base) {
    const [fromPrecision, toPrecision] = [before, after].map((t) => number(t.params[0] ?? String(precision)));
    if (fromPrecision !== undefined && toPrecision !== undefined)
      return verdict(toPrecision >= fromPrecision);
  }
  return 'incompatible';
}

/** How `after` relates to `before`: the same type, a widening or narrowing in one family, or neither. */
export function compareTypes(before: SqlType, after: SqlType): TypeChange {
  if (before.canonical === after.canonical) return 'same';
  return before.arrayDepth === after.arrayDepth ? compareScalars(before, after) : 'incompatible';
}
