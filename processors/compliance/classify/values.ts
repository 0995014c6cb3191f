/**
 * Value detectors: does one sampled value look like a member of the class? Real validators where they
 * exist (validator.js for Luhn card numbers, IBAN mod-97, BIC, email, IP, MAC, URL, lat/long and national
 * identity cards; libphonenumber-js for numbering plans), hand-written rules only where no maintained
 * package covers them (US SSN invalid ranges, the VIN check digit, ICD-10 code structure, credential
 * formats). Pure.
 *
 * Strength says what a detector can do on its own:
 * - `validator`: a checksum or a strict standard format; enough to classify a column without a name;
 * - `pattern`: a distinctive format; classifies without a name when nearly every value matches;
 * - `shape`: only plausibility (three digits, a word with a capital); it never classifies alone, but a
 *   column whose values do not even have the shape contradicts its name.
 */
import validator from 'validator';
import { isValidPhoneNumber, type CountryCode } from 'libphonenumber-js/max';
import type { ClassId } from './classes.ts';

export type Strength = 'validator' | 'pattern' | 'shape';

export interface Detector {
  readonly strength: Strength;
  readonly test: (value: string, context: { readonly asOf: Date }) => boolean;
  /**
   * Values that count as members too once the header names the class or at least half of the column
   * passes `test`: an SSN column also holds unformatted numbers, a secrets column plain random passwords.
   */
  readonly support?: (value: string) => boolean;
}

const digitsOf = (value: string): string => value.replace(/\D/g, '');

/** SSA rules: area 000, 666 and 900–999, group 00 and serial 0000 are never issued. */
export function isUsSsn(value: string): boolean {
  const match = /^(\d{3})-?(\d{2})-?(\d{4})$/.exec(value.trim());
  if (!match) return false;
  const [, area = '', group = '', serial = ''] = match;
  if (area === '000' || area === '666' || area >= '900') return false;
  if (group === '00' || serial === '0000') return false;
  return !/^(\d)\1{8}$/.test(area + group + serial); // 111-11-1111 and the like are test values
}

const vinValues: Readonly<Record<string, number>> = Object.fromEntries([
  ...Array.from('ABCDEFGH', (c, i): [string, number] => [c, i + 1]),
  ...Array.from('JKLMN', (c, i): [string, number] => [c, i + 1]),
  ['P', 7],
  ['R', 9],
  ...Array.from('STUVWXYZ', (c, i): [string, number] => [c, i + 2]),
  ...Array.from('0123456789', (c, i): [string, number] => [c, i]),
] satisfies [string, number][]);
const vinWeights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/** 17 characters without I, O, Q and a correct check digit in position 9 (49 CFR 565.15). */
export function isVin(value: string): boolean {
  const vin = value.trim().toUpperCase();
  if (!/^[A-HJ-NPR-Z0-9]{17}$/.test(vin)) return false;
  const sum = Array.from(vin).reduce((acc, c, i) => acc + (vinValues[c] ?? 0) * (vinWeights[i] ?? 0), 0);
  const check = sum % 11;
  return vin[8] === (check === 10 ? 'X' : String(check));
}

/** ICD-10(-CM) structure: a letter (not U), two characters, optionally a dot and up to four more. */
const icd10 = /^[A-TV-Z]\d[0-9AB](\.?[0-9A-TV-Z]{1,4})?$/;

/** Formats of secrets that identify themselves, and password hashes. */
const secretFormats = [
  /^\$2[aby]?\$\d{2}\$[./A-Za-z0-9]{53}$/, // bcrypt
  /^\$argon2(id|i|d)\$/, // argon2
  /^\$(5|6)\$[^$]{1,16}\$[./A-Za-z0-9]{43,86}$/, // sha-crypt
  /^eyJ[\w-]{8,}\.eyJ[\w-]*\.[\w-]+$/, // JWT
  /^(AKIA|ASIA)[0-9A-Z]{16}$/, // AWS access key id
  /^gh[pousr]_[A-Za-z0-9]{36,}$/, // GitHub tokens
  /^(sk|rk|pk)_(live|test)_[A-Za-z0-9]{16,}$/, // Stripe keys
  /^xox[abpors]-[A-Za-z0-9-]{10,}$/, // Slack tokens
  /^AIza[0-9A-Za-z_-]{35}$/, // Google API key
  /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/, // PEM private keys
];

