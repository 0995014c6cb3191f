/**
 * The column classes Steward detects (ids are part of the contract: policies, the index and the API use
 * them) and the version of the rules that assign them. Bump the version whenever a rule changes: assets
 * are re-classified on their next profile when it differs from the one their classes were made with.
 */
export const RULESET_VERSION = '2026.12.0';

export const CLASS_IDS = [
  'email',
  'phone',
  'person_name',
  'gender',
  'age',
  'date_of_birth',
  'street_address',
  'postal_code',
  'ip_address',
  'mac_address',
  'payment_card',
  'card_security_code',
  'iban',
  'swift_bic',
  'bank_account',
  'us_ssn',
  'us_driver_license',
  'passport_number',
  'national_id',
  'tax_id',
  'vin',
  'geo_coordinates',
  'credentials',
  'health_code',
  'url',
] as const;

export type ClassId = (typeof CLASS_IDS)[number];

export const isClassId = (value: string): value is ClassId =>
  (CLASS_IDS as readonly string[]).includes(value);
