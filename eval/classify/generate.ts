/**
 * Generates the column-classification evaluation set, eval/classify/columns.ndjson, ONCE. The file is
 * committed and frozen before the classifier is tuned: regenerating it after tuning would let the
 * classifier's weaknesses shape the test. `npm run eval:classify` reads the committed file, never this.
 *
 * Per class at least 50 columns, across locales, with real-looking headers (abbreviations, prefixes,
 * other languages, uninformative names such as `col_7`, which only the values can classify) and dirty
 * samples (nulls, a few malformed values, masked card numbers). At least 500 hard negatives: product
 * codes, order ids, zip-like quantities, dates that are not birth dates, free text, hashes, version
 * strings, barcodes, and misleading headers (`email_opt_in` holding booleans, `phone_model`, `zip_file`).
 *
 * Run: node eval/classify/generate.ts (deterministic: fixed seeds and pinned faker major version).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  fakerDE,
  fakerEN_GB,
  fakerEN_US,
  fakerES,
  fakerFR,
  fakerIT,
  fakerNL,
  fakerPT_BR,
  type Faker,
} from '@faker-js/faker';
import { isValidPhoneNumber, type CountryCode } from 'libphonenumber-js/max';

export interface EvalColumn {
  readonly id: string;
  readonly table: string;
  readonly name: string;
  readonly type: string;
  readonly description: string | null;
  readonly samples: readonly (string | null)[];
  /** The class a steward would assign; null for a hard negative. */
  readonly expected: string | null;
  readonly locale: string;
  /** What makes it a case: `name+values`, `values-only` (uninformative header), `masked`, `negative`… */
  readonly kind: string;
}

const locales: [string, Faker, CountryCode][] = [
  ['en_US', fakerEN_US, 'US'],
  ['en_GB', fakerEN_GB, 'GB'],
  ['de', fakerDE, 'DE'],
  ['fr', fakerFR, 'FR'],
  ['es', fakerES, 'ES'],
  ['it', fakerIT, 'IT'],
  ['nl', fakerNL, 'NL'],
  ['pt_BR', fakerPT_BR, 'BR'],
];

type Gen = (f: Faker, country: CountryCode, i: number) => string;

interface ClassSpec {
  readonly headers: readonly string[];
  readonly type: string;
  readonly gen: Gen;
  readonly tables: readonly string[];
  readonly descriptions?: readonly string[];
  /** Share of columns with an uninformative header (values must carry it). */
  readonly valuesOnly?: number;
}

const pick = <T>(f: Faker, items: readonly T[]): T => f.helpers.arrayElement(items);
/** The characters of an ASCII string. */
const letters = (text: string): string[] => Array.from(text);
const localeAt = (i: number): [string, Faker, CountryCode] => {
  const locale = locales[i % locales.length];
  if (!locale) throw new Error('no locale');
  return locale;
};
const digits = (f: Faker, n: number): string => f.string.numeric({ length: n, allowLeadingZeros: true });

function ssn(f: Faker): string {
  let area = f.number.int({ min: 1, max: 899 });
  if (area === 666) area = 665;
  const group = f.number.int({ min: 1, max: 99 });
  const serial = f.number.int({ min: 1, max: 9999 });
  const parts = [
    String(area).padStart(3, '0'),
    String(group).padStart(2, '0'),
    String(serial).padStart(4, '0'),
  ];
  return f.datatype.boolean(0.75) ? parts.join('-') : parts.join('');
}

/** A VIN with a correct check digit (ISO 3779 / 49 CFR 565 weights and transliteration). */
function vin(f: Faker): string {
  const alphabet = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
  const chars = Array.from({ length: 17 }, () => pick(f, letters(alphabet)));
  const values: Record<string, number> = {};
  'ABCDEFGH'.split('').forEach((c, i) => (values[c] = i + 1));
  'JKLMN'.split('').forEach((c, i) => (values[c] = i + 1));
  values.P = 7;
  values.R = 9;
  'STUVWXYZ'.split('').forEach((c, i) => (values[c] = i + 2));
  for (let d = 0; d <= 9; d++) values[String(d)] = d;
  const weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
  const sum = chars.reduce((acc, c, i) => acc + (values[c] ?? 0) * (weights[i] ?? 0), 0);
  const check = sum % 11;
  chars[8] = check === 10 ? 'X' : String(check);
  return chars.join('');
}