/** A random-looking secret: long enough, mixed case and digits, not a hex digest or a UUID. */
function looksRandom(value: string): boolean {
  if (value.length < 8 || value.length > 200 || /\s/.test(value)) return false;
  return /[a-z]/.test(value) && /[A-Z]/.test(value) && /\d/.test(value);
}

const genderWords = new Set([
  'm',
  'f',
  'w',
  'd',
  'x',
  'u',
  'male',
  'female',
  'man',
  'woman',
  'men',
  'women',
  'other',
  'unknown',
  'diverse',
  'divers',
  'nonbinary',
  'non-binary',
  'non binary',
  'prefer not to say',
  'männlich',
  'weiblich',
  'homme',
  'femme',
  'masculin',
  'féminin',
  'masculino',
  'femenino',
  'feminino',
  'hombre',
  'mujer',
  'maschio',
  'femmina',
  'man/male',
  'vrouw',
  'h',
  'not specified',
  'unspecified',
  'intersex',
]);

/** Day, month and year of the formats sampled dates come in (ISO, US, European). */
function parseDate(value: string): Date | undefined {
  const v = value.trim();
  let y: number | undefined;
  let m: number | undefined;
  let d: number | undefined;
  let match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(v);
  if (match) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(v)))
    [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v))) {
    const [a, b] = [Number(match[1]), Number(match[2])];
    // US month/day unless the first cannot be a month.
    [m, d, y] = a > 12 ? [b, a, Number(match[3])] : [a, b, Number(match[3])];
  }
  if (y === undefined || m === undefined || d === undefined) return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? date : undefined;
}

const yearMs = 365.25 * 24 * 3_600_000;

const phoneRegions: readonly CountryCode[] = [
  'US',
  'GB',
  'DE',
  'FR',
  'ES',
  'IT',
  'NL',
  'BR',
  'CA',
  'AU',
  'IN',
  'CH',
  'AT',
  'BE',
  'SE',
  'PL',
];

/** Layouts that are something else: an SSN, a date. */
const notPhone = [/^\d{3}-\d{2}-\d{4}$/, /^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$/];

/**
 * A valid number in its numbering plan: international with `+`, or national in one of the common
 * regions. `formatted`: a bare run of digits (a barcode, a duration) is not taken for a phone number
 * unless the header says phone.
 */
