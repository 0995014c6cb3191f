import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Settings } from 'typebox/system';
import { LIMITS, validateChangeEvent, type ChangeEvent } from '../../../src/domain/change-event.ts';
import { deleteEvent, fullUpsertEvent, profileEvent } from '../../fixtures/change-events.ts';

type Json = Record<string, unknown>;

/** The parent object and key a JSON pointer such as `/asset/columns/0/name` names in `value`. */
function locate(value: unknown, pointer: string): [Json, string] {
  const keys = pointer.split('/').slice(1);
  const last = keys.pop() ?? '';
  const parent = keys.reduce<unknown>((node, key) => (node as Json)[key], value);
  return [parent as Json, last];
}

function without(event: ChangeEvent, pointer: string): unknown {
  const copy = structuredClone(event);
  const [parent, key] = locate(copy, pointer);
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the key is the table's pointer
  delete parent[key];
  return copy;
}

function changed(event: ChangeEvent, change: (event: Json) => void): unknown {
  const copy = structuredClone(event) as unknown as Json;
  change(copy);
  return copy;
}

function assertRejected(value: unknown, path: string, message: string | RegExp): void {
  const result = validateChangeEvent(value);
  assert.equal(result.ok, false, 'expected the event to be rejected');
  const found = result.errors.some(
    (error) =>
      error.path === path &&
      (typeof message === 'string' ? error.message === message : message.test(error.message)),
  );
  assert.ok(found, `expected ${path}: ${String(message)}, got ${JSON.stringify(result.errors, null, 2)}`);
}

const asset = (event: Json) => event.asset as Json;
const profile = (event: Json) => event.profile as Json;
const profileColumn = (event: Json, i: number) => (profile(event).columns as Json[])[i] as Json;
const assetColumns = (event: Json) => asset(event).columns as Json[];

