/**
 * Who is calling the API, and what they may do. Pure: the API authenticates, this decides.
 * Roles are ordered: a steward may do what a viewer may, an admin what a steward may.
 */
export const ROLES = ['viewer', 'steward', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** `apikey:<id>`, `jwt:<sub>`, or `anonymous` when the API runs open. */
  readonly id: string;
  readonly role: Role;
  readonly via: 'apikey' | 'jwt' | 'open';
}

export const isRole = (value: unknown): value is Role => ROLES.some((role) => role === value);

export const allows = (held: Role, needed: Role): boolean => ROLES.indexOf(held) >= ROLES.indexOf(needed);

/** API keys are `stw_<id>_<secret>`: the id finds the row, the secret is compared by hash. */
const KEY = /^stw_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;

export function parseApiKey(token: string): { id: string; secret: string } | undefined {
  const match = KEY.exec(token);
  return match?.[1] && match[2] ? { id: match[1], secret: match[2] } : undefined;
}

export const formatApiKey = (id: string, secret: string): string => `stw_${id}_${secret}`;