function phone(f: Faker, country: CountryCode): string {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = f.datatype.boolean(0.5) ? f.phone.number({ style: 'international' }) : f.phone.number();
    if (isValidPhoneNumber(candidate, country)) return candidate;
  }
  return f.phone.number({ style: 'international' });
}

function cardNumber(f: Faker): string {
  const raw = f.finance.creditCardNumber(pick(f, ['visa', 'mastercard', 'amex', 'discover']));
  const plain = raw.replace(/\D/g, '');
  return pick(f, [plain, raw, plain.replace(/(\d{4})(?=\d)/g, '$1 ')]);
}

function maskedCard(f: Faker): string {
  const last4 = digits(f, 4);
  return pick(f, [
    `****-****-****-${last4}`,
    `XXXXXXXXXXXX${last4}`,
    `************${last4}`,
    `4111 11** **** ${last4}`,
  ]);
}

const icd10 = [
  'E11.9',
  'I10',
  'J45.909',
  'M54.5',
  'F32.9',
  'K21.9',
  'E78.5',
  'N39.0',
  'J06.9',
  'R51',
  'Z00.00',
  'G43.909',
  'E66.9',
  'F41.1',
  'M17.11',
  'I25.10',
  'J44.9',
  'K58.9',
  'L40.0',
  'C50.911',
  'O80',
  'S52.501A',
  'T78.40XA',
  'B34.9',
  'H52.4',
  'R10.9',
  'Z23',
  'E03.9',
  'I48.91',
  'N18.3',
];

function credential(f: Faker): string {
  return pick(f, [
    () => f.internet.password({ length: f.number.int({ min: 10, max: 20 }) }),
    () => `sk_live_${f.string.alphanumeric(24)}`,
    () => `AKIA${f.string.alpha({ length: 16, casing: 'upper' })}`,
    () => `ghp_${f.string.alphanumeric(36)}`,
    () => `$2b$12$${f.string.alphanumeric(53)}`,
    () =>
      `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${Buffer.from(JSON.stringify({ sub: f.string.uuid() })).toString('base64url')}.${f.string.alphanumeric(43)}`,
    () => `xoxb-${digits(f, 12)}-${digits(f, 12)}-${f.string.alphanumeric(24)}`,
  ])();
}

function nationalId(f: Faker, country: CountryCode): string {
  switch (country) {
    case 'ES': {
      const n = f.number.int({ min: 10_000_000, max: 99_999_999 });
      return `${n}${'TRWAGMYFPDXBNJZSQVHLCKE'[n % 23] ?? 'T'}`;
    }
    case 'NL': {
      // BSN: 9 digits passing the 11-test.
      for (;;) {
        const d = digits(f, 9).split('').map(Number);
        const sum = d.slice(0, 8).reduce((acc, x, i) => acc + x * (9 - i), 0) - (d[8] ?? 0);
        if (sum % 11 === 0 && d[0] !== 0) return d.join('');
      }
    }
    case 'BR': {
      // CPF with its two check digits.
      const d = digits(f, 9).split('').map(Number);
      const check = (ds: number[]): number => {
        const s = ds.reduce((acc, x, i) => acc + x * (ds.length + 1 - i), 0);
        const r = (s * 10) % 11;
        return r === 10 ? 0 : r;
      };
      d.push(check(d));
      d.push(check(d));
      const s = d.join('');
      return `${s.slice(0, 3)}.${s.slice(3, 6)}.${s.slice(6, 9)}-${s.slice(9)}`;
    }
    case 'IT':
      return `${f.string.alpha({ length: 6, casing: 'upper' })}${digits(f, 2)}${pick(f, letters('ABCDEHLMPRST'))}${digits(f, 2)}${f.string.alpha({ length: 1, casing: 'upper' })}${digits(f, 3)}${f.string.alpha({ length: 1, casing: 'upper' })}`;
    case 'FR':
      return `${pick(f, ['1', '2'])}${digits(f, 2)}${String(f.number.int({ min: 1, max: 12 })).padStart(2, '0')}${digits(f, 8)}`;
    case 'DE':
      return `${pick(f, letters('CFGHJKLMNPRTVWXYZ'))}${f.string.alphanumeric({ length: 8, casing: 'upper' })}`;
    case 'GB':
      return `${f.string.alpha({ length: 2, casing: 'upper' }).replace(/[DFIQUV]/g, 'A')} ${digits(f, 2)} ${digits(f, 2)} ${digits(f, 2)} ${pick(f, ['A', 'B', 'C', 'D'])}`;
    default:
      return digits(f, 9);
  }
}

