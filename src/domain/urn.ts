/**
 * Steward URNs: `urn:steward:dataset:<platform>:<instance>:<qualified.name>` for datasets and
 * `<dataset-urn>#<column>` for columns. The rules (case folding per platform, percent-encoding) are
 * documented in docs/urns.md; in short:
 *
 * - platform: lowercase `[a-z0-9][a-z0-9_-]*`; instance: lowercased.
 * - every name (the instance, each part of the qualified name, the column) is encoded alike: characters
 *   other than `A-Z a-z 0-9 - _ ~ ! $ & ' ( ) * + , ; = @` become UTF-8 percent-encoding with uppercase hex,
 *   so `.`, `:`, `#`, `%`, `/`, `?`, spaces, controls and non-ASCII never appear raw inside a name.
 * - case of the qualified name: postgres folds unquoted parts to lowercase, snowflake to uppercase (ASCII
 *   letters, as the databases do); mysql and mariadb lowercase every part and column, quoted or not; any
 *   other platform keeps the case it was given.
 *
 * A canonical URN is one that `canonicalizeUrn` returns unchanged. URNs are Kafka keys and primary keys, so
 * two spellings of one dataset must never both be in use: producers build URNs with `datasetUrn`.
 */

/** A malformed URN or a name no URN can hold. Events with such URNs fail validateChangeEvent. */
export class UrnError extends Error {
  override readonly name = 'UrnError';
}

/** The longest URN (dataset or column) that builders produce and the parser accepts, in characters. */
export const MAX_URN_LENGTH = 4096;

export interface DatasetUrnParts {
  readonly platform: string;
  readonly instance: string;
  /** The qualified name's parts, outermost first, e.g. `['shop', 'public', 'customers']`. */
  readonly path: readonly string[];
  /**
   * Per part: true when the identifier is exact (quoted in SQL, or read from the catalog), so its case is
   * kept; false or absent when it was written unquoted and the platform folds its case.
   */
  readonly quoted?: readonly boolean[];
}

export interface ParsedUrn {
  readonly platform: string;
  readonly instance: string;
  readonly path: readonly string[];
  readonly column?: string;
}

