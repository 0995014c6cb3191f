import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CLASS_IDS,
  RULESET_VERSION,
  type ClassId,
} from '../../../../processors/compliance/classify/classes.ts';
import { classifyColumn } from '../../../../processors/compliance/classify/classify.ts';
import { isMasked, maskExemplar } from '../../../../processors/compliance/classify/masking.ts';
import { nameSignals } from '../../../../processors/compliance/classify/names.ts';
import { detectors, isUsSsn, isVin } from '../../../../processors/compliance/classify/values.ts';

const asOf = new Date('2026-12-01T00:00:00Z');
const repeat = (values: readonly string[], n = 30): string[] =>
  Array.from({ length: n }, (_, i) => values[i % values.length] ?? '');
const top = (name: string, samples: readonly (string | null)[], type?: string): ClassId | null =>
  classifyColumn({ name, samples, ...(type && { type }) }, { asOf })[0]?.class ?? null;

describe('value detectors', () => {
  const cases: [ClassId, string[], string[]][] = [
    ['email', ['ana.lopez@example.com', 'x@sub.example.co.uk'], ['ana.lopez@', 'example.com', 'a b@c.de']],
    [
      'phone',
      ['+1 415 555 0132', '+44 20 7946 0958', '(030) 901820', '+49-30-901820'],
      ['10/06/2026', '4577009865127', '123-45-6789'],
    ],
    ['ip_address', ['192.168.1.20', '52.95.110.1', '2001:db8::1'], ['1.12.2.74', '256.1.1.1', '10.0.0']],
    [
      'mac_address',
      ['8c:8b:e9:3d:0c:2a', '8C-8B-E9-3D-0C-2A', '8c8be93d0c2a'],
      ['0785212595328047', '123456789012', '8c:8b:e9'],
    ],
    [
      'payment_card',
      ['4111 1111 1111 1111', '5500-0000-0000-0004', '378282246310005'],
      ['4111 1111 1111 1112', '1234567812345678', '4111'],
    ],
    [
      'iban',
      ['DE89 3704 0044 0532 0130 00', 'GB82WEST12345698765432'],
      ['DE89 3704 0044 0532 0130 01', 'GB82'],
    ],
    ['swift_bic', ['DEUTDEFF', 'NWBKGB2L', 'DEUTDEFF500'], ['DEUTXXFF', 'ABCDEFG', 'COUPON1234']],
    [
      'us_ssn',
      ['123-45-6789', '078-05-1121'],
      ['000-12-3456', '666-12-3456', '912-34-5678', '123-00-4567', '123-45-0000', '111-11-1111'],
    ],
    [
      'vin',
      ['1M8GDM9AXKP042788', '11111111111111111'],
      ['1M8GDM9A1KP042788', 'IOQ45678901234567', '1M8GDM9AXKP04278'],
    ],
    [
      'credentials',
      [
        '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW',
        'AKIAIOSFODNN7EXAMPLE',
        'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB',
      ],
      ['hunter2', 'd41d8cd98f00b204e9800998ecf8427e', 'password'],
    ],
    ['health_code', ['E11.9', 'J45.909', 'I10', 'S52.501A'], ['U07.1', 'E1', 'SKU-123']],
    [
      'url',
      ['https://example.com/a?b=c', 'http://shop.example.org'],
      ['example.com', 'www.example', 'my-product-slug'],
    ],
    ['geo_coordinates', ['52.520008,13.404954', '-33.8688'], ['200.5', '12', 'north']],
    ['gender', ['F', 'male', 'Non-binary', 'weiblich'], ['blue', 'XL', 'yes']],
    ['date_of_birth', ['1984-02-29', '07/04/1960', '31.12.1999'], ['2026-11-30', '1984-02-30', '1850-01-01']],
  ];
  for (const [cls, members, outsiders] of cases)
    it(`${cls}: should accept ${members.length} members and refuse ${outsiders.length} look-alikes`, () => {
      for (const v of members) assert.equal(detectors[cls].test(v, { asOf }), true, `${cls} ${v}`);
      for (const v of outsiders) assert.equal(detectors[cls].test(v, { asOf }), false, `${cls} ${v}`);
    });

  it('should read a version-like address as an IP only under an IP header', () => {
    const low = repeat(['8.8.4.4', '1.1.1.1', '9.9.9.9', '4.2.2.2', '8.8.8.8', '1.0.0.1']);
    assert.equal(top('col_1', low), null);
    assert.equal(top('client_ip', low), 'ip_address');
  });

  it('should apply the SSA rules and the VIN check digit by hand where no maintained package does', () => {
    assert.equal(isUsSsn('123456789'), true);
    assert.equal(isUsSsn('900-12-3456'), false);
    assert.equal(isVin('1M8GDM9AXKP042788'), true);
    assert.equal(isVin('1M8GDM9AXKP042789'), false);
  });
});

describe('name signals', () => {
  const cases: [string, ClassId | null][] = [
    ['EMAILADDR', 'email'],
    ['tel_no', 'phone'],
    ['cust_phone_no', 'phone'],
    ['gender_cd', 'gender'],
    ['CC Num', 'payment_card'],
    ['patient_sex', 'gender'],
    ['ssn_last4', 'us_ssn'],
    ['Geburtsdatum', 'date_of_birth'],
    ['code_postal', 'postal_code'],
    ['ip_address', 'ip_address'],
    ['email_opt_in', null],
    ['phone_model', null],
    ['zip_file', null],
    ['product_name', null],
    ['age_of_account_days', null],
    ['address_type', null],
  ];
  for (const [header, expected] of cases)
    it(`should read ${JSON.stringify(header)} as ${expected ?? 'no class'}`, () => {
      assert.deepEqual(
        nameSignals(header).map((s) => s.class),
        expected ? [expected] : [],
      );
    });
});