function taxId(f: Faker, country: CountryCode): string {
  switch (country) {
    case 'US':
      return `${pick(f, ['12', '20', '27', '35', '46', '54', '61', '77', '84', '91'])}-${digits(f, 7)}`;
    case 'DE':
      return `${f.number.int({ min: 1, max: 9 })}${digits(f, 10)}`;
    case 'GB':
      return digits(f, 10);
    case 'FR':
      return `${f.number.int({ min: 0, max: 3 })}${digits(f, 12)}`;
    case 'IT':
      return `IT${digits(f, 11)}`;
    case 'ES':
      return `${pick(f, letters('ABCDEFGHJ'))}${digits(f, 8)}`;
    case 'NL':
      return `NL${digits(f, 9)}B${digits(f, 2)}`;
    default:
      return `${digits(f, 2)}.${digits(f, 3)}.${digits(f, 3)}/0001-${digits(f, 2)}`;
  }
}

function passport(f: Faker, country: CountryCode): string {
  switch (country) {
    case 'US':
      return f.datatype.boolean(0.7)
        ? digits(f, 9)
        : `${f.string.alpha({ length: 1, casing: 'upper' })}${digits(f, 8)}`;
    case 'GB':
      return digits(f, 9);
    case 'DE':
      return `C${f.string.alphanumeric({ length: 8, casing: 'upper' })}`;
    case 'FR':
      return `${digits(f, 2)}${f.string.alpha({ length: 2, casing: 'upper' })}${digits(f, 5)}`;
    default:
      return `${f.string.alpha({ length: 2, casing: 'upper' })}${digits(f, 7)}`;
  }
}

function driverLicense(f: Faker): string {
  return pick(f, [
    () => `${f.string.alpha({ length: 1, casing: 'upper' })}${digits(f, 7)}`, // CA
    () => digits(f, 9), // NY
    () => `${f.string.alpha({ length: 1, casing: 'upper' })}${digits(f, 12)}`, // FL
    () =>
      `${f.string.alpha({ length: 1, casing: 'upper' })}${digits(f, 3)}-${digits(f, 3)}-${digits(f, 2)}-${digits(f, 3)}-${digits(f, 1)}`,
    () => digits(f, 8), // TX
  ])();
}

const formatDate = (f: Faker, date: Date): string => {
  const y = date.getUTCFullYear();
  const m = String(date.getUTCMonth() + 1).padStart(2, '0');
  const d = String(date.getUTCDate()).padStart(2, '0');
  return pick(f, [`${y}-${m}-${d}`, `${m}/${d}/${y}`, `${d}.${m}.${y}`, `${d}/${m}/${y}`]);
};