describe('validateChangeEvent', () => {
  const valid: [string, () => ChangeEvent][] = [
    ['an upsert with every optional field', fullUpsertEvent],
    ['a profile event without asset columns', profileEvent],
    ['a delete with nothing optional', deleteEvent],
    ['an upsert without columns or profile', () => ({ ...deleteEvent(), kind: 'upsert' })],
  ];
  for (const [title, build] of valid) {
    it(`should accept the event when it is ${title}`, () => {
      const event = build();
      const result = validateChangeEvent(event);
      assert.deepEqual(result, { ok: true, event });
    });
  }

  const requiredFields = [
    '/id',
    '/kind',
    '/occurredAt',
    '/source',
    '/source/platform',
    '/source/instance',
    '/asset',
    '/asset/urn',
    '/asset/type',
    '/asset/name',
    '/asset/qualifiedName',
    '/asset/description',
    '/asset/owners',
    '/asset/tags',
    '/asset/columns/1/name',
    '/asset/columns/1/type',
    '/asset/columns/1/nullable',
    '/asset/columns/1/description',
    '/asset/columns/1/tags',
    '/profile/rowCount',
    '/profile/profiledAt',
    '/profile/columns',
    '/profile/columns/0/name',
    '/profile/columns/0/nullCount',
    '/profile/columns/0/distinctCount',
    '/profile/columns/0/min',
    '/profile/columns/0/max',
    '/profile/columns/0/valueType',
    '/profile/columns/0/samples',
  ];
  for (const pointer of requiredFields) {
    it(`should name ${pointer} when it is missing`, () => {
      assertRejected(without(fullUpsertEvent(), pointer), pointer, 'required property');
    });
  }

  it('should require the profile when kind is "profile"', () => {
    assertRejected(without(profileEvent(), '/profile'), '/profile', 'required when kind is "profile"');
  });

  it('should report every missing field when several are missing', () => {
    const result = validateChangeEvent({ kind: 'upsert', source: {} });
    assert.equal(result.ok, false);
    const paths = result.errors.map((error) => error.path);
    for (const path of ['/id', '/occurredAt', '/asset', '/source/platform', '/source/instance'])
      assert.ok(paths.includes(path), `${path} missing from ${paths.join(', ')}`);
  });

  it("should report every problem, beyond TypeBox's default of eight, when an event has many", () => {
    const event = changed(fullUpsertEvent(), (e) => {
      asset(e).columns = Array.from({ length: 12 }, (_, i) => ({
        name: `c${i}`,
        type: 'int',
        nullable: 'yes',
      }));
    });
    const result = validateChangeEvent(event);
    assert.equal(result.ok, false);
    assert.equal(result.errors.filter((error) => error.message === 'must be boolean').length, 12);
    assert.equal(Settings.Get().maxErrors, 8, 'the process-wide TypeBox setting is left as it was');
  });

  it('should reject the value when it is not an object', () => {
    assert.deepEqual(validateChangeEvent('event'), {
      ok: false,
      errors: [{ path: '/', message: 'must be object' }],
    });
  });

  const instant = /^must be an ISO-8601 instant with Z or an offset/;
  const longString = 'x'.repeat(LIMITS.sampleLength + 1);
  const invalid: [string, (event: Json) => void, string, string | RegExp][] = [
    ['the id is not a UUID', (e) => (e.id = 'evt-1'), '/id', 'must be a UUID'],
    ['the kind is unknown', (e) => (e.kind = 'merge'), '/kind', /^must be one of "upsert", "delete"/],
    ['the asset type is unknown', (e) => (asset(e).type = 'cube'), '/asset/type', /must be one of/],
    ['occurredAt has no offset', (e) => (e.occurredAt = '2024-05-01T12:00:00'), '/occurredAt', instant],
    ['occurredAt is a date', (e) => (e.occurredAt = '2024-05-01'), '/occurredAt', instant],
    ['occurredAt is not a date', (e) => (e.occurredAt = '2024-02-30T00:00:00Z'), '/occurredAt', instant],
    [
      'profiledAt is epoch millis',
      (e) => (profile(e).profiledAt = 1714564800000),
      '/profile/profiledAt',
      'must be string',
    ],
    [
      'a column has too many samples',
      (e) =>
        (profileColumn(e, 1).samples = Array.from(
          { length: LIMITS.samplesPerColumn + 1 },
          (_, i) => `s${i}`,
        )),
      '/profile/columns/1/samples',
      /more than 100 items/,
    ],
    [
      'a sample is too long',
      (e) => (profileColumn(e, 1).samples = ['ok', longString]),
      '/profile/columns/1/samples/1',
      /more than 1024 characters/,
    ],
    [
      'the samples of one event are too long in all',
      (e) => {
        const samples = Array.from({ length: 100 }, () => 'x'.repeat(1000));
        for (const i of [0, 1, 2])
          Object.assign(profileColumn(e, i), { valueType: 'string', min: null, max: null, samples });
      },
      '/profile/columns',
      'samples hold 300000 characters in all, more than 262144',
    ],
    [
      'the asset has too many columns',
      (e) =>
        (asset(e).columns = Array.from({ length: LIMITS.columns + 1 }, (_, i) => ({
          name: `c${i}`,
          type: 'int',
          nullable: true,
          description: null,
          tags: [],
        }))),
      '/asset/columns',
      /more than 2000 items/,
    ],
    ['a property is unknown', (e) => (asset(e).colour = 'blue'), '/asset/colour', 'unknown property'],
    [
      'the description is a number',
      (e) => (asset(e).description = 7),
      '/asset/description',
      'must be string or null',
    ],
    [
      'the description is too long',
      (e) => (asset(e).description = 'd'.repeat(LIMITS.descriptionLength + 1)),
      '/asset/description',
      /more than 16384 characters/,
    ],
    ['the row count is negative', (e) => (profile(e).rowCount = -1), '/profile/rowCount', /must be >= 0/],
    ['an owner is empty', (e) => (asset(e).owners = ['']), '/asset/owners/0', 'must not be empty'],
    [
      'the platform is uppercase',
      (e) => ((e.source as Json).platform = 'Postgres'),
      '/source/platform',
      /lowercase/,
    ],
    [
      'the URN is not a Steward URN',
      (e) => (asset(e).urn = 'urn:other:x'),
      '/asset/urn',
      /Steward dataset URN/,
    ],
    [
      'the URN is malformed',
      (e) => (asset(e).urn = 'urn:steward:dataset:postgres:prod-eu:shop..customers'),
      '/asset/urn',
      /name part 2 is empty/,
    ],
    [
      'the URN is not canonical',
      (e) => (asset(e).urn = 'urn:steward:dataset:postgres:Prod-EU:shop.public.customers'),
      '/asset/urn',
      'must be canonical: "urn:steward:dataset:postgres:prod-eu:shop.public.customers"',
    ],
    [
      'the URN names a column',
      (e) => (asset(e).urn = 'urn:steward:dataset:postgres:prod-eu:shop.public.customers#email'),
      '/asset/urn',
      'must be a dataset URN, not a column URN',
    ],
    [
      "the platform differs from the URN's",
      (e) => ((e.source as Json).platform = 'mysql'),
      '/source/platform',
      `"mysql" does not match the URN's platform "postgres"`,
    ],
    [
      "the instance differs from the URN's",
      (e) => ((e.source as Json).instance = 'prod-us'),
      '/source/instance',
      `"prod-us" does not match the URN's instance "prod-eu"`,
    ],
    [
      'two asset columns share a name',
      (e) => ((assetColumns(e)[2] as Json).name = 'email'),
      '/asset/columns/2/name',
      'duplicate column "email" (see /asset/columns/1)',
    ],
    [
      'two profile columns share a name',
      (e) => (profileColumn(e, 1).name = 'id'),
      '/profile/columns/1/name',
      'duplicate column "id" (see /profile/columns/0)',
    ],
    [
      'two mysql columns differ only in case',
      (e) => {
        e.source = { platform: 'mysql', instance: 'prod-eu' };
        asset(e).urn = 'urn:steward:dataset:mysql:prod-eu:shop.customers';
        (assetColumns(e)[2] as Json).name = 'EMAIL';
      },
      '/asset/columns/2/name',
      'duplicate column "EMAIL" (see /asset/columns/1)',
    ],
    [
      'a delete carries a profile',
      (e) => (e.kind = 'delete'),
      '/profile',
      'not allowed when kind is "delete"',
    ],
    [
      'an integer min is not an integer',
      (e) => (profileColumn(e, 0).min = '1.5'),
      '/profile/columns/0/min',
      '"1.5" is not a valid integer value',
    ],
    [
      'a date max is not a date',
      (e) => (profileColumn(e, 2).max = '30/04/2024'),
      '/profile/columns/2/max',
      '"30/04/2024" is not a valid date value',
    ],
  ];
  for (const [title, change, path, message] of invalid) {
    it(`should reject the event when ${title}`, () => {
      assertRejected(changed(fullUpsertEvent(), change), path, message);
    });
  }

  const acceptedBounds: [string, string, string][] = [
    ['decimal', '-1.5e3', 'NaN'],
    ['boolean', 'false', 'true'],
    ['timestamp', '2024-05-01T12:00:00', '2024-05-01T12:00:00.5+02:00'],
    ['binary', 'AAEC', '/w=='],
  ];
  for (const [valueType, min, max] of acceptedBounds) {
    it(`should accept min ${min} and max ${max} when the value type is ${valueType}`, () => {
      const event = changed(fullUpsertEvent(), (e) =>
        Object.assign(profileColumn(e, 1), { valueType, min, max }),
      );
      assert.equal(validateChangeEvent(event).ok, true);
    });
  }

  it('should accept an offset instant and a fraction of nanoseconds when timestamps have them', () => {
    const event = changed(fullUpsertEvent(), (e) => (e.occurredAt = '2024-05-01T12:00:00.123456789-03:30'));
    assert.equal(validateChangeEvent(event).ok, true);
  });
});