describe('classifyColumn', () => {
  it('should classify from values alone where a validator backs the class', () => {
    assert.equal(
      top(
        'col_7',
        repeat([
          '4111 1111 1111 1111',
          '5500-0000-0000-0004',
          '378282246310005',
          '6011111111111117',
          '4012888888881881',
        ]),
      ),
      'payment_card',
    );
    assert.equal(
      top(
        'field12',
        repeat([
          'DE89370400440532013000',
          'GB82WEST12345698765432',
          'FR1420041010050500013M02606',
          'NL91ABNA0417164300',
          'ES9121000418450200051332',
        ]),
      ),
      'iban',
    );
  });

  it('should not let a name beat contradicting values', () => {
    assert.equal(top('email', repeat(['true', 'false', 'yes', 'no', 'maybe', 'n'])), null);
    assert.equal(top('phone', repeat(['iPhone 14', 'Pixel 8', 'Galaxy S23', 'Moto G', 'Xperia'])), null);
    assert.equal(top('age', repeat(['1200', '3400', '999', '450', '2300'])), null);
  });

  it('should leave hard negatives alone', () => {
    const negatives: [string, string[]][] = [
      ['app_version', ['1.12.2.74', '6.17.22.40', '3.4.1.0', '2.0.5.90', '7.4.0.54']],
      [
        'tracking_number',
        ['0785212595328047', '0855418463403325', '9567208502616121', '7293615728899841', '5171148230573584'],
      ],
      ['ticket_no', ['057-26-4259', '420-45-0893', '027-79-7759', '232-48-8324', '180-58-5032']],
      ['ean', ['4577009865127', '8751101562652', '2549805519943', '3827868631750', '6964540699209']],
      ['order_date', ['2026-05-31', '28/04/2026', '29/07/2026', '03/15/2026', '2026-11-06']],
      [
        'sha256',
        [
          '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
          'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        ],
      ],
      [
        'name',
        [
          'Ergonomic Steel Chair',
          'Small Wooden Hat',
          'Sleek Granite Gloves',
          'Rustic Cotton Shirt',
          'Tasty Frozen Pizza',
        ],
      ],
      ['is_active', ['true', 'false']],
    ];
    for (const [name, values] of negatives) assert.equal(top(name, repeat(values)), null, name);
    assert.equal(top('gender', repeat(['M', 'F']), 'boolean'), null, 'a boolean column is never classified');
  });

  it('should recognise masked card numbers as masked, and carry them as the exemplar', () => {
    const [result] = classifyColumn(
      {
        name: 'card_number',
        samples: repeat(['****-****-****-1234', '************4321', 'XXXXXXXXXXXX9876']),
      },
      { asOf },
    );
    assert.equal(result?.class, 'payment_card');
    assert.equal(result?.evidence.masked, true);
    assert.equal(result?.evidence.detector, 'masked-values');
    assert.equal(isMasked(result?.evidence.exemplar ?? ''), true);
  });

  it('should flag too little evidence as low-confidence, and classify a name with no samples at all', () => {
    assert.equal(
      classifyColumn({ name: 'email', samples: ['a@example.com', 'b@example.com'] }, { asOf })[0]
        ?.lowConfidence,
      true,
    );
    assert.equal(
      classifyColumn({ name: 'email', samples: repeat(['a@example.com']) }, { asOf })[0]?.lowConfidence,
      true,
      'one distinct value',
    );
    const nameOnly = classifyColumn({ name: 'ssn', samples: [] }, { asOf })[0];
    assert.deepEqual(
      [nameOnly?.class, nameOnly?.lowConfidence, nameOnly?.evidence.detector],
      ['us_ssn', true, 'name'],
    );
    const plenty = Array.from({ length: 40 }, (_, i) => `user${i}@example.com`);
    assert.equal(classifyColumn({ name: 'email', samples: plenty }, { asOf })[0]?.lowConfidence, false);
  });

  it('should carry evidence with every field and never a raw value', () => {
    const values = Array.from({ length: 40 }, (_, i) => `+1 415 555 ${String(1000 + i)}`);
    const [result] = classifyColumn({ name: 'mobile', samples: [...values, null, 'n/a'] }, { asOf });
    assert.ok(result);
    const { evidence } = result;
    assert.deepEqual(
      { ...evidence, exemplar: undefined },
      {
        detector: 'name+values:pattern',
        matchedFraction: 1,
        nameSignal: 'word:mobile',
        sampleSize: 42,
        nonMissing: 40,
        distinct: 40,
        masked: false,
        rulesetVersion: RULESET_VERSION,
        exemplar: undefined,
      },
    );
    const serialised = JSON.stringify(result);
    for (const value of values) assert.ok(!serialised.includes(value), value);
  });

  it('should know every class it declares', () => {
    assert.deepEqual(Object.keys(detectors).sort(), [...CLASS_IDS].sort());
  });
});

describe('masking', () => {
  it('should keep only the shape and the last four characters of a long value', () => {
    assert.equal(maskExemplar('4111 1111 1111 1111'), '**** **** **** 1111');
    assert.equal(maskExemplar('ana.lopez@example.com'), '********@*******.com');
    assert.equal(maskExemplar('Ana'), '***');
  });

  it('should tell masked values from values that merely contain an X', () => {
    assert.equal(isMasked('***-**-6789'), true);
    assert.equal(isMasked('XXXXXXXXXXXX1234'), true);
    assert.equal(isMasked('XXL'), false);
    assert.equal(isMasked('4111 1111 1111 1111'), false);
  });
});