const PREFIX = 'urn:steward:dataset:';
const PLATFORM = /^[a-z0-9][a-z0-9_-]*$/;
const RAW = /^[A-Za-z0-9\-_~!$&'()*+,;=@]$/;
const RAW_OR_ESCAPE = /%[0-9A-Fa-f]{2}|[A-Za-z0-9\-_~!$&'()*+,;=@]/y;

type CaseRule = 'lower-unquoted' | 'upper-unquoted' | 'lower' | 'preserve';
const CASE_RULES = new Map<string, CaseRule>([
  ['postgres', 'lower-unquoted'],
  ['snowflake', 'upper-unquoted'],
  ['mysql', 'lower'],
  ['mariadb', 'lower'],
]);

function fold(platform: string, name: string, quoted: boolean): string {
  switch (CASE_RULES.get(platform) ?? 'preserve') {
    case 'lower-unquoted':
      return quoted ? name : name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
    case 'upper-unquoted':
      return quoted ? name : name.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
    case 'lower':
      return name.toLowerCase();
    case 'preserve':
      return name;
  }
}

const utf8 = new TextEncoder();

function encodeName(name: string, what: string): string {
  if (name === '') throw new UrnError(`${what} must not be empty`);
  if (!name.isWellFormed()) throw new UrnError(`${what} ${JSON.stringify(name)} has a lone surrogate`);
  let encoded = '';
  for (const char of name) {
    if (RAW.test(char)) encoded += char;
    else
      for (const byte of utf8.encode(char)) encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

function checkedPlatform(platform: string): string {
  const lower = platform.toLowerCase();
  if (!PLATFORM.test(lower))
    throw new UrnError(`platform ${JSON.stringify(platform)} must match ${PLATFORM.source} (lowercase)`);
  return lower;
}

function checkedLength(urn: string): string {
  if (urn.length > MAX_URN_LENGTH)
    throw new UrnError(`URN is ${urn.length} characters long, more than ${MAX_URN_LENGTH}`);
  return urn;
}

/** Builds the canonical dataset URN; throws UrnError on an invalid platform or an empty name. */
export function datasetUrn({ platform, instance, path, quoted = [] }: DatasetUrnParts): string {
  const canonicalPlatform = checkedPlatform(platform);
  if (path.length === 0) throw new UrnError('the qualified name needs at least one part');
  if (quoted.length > path.length)
    throw new UrnError(`quoted has ${quoted.length} flags for ${path.length} name parts`);
  const name = path
    .map((part, i) => encodeName(fold(canonicalPlatform, part, quoted[i] ?? false), `name part ${i + 1}`))
    .join('.');
  return checkedLength(
    `${PREFIX}${canonicalPlatform}:${encodeName(instance.toLowerCase(), 'the instance')}:${name}`,
  );
}

/** The canonical column URN; the column name is exact (only mysql and mariadb lowercase it). */
export function columnUrn(dataset: string, column: string): string {
  return columnUrnsOf(dataset)(column);
}

/**
 * columnUrn for many columns of one dataset: the dataset URN is parsed and rebuilt once, not per column
 * (validating an event checks every column name this way).
 */
export function columnUrnsOf(dataset: string): (column: string) => string {
  const parsed = parseUrn(dataset);
  if (parsed.column !== undefined) throw new UrnError(`${quote(dataset)} is a column URN, not a dataset URN`);
  const base = datasetUrn({ ...parsed, quoted: parsed.path.map(() => true) });
  return (column) =>
    checkedLength(`${base}#${encodeName(fold(parsed.platform, column, true), 'the column')}`);
}

const quote = (urn: string): string => JSON.stringify(urn.length > 120 ? `${urn.slice(0, 120)}…` : urn);

function decodeName(encoded: string, what: string, offset: number, urn: string): string {
  if (encoded === '') throw new UrnError(`invalid URN ${quote(urn)}: ${what} is empty`);
  RAW_OR_ESCAPE.lastIndex = 0;
  while (RAW_OR_ESCAPE.lastIndex < encoded.length) {
    const at = RAW_OR_ESCAPE.lastIndex;
    if (!RAW_OR_ESCAPE.test(encoded)) {
      const char = String.fromCodePoint(encoded.codePointAt(at) ?? 0);
      const where = `at index ${offset + at} in ${what}`;
      throw new UrnError(
        char === '%'
          ? `invalid URN ${quote(urn)}: '%' ${where} is not followed by two hex digits (a literal '%' is %25)`
          : `invalid URN ${quote(urn)}: character ${JSON.stringify(char)} ${where} must be percent-encoded`,
      );
    }
  }
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new UrnError(`invalid URN ${quote(urn)}: ${what} is not percent-encoded UTF-8`);
  }
}

/**
 * Splits a URN into its decoded parts. Accepts any well-formed spelling (any case of `urn:steward:`, the
 * platform and the instance; lowercase hex; needless escapes) and returns the canonical parts: platform and
 * instance lowercased, mysql/mariadb names lowercased. Throws UrnError naming what is wrong.
 */
export function parseUrn(urn: string): ParsedUrn {
  if (urn.length > MAX_URN_LENGTH)
    throw new UrnError(`invalid URN ${quote(urn)}: longer than ${MAX_URN_LENGTH} characters`);
  const hash = urn.indexOf('#');
  const dataset = hash === -1 ? urn : urn.slice(0, hash);
  const fields = dataset.split(':');
  const [scheme = '', nid = '', type = '', platform = '', instance = '', name = ''] = fields;
  if (scheme.toLowerCase() !== 'urn' || nid.toLowerCase() !== 'steward')
    throw new UrnError(`invalid URN ${quote(urn)}: a Steward URN starts with "urn:steward:"`);
  if (type !== '' && type !== 'dataset')
    throw new UrnError(
      `invalid URN ${quote(urn)}: unsupported entity type ${JSON.stringify(type)} (expected dataset)`,
    );
  if (fields.length < 6)
    throw new UrnError(
      `invalid URN ${quote(urn)}: expected urn:steward:dataset:<platform>:<instance>:<name>`,
    );
  if (fields.length > 6)
    throw new UrnError(`invalid URN ${quote(urn)}: ':' inside a name must be percent-encoded as %3A`);
  if (!PLATFORM.test(platform.toLowerCase()))
    throw new UrnError(`invalid URN ${quote(urn)}: the platform must match ${PLATFORM.source}`);
  const canonicalPlatform = platform.toLowerCase();
  let offset = PREFIX.length + platform.length + 1;
  const decodedInstance = decodeName(instance, 'the instance', offset, urn).toLowerCase();
  offset += instance.length + 1;
  const path = name.split('.').map((part, i) => {
    const decoded = decodeName(part, `name part ${i + 1}`, offset, urn);
    offset += part.length + 1;
    return fold(canonicalPlatform, decoded, true);
  });
  const parsed = { platform: canonicalPlatform, instance: decodedInstance, path };
  if (hash === -1) return parsed;
  const column = fold(canonicalPlatform, decodeName(urn.slice(hash + 1), 'the column', hash + 1, urn), true);
  return { ...parsed, column };
}

/** The canonical spelling of a URN (dataset or column); throws UrnError when it is malformed. */
export function canonicalizeUrn(urn: string): string {
  const parsed = parseUrn(urn);
  const dataset = datasetUrn({ ...parsed, quoted: parsed.path.map(() => true) });
  return parsed.column === undefined ? dataset : columnUrn(dataset, parsed.column);
}

export function isCanonicalUrn(urn: string): boolean {
  try {
    return canonicalizeUrn(urn) === urn;
  } catch {
    return false;
  }
}
