/**
 * The demo's catalog: four sources a newcomer recognises — an online shop (PostgreSQL), an HR system
 * (MySQL), a clinic (PostgreSQL) and a marketing warehouse (Snowflake) — with real-looking tables, owners,
 * tags and, for each column, how its values look. Sample values are generated (seeded faker), never real
 * people. Pure: events are built in demo/events.ts.
 */
import type { Faker } from '@faker-js/faker';
import type { ValueType } from '../domain/change-event.ts';

export interface DemoColumn {
  readonly name: string;
  readonly type: string;
  readonly valueType: ValueType;
  readonly nullable?: boolean;
  readonly description?: string;
  readonly primaryKey?: boolean;
  readonly unique?: boolean;
  readonly tags?: readonly string[];
  /** Share of rows that are null. */
  readonly nulls?: number;
  /** One value as the source stores it. */
  readonly value: (f: Faker, row: number) => string;
}

export interface DemoTable {
  readonly platform: string;
  readonly instance: string;
  readonly path: readonly string[];
  readonly description: string | null;
  readonly owners: readonly string[];
  readonly tags: readonly string[];
  readonly rows: number;
  readonly columns: readonly DemoColumn[];
}

const id = (name = 'id'): DemoColumn => ({
  name,
  type: 'bigint',
  valueType: 'integer',
  primaryKey: true,
  value: (_, row) => String(row + 1),
});
const ref = (name: string, max: number): DemoColumn => ({
  name,
  type: 'bigint',
  valueType: 'integer',
  value: (f) => String(f.number.int({ min: 1, max })),
});
const createdAt: DemoColumn = {
  name: 'created_at',
  type: 'timestamp with time zone',
  valueType: 'timestamp',
  value: (f) => f.date.past({ years: 3, refDate: '2026-12-01T00:00:00Z' }).toISOString(),
};
const email = (name = 'email', description = 'Contact e-mail address'): DemoColumn => ({
  name,
  type: 'varchar(255)',
  valueType: 'string',
  description,
  nulls: 0.02,
  value: (f) => f.internet.email().toLowerCase(),
});
const phone = (name = 'phone'): DemoColumn => ({
  name,
  type: 'varchar(32)',
  valueType: 'string',
  nulls: 0.1,
  value: (f) => f.phone.number({ style: 'international' }),
});
const money = (name: string, max: number): DemoColumn => ({
  name,
  type: 'numeric(12,2)',
  valueType: 'decimal',
  value: (f) => f.finance.amount({ min: 1, max, dec: 2 }),
});
const text = (name: string, make: (f: Faker) => string, extra: Partial<DemoColumn> = {}): DemoColumn => ({
  name,
  type: 'text',
  valueType: 'string',
  value: make,
  ...extra,
});
const date = (name: string, make: (f: Faker) => Date, extra: Partial<DemoColumn> = {}): DemoColumn => ({
  name,
  type: 'date',
  valueType: 'date',
  value: (f) => make(f).toISOString().slice(0, 10),
  ...extra,
});
const pick = (values: readonly string[]) => (f: Faker) => f.helpers.arrayElement(values);

const ICD10 = ['E11.9', 'I10', 'J45.909', 'M54.5', 'F32.9', 'K21.9', 'N39.0', 'J06.9', 'E78.5', 'G43.909'];
const REF = '2026-12-01T00:00:00Z';

