/**
 * The column classes Steward detects (ids are part of the contract: policies, the index and the API use
 * them) and the version of the rules that assign them. Bump the version whenever a rule changes: assets
 * are re-classified on their next profile when it differs from the one their classes were made with.
 */
export const RULESET_VERSION = '2026.12.0';

import { CLASS_IDS, type ClassId } from '../../../src/domain/classes.ts';

export { CLASS_IDS, isClassId, type ClassId } from '../../../src/domain/classes.ts';

export const SENSITIVITY_LEVELS = ['none', 'internal', 'confidential', 'restricted'] as const;
export type Sensitivity = (typeof SENSITIVITY_LEVELS)[number];

/**
 * How sensitive each class is. restricted: special-category data, government identifiers, payment and
 * authentication data; confidential: other personal data; internal: data that identifies little alone.
 */
export const CLASS_SENSITIVITY: Readonly<Record<ClassId, Sensitivity>> = {
  email: 'confidential',
  phone: 'confidential',
  person_name: 'confidential',
  gender: 'confidential',
  age: 'confidential',
  date_of_birth: 'confidential',
  street_address: 'confidential',
  postal_code: 'internal',
  ip_address: 'confidential',
  mac_address: 'confidential',
  payment_card: 'restricted',
  card_security_code: 'restricted',
  iban: 'restricted',
  swift_bic: 'internal',
  bank_account: 'restricted',
  us_ssn: 'restricted',
  us_driver_license: 'restricted',
  passport_number: 'restricted',
  national_id: 'restricted',
  tax_id: 'restricted',
  vin: 'confidential',
  geo_coordinates: 'confidential',
  credentials: 'restricted',
  health_code: 'restricted',
  url: 'internal',
};

/** Personal data: the classes that identify or describe a person (policies scope on them). */
export const PERSONAL_CLASSES: readonly ClassId[] = CLASS_IDS.filter(
  (id) => !['swift_bic', 'url', 'credentials'].includes(id),
);

/** The most sensitive level among `classes` (`none` for none). */
export function sensitivityOf(classes: readonly ClassId[]): Sensitivity {
  return classes.reduce<Sensitivity>(
    (worst, cls) =>
      SENSITIVITY_LEVELS.indexOf(CLASS_SENSITIVITY[cls]) > SENSITIVITY_LEVELS.indexOf(worst)
        ? CLASS_SENSITIVITY[cls]
        : worst,
    'none',
  );
}