const classes: Record<string, ClassSpec> = {
  email: {
    headers: [
      'email',
      'EMAILADDR',
      'e_mail',
      'email_address',
      'cust_email',
      'contact_email',
      'EmailAddress',
      'mail',
      'correo',
      'courriel',
      'e-mail adresse',
      'usr_eml',
      'billing_email',
      'Email Address',
    ],
    type: 'varchar',
    gen: (f) => f.internet.email(),
    tables: ['customers', 'users', 'contacts', 'leads', 'subscribers'],
    valuesOnly: 0.2,
  },
  phone: {
    headers: [
      'phone',
      'tel_no',
      'cust_phone_no',
      'phone_number',
      'mobile',
      'telefon',
      'telephone',
      'PhoneNumber',
      'contact_tel',
      'cell',
      'handynummer',
      'num_tel',
      'telefono',
      'ph_no',
    ],
    type: 'varchar',
    gen: (f, c) => phone(f, c),
    tables: ['customers', 'employees', 'contacts', 'patients', 'suppliers'],
    valuesOnly: 0.15,
  },
  person_name: {
    headers: [
      'full_name',
      'customer_name',
      'first_name',
      'last_name',
      'FNAME',
      'surname',
      'nom',
      'nachname',
      'vorname',
      'patient_name',
      'emp_name',
      'contact_person',
      'name_full',
      'apellido',
    ],
    type: 'varchar',
    gen: (f, _c, i) =>
      i % 3 === 0 ? f.person.fullName() : i % 3 === 1 ? f.person.firstName() : f.person.lastName(),
    tables: ['customers', 'employees', 'patients', 'contacts'],
  },
  gender: {
    headers: [
      'gender',
      'gender_cd',
      'sex',
      'patient_sex',
      'geschlecht',
      'sexe',
      'genero',
      'GENDER_CODE',
      'emp_gender',
      'gndr',
    ],
    type: 'varchar',
    gen: (f, c, i) => {
      const sets = [
        ['M', 'F'],
        ['male', 'female', 'other'],
        ['Female', 'Male', 'Non-binary', 'Prefer not to say'],
        c === 'DE' ? ['m', 'w', 'd'] : ['m', 'f'],
        ['MALE', 'FEMALE', 'UNKNOWN'],
      ];
      return pick(f, sets[i % sets.length] ?? ['M', 'F']);
    },
    tables: ['customers', 'employees', 'patients'],
  },
  age: {
    headers: [
      'age',
      'cust_age',
      'patient_age',
      'alter',
      'edad',
      'age_years',
      'AGE_YRS',
      'current_age',
      'age_at_admission',
      'eta',
    ],
    type: 'integer',
    gen: (f) => String(f.number.int({ min: 18, max: 92 })),
    tables: ['customers', 'patients', 'employees', 'survey_responses'],
  },
  date_of_birth: {
    headers: [
      'date_of_birth',
      'dob',
      'birth_date',
      'birthdate',
      'DOB',
      'geburtsdatum',
      'fecha_nacimiento',
      'date_naissance',
      'bday',
      'born_on',
      'patient_dob',
    ],
    type: 'date',
    gen: (f) => formatDate(f, f.date.birthdate({ mode: 'age', min: 18, max: 90 })),
    tables: ['customers', 'patients', 'employees', 'members'],
  },
  street_address: {
    headers: [
      'street_address',
      'address',
      'addr_line1',
      'street',
      'strasse',
      'adresse',
      'direccion',
      'billing_address',
      'shipping_addr',
      'home_address',
      'ADDRESS_LINE_1',
    ],
    type: 'varchar',
    gen: (f) => (f.datatype.boolean(0.8) ? f.location.streetAddress() : f.location.streetAddress(true)),
    tables: ['customers', 'orders', 'employees', 'stores'],
  },
  postal_code: {
    headers: [
      'postal_code',
      'zip',
      'zipcode',
      'zip_code',
      'plz',
      'postcode',
      'code_postal',
      'cp',
      'cep',
      'POSTAL_CD',
      'billing_zip',
    ],
    type: 'varchar',
    gen: (f) => f.location.zipCode(),
    tables: ['customers', 'addresses', 'stores', 'employees'],
  },
  ip_address: {
    headers: [
      'ip_address',
      'ip',
      'client_ip',
      'remote_addr',
      'last_login_ip',
      'src_ip',
      'IPADDR',
      'ip_v4',
      'host_ip',
      'x_forwarded_for',
    ],
    type: 'varchar',
    gen: (f) => (f.datatype.boolean(0.8) ? f.internet.ipv4() : f.internet.ipv6()),
    tables: ['sessions', 'audit_log', 'logins', 'requests'],
    valuesOnly: 0.25,
  },
  mac_address: {
    headers: [
      'mac_address',
      'mac',
      'device_mac',
      'hw_addr',
      'MAC_ADDR',
      'wifi_mac',
      'ethernet_address',
      'bssid',
    ],
    type: 'varchar',
    gen: (f) => f.internet.mac(pick(f, [':', '-', ''])),
    tables: ['devices', 'network_events', 'access_points'],
    valuesOnly: 0.25,
  },
  payment_card: {
    headers: [
      'card_number',
      'CC Num',
      'cc_number',
      'credit_card',
      'pan',
      'card_no',
      'ccnum',
      'kreditkarte',
      'numero_carte',
      'payment_card_number',
      'cardnumber',
    ],
    type: 'varchar',
    gen: (f) => cardNumber(f),
    tables: ['payments', 'orders', 'billing', 'card_vault'],
    valuesOnly: 0.2,
  },
  card_security_code: {
    headers: [
      'cvv',
      'cvv2',
      'cvc',
      'card_cvv',
      'security_code',
      'csc',
      'CVV_CODE',
      'card_verification_value',
      'pruefnummer',
    ],
    type: 'varchar',
    gen: (f) => (f.datatype.boolean(0.9) ? f.finance.creditCardCVV() : digits(f, 4)),
    tables: ['payments', 'billing', 'card_vault'],
  },
  iban: {
    headers: [
      'iban',
      'IBAN',
      'bank_iban',
      'iban_code',
      'account_iban',
      'iban_nr',
      'payout_iban',
      'kontonummer_iban',
    ],
    type: 'varchar',
    gen: (f) => {
      const iban = f.finance.iban();
      return f.datatype.boolean(0.3) ? iban.replace(/(.{4})(?=.)/g, '$1 ') : iban;
    },
    tables: ['suppliers', 'employees', 'payouts', 'bank_accounts'],
    valuesOnly: 0.2,
  },
  swift_bic: {
    headers: ['bic', 'swift', 'swift_code', 'bic_code', 'bank_bic', 'SWIFT_BIC', 'bank_swift'],
    type: 'varchar',
    gen: (f) => f.finance.bic({ includeBranchCode: f.datatype.boolean(0.4) }),
    tables: ['suppliers', 'bank_accounts', 'payouts'],
  },
  bank_account: {
    headers: [
      'account_number',
      'acct_no',
      'bank_account',
      'account_no',
      'bank_acct_num',
      'kontonummer',
      'numero_cuenta',
      'routing_acct',
      'ACCT_NBR',
    ],
    type: 'varchar',
    gen: (f) => f.finance.accountNumber(f.number.int({ min: 8, max: 12 })),
    tables: ['bank_accounts', 'payouts', 'employees'],
  },
  us_ssn: {
    headers: [
      'ssn',
      'social_security_number',
      'SSN',
      'soc_sec_no',
      'ssn_last4',
      'emp_ssn',
      'tax_ssn',
      'social_sec',
    ],
    type: 'varchar',
    gen: (f) => ssn(f),
    tables: ['employees', 'applicants', 'patients'],
    valuesOnly: 0.15,
  },
  us_driver_license: {
    headers: [
      'drivers_license',
      'dl_number',
      'driver_license_no',
      'license_number',
      'DL_NUM',
      'drv_lic',
      'driving_licence',
    ],
    type: 'varchar',
    gen: (f) => driverLicense(f),
    tables: ['drivers', 'applicants', 'rentals'],
  },
  passport_number: {
    headers: [
      'passport_number',
      'passport_no',
      'passport',
      'reisepassnummer',
      'num_passeport',
      'pasaporte',
      'PASSPORT_ID',
      'travel_doc_no',
    ],
    type: 'varchar',
    gen: (f, c) => passport(f, c),
    tables: ['travellers', 'bookings', 'employees'],
  },
  national_id: {
    headers: [
      'national_id',
      'dni',
      'bsn',
      'cpf',
      'codice_fiscale',
      'nin',
      'ni_number',
      'id_number',
      'personalausweis',
      'numero_secu',
      'citizen_id',
    ],
    type: 'varchar',
    gen: (f, c) => nationalId(f, c),
    tables: ['customers', 'employees', 'citizens', 'patients'],
  },
  tax_id: {
    headers: [
      'tax_id',
      'tin',
      'ein',
      'vat_number',
      'steuer_id',
      'steuernummer',
      'nif',
      'partita_iva',
      'cnpj',
      'TAX_NO',
      'utr',
    ],
    type: 'varchar',
    gen: (f, c) => taxId(f, c),
    tables: ['suppliers', 'companies', 'invoices', 'employees'],
  },
  vin: {
    headers: [
      'vin',
      'VIN',
      'vehicle_id_number',
      'chassis_number',
      'vin_no',
      'fahrgestellnummer',
      'vehicle_vin',
    ],
    type: 'varchar',
    gen: (f) => vin(f),
    tables: ['vehicles', 'fleet', 'insurance_policies'],
    valuesOnly: 0.2,
  },
  geo_coordinates: {
    headers: [
      'latitude',
      'longitude',
      'lat',
      'lng',
      'lon',
      'geo_lat',
      'location_coords',
      'gps',
      'coordinates',
      'breitengrad',
    ],
    type: 'varchar',
    gen: (f, _c, i) =>
      i % 3 === 2
        ? `${f.location.latitude({ precision: 5 })},${f.location.longitude({ precision: 5 })}`
        : String(
            i % 3 === 0 ? f.location.latitude({ precision: 6 }) : f.location.longitude({ precision: 6 }),
          ),
    tables: ['stores', 'deliveries', 'check_ins', 'devices'],
  },
  credentials: {
    headers: [
      'password',
      'passwd',
      'pwd',
      'api_key',
      'secret',
      'access_token',
      'auth_token',
      'password_hash',
      'client_secret',
      'kennwort',
      'apikey',
      'private_key',
    ],
    type: 'varchar',
    gen: (f) => credential(f),
    tables: ['users', 'integrations', 'service_accounts', 'webhooks'],
    valuesOnly: 0.15,
  },
  health_code: {
    headers: [
      'icd10',
      'diagnosis_code',
      'icd_code',
      'dx_code',
      'primary_dx',
      'icd10_cm',
      'diagnose_code',
      'condition_code',
    ],
    type: 'varchar',
    gen: (f) => pick(f, icd10),
    tables: ['encounters', 'claims', 'diagnoses', 'admissions'],
    valuesOnly: 0.2,
  },
  url: {
    headers: [
      'url',
      'website',
      'homepage',
      'profile_url',
      'link',
      'web_site',
      'landing_page',
      'avatar_url',
      'callback_url',
      'URL',
    ],
    type: 'varchar',
    gen: (f) => f.internet.url(),
    tables: ['companies', 'users', 'campaigns', 'webhooks'],
    valuesOnly: 0.2,
  },
};

