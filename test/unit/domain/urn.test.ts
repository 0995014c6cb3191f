import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_URN_LENGTH,
  UrnError,
  canonicalizeUrn,
  columnUrn,
  datasetUrn,
  isCanonicalUrn,
  parseUrn,
  type DatasetUrnParts,
} from '../../../src/domain/urn.ts';

const pg = (path: string[], quoted?: boolean[]): DatasetUrnParts => ({
  platform: 'postgres',
  instance: 'prod-eu',
  path,
  ...(quoted ? { quoted } : {}),
});
const exact = (platform: string, path: string[]): DatasetUrnParts => ({
  platform,
  instance: 'main',
  path,
  quoted: path.map(() => true),
});

describe('datasetUrn and parseUrn', () => {
  const roundTrips: [string, DatasetUrnParts][] = [
    ['a plain postgres table', pg(['shop', 'public', 'customers'])],
    ['dots inside parts', exact('postgres', ['my.db', 'public', 'v1.2.orders'])],
    ['slashes', exact('s3', ['raw', '2024/05', 'a/b/c.parquet'])],
    ["'#', '?' and ':'", exact('bigquery', ['p#1', 'what?', 'a:b:c'])],
    ['spaces and controls', exact('file', ['My Documents', 'line\nbreak\ttab\u0000nul\u007f'])],
    ['non-ASCII letters', exact('mysql', ['données', 'клиенты', '客户'])],
    ['astral characters', exact('file', ['🎉party', '𝔘nicode'])],
    ['percent signs and escape look-alikes', exact('file', ['100%', '%41', '%2E%zz', '%'])],
    ['characters kept raw', exact('file', ["~!$&'()*+,;=@-_", 'A-Z_0-9'])],
    ['URI delimiters that must be encoded', exact('file', ['"<>\\^`{|}[]'])],
    ['quoted mixed-case postgres names', pg(['Shop', 'Public', 'MixedCase Table'], [true, true, true])],
    ['quoted lowercase snowflake names', exact('snowflake', ['analytics', 'public', 'orders'])],
    [
      'unquoted snowflake names',
      { platform: 'snowflake', instance: 'acme', path: ['ANALYTICS', 'PUBLIC', 'ORDERS'] },
    ],
  ];
  for (const [title, parts] of roundTrips) {
    it(`should give the parts back when the name has ${title}`, () => {
      const urn = datasetUrn(parts);
      assert.deepEqual(parseUrn(urn), {
        platform: parts.platform,
        instance: parts.instance,
        path: parts.path,
      });
      assert.equal(isCanonicalUrn(urn), true);
      assert.match(urn, /^urn:steward:dataset:[a-z0-9_-]+:[^:#]+:[^:#]+$/);
      assert.match(urn, /^[\x21-\x7e]+$/, 'printable ASCII only');
    });
  }

  const columns = ['email', 'E-Mail', 'a.b', 'x#y', 'what?', '100%', 'ünïcödé', 'with space', '🎉🎉'];
  for (const column of columns) {
    it(`should give the column back when the column is ${JSON.stringify(column)}`, () => {
      const dataset = datasetUrn(pg(['shop', 'public', 'customers']));
      const urn = columnUrn(dataset, column);
      assert.ok(urn.startsWith(`${dataset}#`));
      assert.deepEqual(parseUrn(urn), { ...parseUrn(dataset), column });
      assert.equal(isCanonicalUrn(urn), true);
    });
  }

  const canonical: [string, DatasetUrnParts, string][] = [
    [
      'postgres folds unquoted parts to lowercase',
      pg(['Shop', 'PUBLIC', 'Customers']),
      'postgres:prod-eu:shop.public.customers',
    ],
    [
      'postgres keeps quoted parts',
      pg(['Shop', 'public', 'MyTable'], [false, false, true]),
      'postgres:prod-eu:shop.public.MyTable',
    ],
    ['postgres folds only ASCII letters', pg(['ÉTÉ']), 'postgres:prod-eu:%C3%89t%C3%89'],
    [
      'snowflake folds unquoted parts to uppercase',
      { platform: 'snowflake', instance: 'acme', path: ['analytics', 'Public', 'orders'] },
      'snowflake:acme:ANALYTICS.PUBLIC.ORDERS',
    ],
    [
      'snowflake keeps quoted parts',
      { platform: 'snowflake', instance: 'acme', path: ['analytics', 'orders'], quoted: [false, true] },
      'snowflake:acme:ANALYTICS.orders',
    ],
    ['mysql lowercases quoted parts too', exact('mysql', ['Shop', 'Users']), 'mysql:main:shop.users'],
    [
      'mariadb lowercases like mysql',
      { platform: 'mariadb', instance: 'main', path: ['ÉCOLE'] },
      'mariadb:main:%C3%A9cole',
    ],
    [
      'bigquery keeps case',
      { platform: 'bigquery', instance: 'gcp', path: ['Acme-Prod', 'Sales', 'Orders'] },
      'bigquery:gcp:Acme-Prod.Sales.Orders',
    ],
    [
      's3 keeps case',
      { platform: 's3', instance: 'lake', path: ['Bucket', 'Key.CSV'] },
      's3:lake:Bucket.Key%2ECSV',
    ],
    [
      'platform and instance are lowercased',
      { platform: 'PostgreS', instance: 'Prod-EU', path: ['a'] },
      'postgres:prod-eu:a',
    ],
    [
      'the instance is encoded like a name',
      { platform: 'kafka', instance: 'broker-1.example.com:9092', path: ['orders'] },
      'kafka:broker-1%2Eexample%2Ecom%3A9092:orders',
    ],
  ];
  for (const [title, parts, expected] of canonical) {
    it(`should build urn:steward:dataset:${expected} when ${title}`, () => {
      assert.equal(datasetUrn(parts), `urn:steward:dataset:${expected}`);
    });
  }

  it('should lowercase the column when the platform is mysql', () => {
    const dataset = datasetUrn(exact('mysql', ['shop', 'users']));
    assert.equal(columnUrn(dataset, 'Email'), `${dataset}#email`);
  });

  const badParts: [string, DatasetUrnParts, RegExp][] = [
    [
      'the platform has a dot',
      { platform: 'my.sql', instance: 'x', path: ['a'] },
      /platform "my\.sql" must match/,
    ],
    ['the platform is empty', { platform: '', instance: 'x', path: ['a'] }, /platform "" must match/],
    [
      'the instance is empty',
      { platform: 'pg', instance: '', path: ['a'] },
      /the instance must not be empty/,
    ],
    ['the path is empty', { platform: 'pg', instance: 'x', path: [] }, /at least one part/],
    ['a part is empty', { platform: 'pg', instance: 'x', path: ['a', ''] }, /name part 2 must not be empty/],
    ['a part has a lone surrogate', { platform: 'pg', instance: 'x', path: ['\ud800'] }, /lone surrogate/],
    [
      'quoted has more flags than parts',
      { platform: 'pg', instance: 'x', path: ['a'], quoted: [true, true] },
      /2 flags for 1/,
    ],
    [
      'the URN would be too long',
      { platform: 'pg', instance: 'x', path: ['é'.repeat(1000)] },
      /more than 4096/,
    ],
  ];
  for (const [title, parts, message] of badParts) {
    it(`should throw UrnError when ${title}`, () => {
      assert.throws(
        () => datasetUrn(parts),
        (error) => error instanceof UrnError && message.test(error.message),
      );
    });
  }

  it('should throw UrnError when columnUrn is given a column URN', () => {
    const column = columnUrn(datasetUrn(pg(['a'])), 'c');
    assert.throws(() => columnUrn(column, 'd'), /is a column URN, not a dataset URN/);
  });
});

describe('canonicalizeUrn', () => {
  const spellings: [string, string, string][] = [
    ['the prefix is uppercase', 'URN:STEWARD:dataset:postgres:p:a.b', 'urn:steward:dataset:postgres:p:a.b'],
    [
      'platform and instance are mixed case',
      'urn:steward:dataset:Postgres:Prod-EU:a',
      'urn:steward:dataset:postgres:prod-eu:a',
    ],
    [
      'hex digits are lowercase',
      'urn:steward:dataset:file:x:a%2eb%c3%a9',
      'urn:steward:dataset:file:x:a%2Eb%C3%A9',
    ],
    [
      'a character is escaped needlessly',
      'urn:steward:dataset:file:x:%41%5F%7E',
      'urn:steward:dataset:file:x:A_~',
    ],
    [
      'a mysql name is uppercase',
      'urn:steward:dataset:mysql:x:Shop.Users#Email',
      'urn:steward:dataset:mysql:x:shop.users#email',
    ],
    [
      'a postgres name is mixed case',
      'urn:steward:dataset:postgres:x:Shop.Users#Email',
      'urn:steward:dataset:postgres:x:Shop.Users#Email',
    ],
    ['a column has a needless escape', 'urn:steward:dataset:file:x:a#%62', 'urn:steward:dataset:file:x:a#b'],
  ];
  for (const [title, urn, expected] of spellings) {
    it(`should give ${expected} when ${title}`, () => {
      assert.equal(canonicalizeUrn(urn), expected);
      assert.equal(isCanonicalUrn(urn), urn === expected);
      assert.equal(isCanonicalUrn(expected), true);
    });
  }
});

describe('parseUrn', () => {
  const malformed: [string, string, RegExp][] = [
    ['it is not a URN', 'postgres://prod/shop', /a Steward URN starts with "urn:steward:"/],
    ['it is another namespace', 'urn:isbn:0451450523', /a Steward URN starts with "urn:steward:"/],
    [
      'the entity type is unknown',
      'urn:steward:table:pg:x:a',
      /unsupported entity type "table" \(expected dataset\)/,
    ],
    [
      'it stops after the platform',
      'urn:steward:dataset:postgres',
      /expected urn:steward:dataset:<platform>:<instance>:<name>/,
    ],
    ['it is only the prefix', 'urn:steward', /expected urn:steward:dataset:<platform>:<instance>:<name>/],
    [
      'a name holds a raw colon',
      'urn:steward:dataset:pg:x:a:b',
      /':' inside a name must be percent-encoded as %3A/,
    ],
    ['the platform has a space', 'urn:steward:dataset:p g:x:a', /the platform must match/],
    ['the instance is empty', 'urn:steward:dataset:pg::a', /the instance is empty/],
    ['the name is empty', 'urn:steward:dataset:pg:x:', /name part 1 is empty/],
    ['a part is empty', 'urn:steward:dataset:pg:x:a..b', /name part 2 is empty/],
    ['the name ends with a dot', 'urn:steward:dataset:pg:x:a.', /name part 2 is empty/],
    [
      'a name holds a raw space',
      'urn:steward:dataset:pg:x:a b',
      /character " " at index 26 in name part 1 must be percent-encoded/,
    ],
    [
      'a name holds a raw slash',
      'urn:steward:dataset:pg:x:a.b/c',
      /character "\/" at index 28 in name part 2/,
    ],
    [
      'a name holds raw non-ASCII',
      'urn:steward:dataset:pg:x:café',
      /character "é" at index 28 in name part 1/,
    ],
    [
      'a percent sign is not an escape',
      'urn:steward:dataset:pg:x:100%',
      /'%' at index 28 in name part 1 is not followed by two hex digits/,
    ],
    ['an escape is not UTF-8', 'urn:steward:dataset:pg:x:%C3', /name part 1 is not percent-encoded UTF-8/],
    ['the column is empty', 'urn:steward:dataset:pg:x:a#', /the column is empty/],
    [
      'the column holds a raw hash',
      'urn:steward:dataset:pg:x:a#b#c',
      /character "#" at index 28 in the column/,
    ],
    [
      'it is too long',
      `urn:steward:dataset:pg:x:${'a'.repeat(MAX_URN_LENGTH)}`,
      /longer than 4096 characters/,
    ],
  ];
  for (const [title, urn, message] of malformed) {
    it(`should throw UrnError when ${title}`, () => {
      assert.throws(
        () => parseUrn(urn),
        (error) =>
          error instanceof UrnError && message.test(error.message) && error.message.startsWith('invalid URN'),
      );
      assert.equal(isCanonicalUrn(urn), false);
      assert.throws(() => canonicalizeUrn(urn), UrnError);
    });
  }

  it('should quote a long URN shortened when it reports it', () => {
    const urn = `urn:steward:dataset:pg:x:${'a'.repeat(200)} b`;
    assert.throws(
      () => parseUrn(urn),
      (error) => error instanceof Error && error.message.length < 300,
    );
  });
});
