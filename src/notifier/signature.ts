import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: `Steward-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, the
 * scheme Stripe and others use. The timestamp is signed with the body, so a receiver can refuse replays
 * older than its tolerance; `v1` names the scheme so it can change without breaking receivers.
 */
export const SIGNATURE_HEADER = 'steward-signature';
export const TRANSITION_HEADER = 'steward-transition-id';

export function sign(secret: string, body: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/** Verifies a signature header (for receivers, and the tests): right secret, body, and not too old. */
export function verify(
  secret: string,
  body: string,
  header: string,
  options: { nowSeconds: number; toleranceSeconds: number },
): boolean {
  const parts = new Map(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const given = parts.get('v1');
  if (!Number.isSafeInteger(t) || given === undefined) return false;
  if (Math.abs(options.nowSeconds - t) > options.toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, body, t).split('v1=')[1] ?? '', 'hex');
  const actual = Buffer.from(given, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