/** Hard negatives: header, type, a value generator. */
const negatives: [string[], string, Gen][] = [
  [
    ['sku', 'product_code', 'item_no', 'article_number', 'artikelnummer'],
    'varchar',
    (f) => `${f.string.alpha({ length: 3, casing: 'upper' })}-${digits(f, 5)}`,
  ],
  [
    ['order_id', 'order_number', 'order_ref', 'bestellnummer'],
    'varchar',
    (f) => `ORD-${f.number.int({ min: 2019, max: 2026 })}-${digits(f, 6)}`,
  ],
  [['id', 'uuid', 'request_id', 'trace_id', 'event_id'], 'uuid', (f) => f.string.uuid()],
  [
    ['quantity', 'store_no', 'units_sold', 'qty_on_hand', 'warehouse_code'],
    'integer',
    (f) => String(f.number.int({ min: 10000, max: 99999 })),
  ],
  [
    ['order_date', 'created_at', 'shipped_on', 'invoice_date', 'updated_at', 'delivery_date'],
    'date',
    (f) => formatDate(f, f.date.recent({ days: 400 })),
  ],
  [['comment', 'notes', 'description', 'feedback', 'remarks'], 'text', (f) => f.lorem.sentence()],
  [['product_name', 'title', 'item_name'], 'varchar', (f) => f.commerce.productName()],
  [['name'], 'varchar', (f) => f.commerce.productName()],
  [['company', 'company_name', 'supplier', 'vendor_name'], 'varchar', (f) => f.company.name()],
  [['price', 'amount', 'total', 'unit_price', 'balance'], 'numeric', (f) => f.commerce.price()],
  [
    ['status', 'order_status', 'state'],
    'varchar',
    (f) => pick(f, ['active', 'pending', 'shipped', 'cancelled', 'refunded']),
  ],
  [
    ['is_active', 'email_opt_in', 'ssn_verified', 'phone_verified', 'gender_neutral'],
    'boolean',
    (f) => String(f.datatype.boolean()),
  ],
  [
    ['phone_model', 'device_model'],
    'varchar',
    (f) => pick(f, ['iPhone 14', 'Pixel 8', 'Galaxy S23', 'iPhone 15 Pro', 'Moto G']),
  ],
  [['zip_file', 'archive_name', 'attachment'], 'varchar', (f) => `${f.system.fileName()}.zip`],
  [
    ['age_of_account_days', 'days_since_signup', 'tenure_days'],
    'integer',
    (f) => String(f.number.int({ min: 0, max: 4000 })),
  ],
  [
    ['card_type', 'payment_method'],
    'varchar',
    (f) => pick(f, ['VISA', 'MASTERCARD', 'AMEX', 'PAYPAL', 'SEPA']),
  ],
  [['address_type', 'contact_type'], 'varchar', (f) => pick(f, ['billing', 'shipping', 'home', 'work'])],
  [
    ['checksum', 'sha256', 'file_hash', 'etag'],
    'varchar',
    (f) => f.string.hexadecimal({ length: 64, casing: 'lower', prefix: '' }),
  ],
  [
    ['version', 'app_version', 'firmware'],
    'varchar',
    (f) => `${f.number.int(9)}.${f.number.int(20)}.${f.number.int(30)}.${f.number.int(99)}`,
  ],
  [['ean', 'barcode', 'gtin'], 'varchar', (f) => digits(f, 13)],
  [['isbn', 'isbn13'], 'varchar', (f) => `978${digits(f, 10)}`],
  [['tracking_number', 'shipment_id', 'batch_id'], 'varchar', (f) => digits(f, 16)],
  [['currency', 'currency_code'], 'varchar', (f) => f.finance.currencyCode()],
  [['country', 'country_code'], 'varchar', (f) => f.location.countryCode()],
  [['color', 'colour'], 'varchar', (f) => f.color.human()],
  [
    ['percentage', 'discount_pct', 'tax_rate'],
    'numeric',
    (f) => String(f.number.float({ min: 0, max: 100, fractionDigits: 2 })),
  ],
  [['department', 'team'], 'varchar', (f) => f.commerce.department()],
  [
    ['slug', 'url_slug', 'handle'],
    'varchar',
    (f) => f.helpers.slugify(f.commerce.productName().toLowerCase()),
  ],
  [
    ['mac_os_version', 'os_version'],
    'varchar',
    (f) => `${f.number.int({ min: 10, max: 15 })}.${f.number.int(7)}`,
  ],
  [['city', 'town'], 'varchar', (f) => f.location.city()],
  [['job_title', 'position'], 'varchar', (f) => f.person.jobTitle()],
  [['score', 'rating', 'nps'], 'integer', (f) => String(f.number.int({ min: 0, max: 10 }))],
  [['col_1', 'field7', 'value', 'attr_3'], 'varchar', (f) => f.word.noun()],
  [
    ['ticket_no', 'case_number', 'invoice_no'],
    'varchar',
    (f) => `${digits(f, 3)}-${digits(f, 2)}-${digits(f, 4)}`,
  ],
  [['timestamp', 'event_time', 'logged_at'], 'timestamp', (f) => f.date.recent({ days: 30 }).toISOString()],
  [['hex_color', 'theme_color'], 'varchar', (f) => f.color.rgb()],
  [
    ['duration_ms', 'latency_ms', 'bytes'],
    'bigint',
    (f) => String(f.number.int({ min: 1, max: 10_000_000 })),
  ],
  [
    ['coupon_code', 'promo_code', 'voucher'],
    'varchar',
    (f) => f.string.alphanumeric({ length: 10, casing: 'upper' }),
  ],
];

