import { ApiError } from './errors.ts';

/**
 * Search cursors: the last hit's sort values with the sort they belong to, as opaque base64url JSON.
 * search_after pages as deep as the result set goes (no from/size window), and a cursor used with another
 * sort is refused rather than silently returning a wrong page.
 */
const MAX_CURSOR_LENGTH = 4096;

export function encodeCursor(sort: string, values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify({ s: sort, v: values })).toString('base64url');
}

export function decodeCursor(cursor: string, sort: string): unknown[] {
  const refuse = (why: string): never => {
    throw new ApiError(400, 'STW_BAD_CURSOR', `cursor: ${why}`, 'querystring.cursor');
  };
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) refuse('not a cursor');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return refuse('not a cursor');
  }
  if (typeof parsed !== 'object' || parsed === null || !('s' in parsed) || !('v' in parsed))
    return refuse('not a cursor');
  if (parsed.s !== sort) return refuse(`issued for sort "${String(parsed.s)}", not "${sort}"`);
  if (!Array.isArray(parsed.v)) return refuse('not a cursor');
  return parsed.v as unknown[];
}
