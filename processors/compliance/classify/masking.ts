/**
 * Masked values and masked exemplars. A classification's evidence may carry one exemplar of what
 * matched, always masked: only separators, the shape and (for long values) the last four characters
 * survive, the way PCI DSS allows a PAN to be displayed. Pure.
 */

const maskChars = /[*xX#•]/g;

/**
 * A value already masked at the source: at least four mask characters (`*`, `X`, `#`, `•`) standing in
 * for digits or letters, e.g. `****-****-****-1234`, `XXXXXXXXXXXX1234`, `***-**-6789`.
 */
export function isMasked(value: string): boolean {
  const masks = value.match(maskChars)?.length ?? 0;
  if (masks < 4) return false;
  // Only mask characters, digits and separators: `XXL-Shirt` is not masked.
  return /^[*xX#•\d\s.\-/]+$/.test(value) && /[*#•]|[xX]{4}/.test(value);
}

/** `****-****-****-1234` for a card, `*****@*******.com` for an email, `***` for anything short. */
export function maskExemplar(value: string): string {
  const at = value.lastIndexOf('@');
  if (at > 0) {
    const domain = value.slice(at + 1);
    const dot = domain.lastIndexOf('.');
    const tld = dot >= 0 ? domain.slice(dot) : '';
    return `${'*'.repeat(Math.min(at, 8))}@${'*'.repeat(Math.min(Math.max(dot, 1), 8))}${tld}`;
  }
  const alnum = value.replace(/[^\p{L}\p{N}]/gu, '').length;
  let keep = alnum >= 12 ? 4 : 0;
  const out: string[] = [];
  for (const char of Array.from(value).reverse()) {
    if (/[\p{L}\p{N}]/u.test(char)) {
      out.push(keep > 0 ? char : '*');
      keep -= 1;
    } else out.push(char);
  }
  return out.reverse().join('').slice(0, 64);
}