const uninformative = ['col_1', 'col_7', 'field12', 'value', 'data', 'c3', 'attr', 'txt_field', 'x'];

function samplesOf(f: Faker, gen: Gen, country: CountryCode, column: number): (string | null)[] {
  const count = f.number.int({ min: 20, max: 60 });
  const nullShare = pick(f, [0, 0, 0.05, 0.1, 0.3]);
  const malformedShare = pick(f, [0, 0, 0, 0.05]);
  return Array.from({ length: count }, () => {
    if (f.datatype.boolean(nullShare)) return null;
    if (f.datatype.boolean(malformedShare)) return pick(f, ['n/a', 'unknown', '-', 'TBD', '0']);
    return gen(f, country, column);
  });
}

export function generate(): EvalColumn[] {
  // Relative dates (birthdates, recent order dates) are computed from this instant, not from today.
  for (const [, f] of locales) f.setDefaultRefDate(new Date('2026-12-01T00:00:00Z'));
  const out: EvalColumn[] = [];
  let seed = 20261203;
  for (const [cls, spec] of Object.entries(classes)) {
    for (let i = 0; i < 56; i++) {
      const [locale, f, country] = localeAt(i);
      f.seed(seed++);
      const valuesOnly = f.datatype.boolean(spec.valuesOnly ?? 0);
      const masked = cls === 'payment_card' && i % 8 === 7;
      const name = valuesOnly ? pick(f, uninformative) : pick(f, spec.headers);
      out.push({
        id: `${cls}-${i}`,
        table: pick(f, spec.tables),
        name,
        type: spec.type,
        description: spec.descriptions && f.datatype.boolean(0.3) ? pick(f, spec.descriptions) : null,
        samples: samplesOf(f, masked ? (ff) => maskedCard(ff) : spec.gen, country, i),
        expected: cls,
        locale,
        kind: masked ? 'masked' : valuesOnly ? 'values-only' : 'name+values',
      });
    }
  }
  let n = 0;
  for (let round = 0; n < 560; round++) {
    for (const [headers, type, gen] of negatives) {
      const [locale, f, country] = localeAt(n + round);
      f.seed(seed++);
      out.push({
        id: `negative-${n}`,
        table: pick(f, ['orders', 'products', 'inventory', 'events', 'shipments', 'invoices', 'logs']),
        name: pick(f, headers),
        type,
        description: null,
        samples: samplesOf(f, gen, country, n),
        expected: null,
        locale,
        kind: 'negative',
      });
      n++;
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const columns = generate();
  const target = new URL('./columns.ndjson', import.meta.url);
  writeFileSync(target, columns.map((c) => JSON.stringify(c)).join('\n') + '\n');
  const perClass = new Map<string, number>();
  for (const c of columns)
    perClass.set(c.expected ?? '(negative)', (perClass.get(c.expected ?? '(negative)') ?? 0) + 1);
  process.stdout.write(
    `${columns.length} columns written: ${JSON.stringify(Object.fromEntries(perClass))}\n`,
  );
}