function isPhone(value: string, formatted: boolean): boolean {
  const v = value.trim();
  if (!/^[+(]?[\d\s().\-/]+(\s*(x|ext\.?)\s*\d{1,6})?$/i.test(v)) return false;
  const digits = digitsOf(v.replace(/(x|ext\.?)\s*\d+$/i, ''));
  if (digits.length < 7 || digits.length > 15) return false;
  if (notPhone.some((layout) => layout.test(v))) return false;
  if (v.startsWith('+') || v.startsWith('00')) return isValidPhoneNumber(v.replace(/^00/, '+'));
  if (formatted && /^\d+$/.test(v)) return false;
  return phoneRegions.some((region) => isValidPhoneNumber(v, region));
}

/**
 * An IPv4 address whose first octet is a single digit and whose next two are below 32 reads like a
 * four-part version number (`1.12.2.74`); such values do not count as addresses without an IP header
 * (random addresses look like that about once in 600).
 */
const versionLike = (value: string): boolean => {
  const octets = value.split('.').map(Number);
  return octets.length === 4 && (octets[0] ?? 0) <= 9 && (octets[1] ?? 0) <= 31 && (octets[2] ?? 0) <= 31;
};

/** MAC-48 with separators, EUI-64 with separators, or 12 bare hex digits holding at least one letter. */
const isMac = (value: string): boolean =>
  validator.isMACAddress(value) || (/^[0-9a-f]{12}$/i.test(value) && /[a-f]/i.test(value));

const latLong = (value: string): boolean => validator.isLatLong(value.replace(/\s+/g, ''));
const coordinate = (value: string): boolean => {
  if (!/^-?\d{1,3}\.\d{3,}$/.test(value.trim())) return false;
  const n = Number(value);
  return n >= -180 && n <= 180;
};

export const detectors: Readonly<Record<ClassId, Detector>> = {
  email: { strength: 'validator', test: (v) => validator.isEmail(v.trim()) },
  phone: { strength: 'pattern', test: (v) => isPhone(v, true) },
  person_name: {
    strength: 'shape',
    test: (v) =>
      /^\p{Lu}[\p{L}'’.-]*(\s+(\p{Lu}|d[aei]|van|von|de|del|la|le)[\p{L}'’.-]*){0,3}$/u.test(v.trim()),
  },
  gender: { strength: 'shape', test: (v) => genderWords.has(v.trim().toLowerCase()) },
  age: {
    strength: 'shape',
    test: (v) => /^\d{1,3}$/.test(v.trim()) && Number(v) <= 125,
  },
  date_of_birth: {
    strength: 'shape',
    test: (v, { asOf }) => {
      const date = parseDate(v);
      if (!date) return false;
      const age = (asOf.getTime() - date.getTime()) / yearMs;
      return age >= 1 && age <= 125;
    },
  },
  street_address: {
    strength: 'shape',
    test: (v) => /\p{L}{2,}/u.test(v) && /\d/.test(v) && v.trim().length >= 5 && v.trim().length <= 120,
  },
  postal_code: {
    strength: 'shape',
    test: (v) => validator.isPostalCode(v.trim(), 'any'),
  },
  ip_address: { strength: 'validator', test: (v) => validator.isIP(v.trim()) && !versionLike(v.trim()) },
  mac_address: { strength: 'validator', test: (v) => isMac(v.trim()) },
  payment_card: {
    strength: 'validator',
    test: (v) => /^[\d\s-]{13,23}$/.test(v.trim()) && validator.isCreditCard(digitsOf(v)),
  },
  card_security_code: { strength: 'shape', test: (v) => /^\d{3,4}$/.test(v.trim()) },
  iban: { strength: 'validator', test: (v) => validator.isIBAN(v.replace(/\s+/g, '').toUpperCase()) },
  swift_bic: {
    strength: 'validator',
    test: (v) => /^[A-Z0-9]{8}([A-Z0-9]{3})?$/.test(v.trim()) && validator.isBIC(v.trim()),
  },
  bank_account: {
    strength: 'shape',
    test: (v) => /^\d[\d\s-]{4,20}\d$/.test(v.trim()) && digitsOf(v).length >= 6,
  },
  us_ssn: {
    strength: 'pattern',
    test: (v) => isUsSsn(v) && /^\d{3}-\d{2}-\d{4}$/.test(v.trim()),
    support: isUsSsn,
  },
  us_driver_license: {
    strength: 'shape',
    test: (v) => /^[A-Z0-9][A-Z0-9\s-]{3,18}[A-Z0-9]$/i.test(v.trim()) && digitsOf(v).length >= 4,
  },
  passport_number: { strength: 'shape', test: (v) => /^[A-Z0-9]{6,10}$/i.test(v.trim()) && /\d/.test(v) },
  national_id: {
    strength: 'shape',
    test: (v) =>
      validator.isIdentityCard(v.trim(), 'any') || /^[A-Z0-9][A-Z0-9\s.\-/]{6,18}[A-Z0-9]$/i.test(v.trim()),
  },
  tax_id: {
    strength: 'shape',
    test: (v) => /^[A-Z]{0,2}[\dA-Z][\dA-Z\s.\-/]{6,18}[\dA-Z]$/i.test(v.trim()) && digitsOf(v).length >= 7,
  },
  vin: { strength: 'validator', test: isVin },
  geo_coordinates: { strength: 'shape', test: (v) => latLong(v) || coordinate(v) },
  credentials: {
    strength: 'pattern',
    test: (v) => secretFormats.some((format) => format.test(v.trim())),
    support: (v) => looksRandom(v.trim()),
  },
  health_code: { strength: 'pattern', test: (v) => icd10.test(v.trim()) },
  url: {
    strength: 'validator',
    test: (v) =>
      /^(https?|ftp):\/\//i.test(v.trim()) && validator.isURL(v.trim(), { require_protocol: true }),
  },
};

/**
 * Looser tests used only with a name signal, where a class's detector is stricter than real data: a
 * phone column named as such may hold bare digits, an `ip` column version-like addresses.
 */
export const withName: Partial<Readonly<Record<ClassId, Detector['test']>>> = {
  phone: (v) => isPhone(v, false) || (/^[+(]?[\d\s().\-/]{7,20}$/.test(v.trim()) && digitsOf(v).length >= 7),
  ip_address: (v) => validator.isIP(v.trim()),
};