export const DEMO_TABLES: readonly DemoTable[] = [
  // The online shop: PostgreSQL, prod-eu.
  {
    platform: 'postgres',
    instance: 'shop-prod',
    path: ['shop', 'public', 'customers'],
    description: 'Customers of the web shop, one row per account',
    owners: ['team-crm'],
    tags: ['tier1'],
    rows: 48_200,
    columns: [
      id(),
      email(),
      text('first_name', (f) => f.person.firstName(), { type: 'varchar(100)' }),
      text('last_name', (f) => f.person.lastName(), { type: 'varchar(100)' }),
      phone(),
      date('date_of_birth', (f) => f.date.birthdate({ min: 18, max: 90, mode: 'age', refDate: REF }), {
        nulls: 0.3,
      }),
      text('country', pick(['DE', 'FR', 'NL', 'ES', 'IT', 'PL', 'SE']), { type: 'char(2)' }),
      createdAt,
    ],
  },
  {
    platform: 'postgres',
    instance: 'shop-prod',
    path: ['shop', 'public', 'addresses'],
    description: 'Shipping and billing addresses of customers',
    owners: ['team-crm'],
    tags: [],
    rows: 61_900,
    columns: [
      id(),
      ref('customer_id', 48_200),
      text('street_address', (f) => f.location.streetAddress()),
      text('postal_code', (f) => f.location.zipCode('#####'), { type: 'varchar(16)' }),
      text('city', (f) => f.location.city()),
      text('kind', pick(['shipping', 'billing']), { type: 'varchar(16)' }),
    ],
  },
  {
    platform: 'postgres',
    instance: 'shop-prod',
    path: ['shop', 'public', 'orders'],
    description: 'Orders placed in the web shop',
    owners: ['team-checkout'],
    tags: ['tier1', 'retention:P10Y'],
    rows: 310_450,
    columns: [
      id(),
      ref('customer_id', 48_200),
      text('status', pick(['placed', 'paid', 'shipped', 'delivered', 'cancelled']), { type: 'varchar(16)' }),
      money('total_amount', 900),
      text('currency', pick(['EUR', 'SEK', 'PLN']), { type: 'char(3)' }),
      { ...createdAt, name: 'ordered_at' },
    ],
  },
  {
    platform: 'postgres',
    instance: 'shop-prod',
    path: ['shop', 'public', 'payments'],
    description: 'Card payments for orders, as received from the payment provider',
    owners: ['team-checkout'],
    tags: ['pci'],
    rows: 305_120,
    columns: [
      id(),
      ref('order_id', 310_450),
      text('card_number', (f) => f.finance.creditCardNumber({ issuer: 'visa' }).replaceAll('-', ''), {
        type: 'varchar(19)',
        description: 'Primary account number',
      }),
      text('card_holder', (f) => f.person.fullName()),
      text('cvv', (f) => f.finance.creditCardCVV(), { type: 'char(3)' }),
      money('amount', 900),
      createdAt,
    ],
  },
  {
    platform: 'postgres',
    instance: 'shop-prod',
    path: ['shop', 'public', 'products'],
    description: 'The product catalogue',
    owners: ['team-catalog'],
    tags: [],
    rows: 5_400,
    columns: [
      id(),
      text('sku', (f) => f.string.alphanumeric({ length: 10, casing: 'upper' }), { unique: true }),
      text('name', (f) => f.commerce.productName()),
      money('price', 400),
      text('category', (f) => f.commerce.department()),
    ],
  },
  // The HR system: MySQL.
  {
    platform: 'mysql',
    instance: 'hr-db',
    path: ['hr', 'employees'],
    description: 'Everyone employed, past and present',
    owners: ['team-people'],
    tags: ['tier1'],
    rows: 1_840,
    columns: [
      id('employee_id'),
      text('full_name', (f) => f.person.fullName(), { type: 'varchar(200)' }),
      email('work_email', 'Company e-mail address'),
      phone('mobile'),
      date('birth_date', (f) => f.date.birthdate({ min: 20, max: 66, mode: 'age', refDate: REF })),
      text('gender', pick(['female', 'male', 'diverse']), { type: 'varchar(16)' }),
      text('iban', (f) => f.finance.iban({ formatted: false, countryCode: 'DE' }), {
        type: 'varchar(34)',
        description: 'Salary account',
      }),
      text('tax_id', (f) => f.string.numeric(11), { type: 'varchar(11)', description: 'Steuer-ID' }),
      text('street_address', (f) => f.location.streetAddress(), { nulls: 0.05 }),
      date('hired_on', (f) => f.date.past({ years: 15, refDate: REF })),
    ],
  },
  {
    platform: 'mysql',
    instance: 'hr-db',
    path: ['hr', 'salaries'],
    description: 'Salary history per employee',
    owners: ['team-people'],
    tags: ['confidential'],
    rows: 9_300,
    columns: [
      id(),
      ref('employee_id', 1_840),
      money('annual_gross', 180_000),
      text('currency', pick(['EUR']), { type: 'char(3)' }),
      date('valid_from', (f) => f.date.past({ years: 10, refDate: REF })),
    ],
  },
  {
    platform: 'mysql',
    instance: 'hr-db',
    path: ['hr', 'departments'],
    description: null,
    owners: [],
    tags: [],
    rows: 24,
    columns: [
      id('department_id'),
      text('name', (f) => f.commerce.department()),
      ref('head_employee_id', 1_840),
    ],
  },
  // The clinic: PostgreSQL.
  {
    platform: 'postgres',
    instance: 'clinic-db',
    path: ['clinic', 'care', 'patients'],
    description: 'Registered patients',
    owners: ['team-clinical-it'],
    tags: ['tier1', 'health'],
    rows: 22_700,
    columns: [
      id('patient_id'),
      text('full_name', (f) => f.person.fullName()),
      date('date_of_birth', (f) => f.date.birthdate({ min: 0, max: 95, mode: 'age', refDate: REF })),
      text(
        'insurance_number',
        (f) => `${f.string.alpha({ length: 1, casing: 'upper' })}${f.string.numeric(9)}`,
        {
          type: 'varchar(10)',
        },
      ),
      phone(),
      email('email', 'For appointment reminders'),
      text('street_address', (f) => f.location.streetAddress()),
    ],
  },
  {
    platform: 'postgres',
    instance: 'clinic-db',
    path: ['clinic', 'care', 'diagnoses'],
    description: 'Diagnoses recorded at visits (ICD-10)',
    owners: ['team-clinical-it'],
    tags: ['health'],
    rows: 88_000,
    columns: [
      id(),
      ref('patient_id', 22_700),
      text('icd10_code', pick(ICD10), { type: 'varchar(8)', description: 'ICD-10 diagnosis code' }),
      date('diagnosed_on', (f) => f.date.past({ years: 5, refDate: REF })),
    ],
  },
  {
    platform: 'postgres',
    instance: 'clinic-db',
    path: ['clinic', 'care', 'appointments'],
    description: 'Booked appointments',
    owners: [],
    tags: [],
    rows: 140_500,
    columns: [
      id(),
      ref('patient_id', 22_700),
      { ...createdAt, name: 'starts_at' },
      text('room', (f) => `R${f.number.int({ min: 100, max: 420 })}`, { type: 'varchar(8)' }),
    ],
  },
  // The marketing warehouse: Snowflake.
  {
    platform: 'snowflake',
    instance: 'acme',
    path: ['MARKETING', 'PUBLIC', 'LEADS'],
    description: 'Leads from web forms and fairs',
    owners: ['team-growth'],
    tags: [],
    rows: 73_000,
    columns: [
      id('LEAD_ID'),
      email('EMAIL', 'As entered in the form'),
      text('FULL_NAME', (f) => f.person.fullName()),
      text('COMPANY', (f) => f.company.name()),
      phone('PHONE'),
      text('SOURCE', pick(['web', 'fair', 'partner', 'ads']), { type: 'varchar' }),
      { ...createdAt, name: 'CREATED_AT' },
    ],
  },
  {
    platform: 'snowflake',
    instance: 'acme',
    path: ['MARKETING', 'PUBLIC', 'WEB_SESSIONS'],
    description: 'Web analytics sessions',
    owners: ['team-growth'],
    tags: [],
    rows: 4_120_000,
    columns: [
      id('SESSION_ID'),
      text('IP_ADDRESS', (f) => f.internet.ipv4(), { type: 'varchar(45)' }),
      text('USER_AGENT', (f) => f.internet.userAgent()),
      text('LANDING_URL', (f) => f.internet.url()),
      { ...createdAt, name: 'STARTED_AT' },
    ],
  },
  {
    platform: 'snowflake',
    instance: 'acme',
    path: ['MARKETING', 'PUBLIC', 'CAMPAIGNS'],
    description: 'Campaigns and their budgets',
    owners: ['team-growth'],
    tags: ['tier2'],
    rows: 310,
    columns: [
      id('CAMPAIGN_ID'),
      text('NAME', (f) => f.company.catchPhrase()),
      money('BUDGET', 50_000),
      date('STARTS_ON', (f) => f.date.past({ years: 2, refDate: REF })),
    ],
  },
  {
    platform: 'snowflake',
    instance: 'acme',
    path: ['MARKETING', 'STAGING', 'TMP_IMPORT_2024'],
    description: 'One-off import, to be dropped',
    owners: [],
    tags: [],
    rows: 12_000,
    columns: [id('ROW_ID'), email('EMAIL', 'Imported contact'), text('NOTE', (f) => f.lorem.words(3))],
  },
];
