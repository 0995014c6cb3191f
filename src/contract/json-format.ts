/**
 * JSON text laid out exactly as prettier lays out JSON, so `prettier --check` passes on generated files
 * without running prettier at generation time. Prettier's rules, as far as generated files need them:
 * - a non-empty object is broken one property per line (prettier keeps an object broken when its source
 *   has a newline after `{`, and we always write one);
 * - an array is broken one element per line when it holds a non-empty object, or when it holds two or more
 *   arrays that each hold two or more elements; otherwise it stays on one line if that fits the print width;
 * - two-space indent, a trailing newline.
 * Widths count UTF-16 units, which equals prettier's count for the ASCII we generate. A number array too
 * long for one line (prettier fills those) is refused rather than laid out differently.
 */
export const PRINT_WIDTH = 110;

type Json = Readonly<Record<string, unknown>>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// JSON.stringify(undefined) is undefined at run time, whatever its type says; JSON writes null there.
const scalar = (value: unknown): string => (value === undefined ? 'null' : JSON.stringify(value));

/** The one-line form, or undefined when the value must break (a non-empty object inside). */
function flat(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    const items = (value as unknown[]).map(flat);
    return items.every((item) => item !== undefined) ? `[${items.join(', ')}]` : undefined;
  }
  if (isObject(value)) return Object.keys(value).length === 0 ? '{}' : undefined;
  return scalar(value);
}

function mustBreak(items: readonly unknown[]): boolean {
  return items.length > 1 && items.every((item) => Array.isArray(item) && (item as unknown[]).length > 1);
}

function print(value: unknown, indent: string, used: number, trailing: number): string {
  const inner = `${indent}  `;
  const line = (item: unknown, i: number, all: readonly unknown[], prefix = ''): string => {
    const comma = i < all.length - 1 ? 1 : 0;
    const start = `${inner}${prefix}`;
    return `${start}${print(item, inner, start.length, comma)}${comma ? ',' : ''}`;
  };
  if (Array.isArray(value)) {
    const items = value as unknown[];
    const oneLine = mustBreak(items) ? undefined : flat(items);
    if (oneLine !== undefined && used + oneLine.length + trailing <= PRINT_WIDTH) return oneLine;
    if (items.length > 1 && items.every((item) => typeof item === 'number'))
      throw new Error('formatJson: prettier fills long number arrays; that layout is not implemented');
    return `[\n${items.map((item, i) => line(item, i, items)).join('\n')}\n${indent}]`;
  }
  if (isObject(value)) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return '{}';
    const lines = entries.map(([key, item], i) => line(item, i, entries, `${JSON.stringify(key)}: `));
    return `{\n${lines.join('\n')}\n${indent}}`;
  }
  return scalar(value);
}

/** `value` as prettier-formatted JSON text with a trailing newline. */
export function formatJson(value: unknown): string {
  return `${print(value, '', 0, 0)}\n`;
}
