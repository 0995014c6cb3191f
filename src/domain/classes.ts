/**
 * The ids of the column classes Steward detects: part of the contract (policies, the index, the API and
 * commands name them). What each class means and how it is detected lives with compliance
 * (processors/compliance/classify).
 */
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
