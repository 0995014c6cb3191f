import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  connectionUrl,
  labelsOf,
  parseSources,
  scanJobs,
  schemaInScope,
  scopeOf,
  SourceConfigError,
} from '../../../src/scanner/sources.ts';

const shop = { name: 'shop', platform: 'postgres', connection: { env: 'SHOP_DATABASE_URL' } };

describe('parseSources', () => {
  it('should fill the defaults of a minimal declaration', () => {
    const [source] = parseSources({ sources: [shop] });
    assert.deepEqual(
      {
        include: source?.include,
        exclude: source?.exclude,
        sampling: source?.sampling,
        limits: source?.limits,
      },
      {
        include: ['*.*'],
        exclude: [],
        sampling: { rows: 10_000, samplesPerColumn: 20 },
        limits: { concurrency: 2, lockTimeoutMs: 2000, statementTimeoutMs: 30_000 },
      },
    );
  });

  it('should name every problem: platform, name, connection, interval', () => {
    assert.throws(
      () =>
        parseSources({
          sources: [
            {
              name: 'Shop DB',
              platform: 'oracle',
              connection: { url: 'postgres://x' },
              expectedUpdateInterval: '1w',
            },
          ],
        }),
      (error: Error) =>
        error instanceof SourceConfigError &&
        /sources\.0\.name/.test(error.message) &&
        /sources\.0\.platform/.test(error.message) &&
        /sources\.0\.connection/.test(error.message) &&
        /expectedUpdateInterval/.test(error.message),
    );
  });

  it('should refuse a source declared twice and an invalid schedule', () => {
    assert.throws(() => parseSources({ sources: [shop, shop] }), /declared twice/);
    assert.throws(
      () => parseSources({ sources: [{ ...shop, schedule: { cron: 'hourly' } }] }),
      /source shop: job scan-shop: invalid cron expression/,
    );
  });

  it('should declare a scan job per scheduled source only', () => {
    const sources = parseSources({
      sources: [
        { ...shop, schedule: { cron: '0 * * * *' } },
        { name: 'hr', platform: 'mariadb', connection: { file: '/run/secrets/hr' } },
      ],
    });
    assert.deepEqual(
      scanJobs(sources).map((j) => [j.name, j.cron, j.timeZone, j.enabled, j.payload]),
      [['scan-shop', '0 * * * *', 'UTC', true, { source: 'shop' }]],
    );
  });
});

describe('connectionUrl', () => {
  const [source] = parseSources({ sources: [shop] });
  const [fromFile] = parseSources({
    sources: [{ name: 'hr', platform: 'mariadb', connection: { file: '/secrets/hr' } }],
  });
  if (!source || !fromFile) throw new Error('no source');

  it('should read the variable or the file, trimmed', () => {
    assert.equal(
      connectionUrl(source, { SHOP_DATABASE_URL: ' postgres://scan:pw@db/shop\n' }),
      'postgres://scan:pw@db/shop',
    );
    assert.equal(
      connectionUrl(fromFile, {}, () => 'mysql://scan:pw@hr/\n'),
      'mysql://scan:pw@hr/',
    );
  });

  it('should name the variable or file but never the value when it is missing or wrong', () => {
    assert.throws(() => connectionUrl(source, {}), /SHOP_DATABASE_URL holds no connection URL/);
    const secret = 'mysql://scan:hunter2@db/shop';
    assert.throws(
      () => connectionUrl(source, { SHOP_DATABASE_URL: secret }),
      (error: Error) =>
        /SHOP_DATABASE_URL must be a postgres: or postgresql:\/\/ URL/.test(error.message) &&
        !error.message.includes('hunter2'),
    );
    assert.throws(
      () =>
        connectionUrl(fromFile, {}, () => {
          throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
        }),
      /cannot read the secret file \/secrets\/hr: ENOENT/,
    );
  });
});

describe('scope', () => {
  it('should match include and exclude globs over schema.table', () => {
    const inScope = scopeOf({ include: ['public.*', 'sales.order*'], exclude: ['public.tmp_*'] });
    assert.deepEqual(
      [
        ['public', 'customers'],
        ['public', 'tmp_load'],
        ['sales', 'orders'],
        ['sales', 'refunds'],
        ['audit', 'log'],
      ].map(([s, t]) => inScope(s ?? '', t ?? '')),
      [true, false, true, false, false],
    );
  });

  it('should list only schemas an include pattern can match', () => {
    const source = { include: ['public.*', 'sales_*.orders'] };
    assert.deepEqual(
      ['public', 'sales_eu', 'audit'].map((s) => schemaInScope(source, s)),
      [true, true, false],
    );
  });
});

describe('labelsOf', () => {
  it("should add every matching annotation's owners and tags to the source's, once each", () => {
    const source =
      parseSources({
        sources: [
          {
            ...shop,
            owners: ['team-data'],
            tags: ['tier2'],
            annotate: [
              { tables: ['public.pay*'], owners: ['team-checkout'], tags: ['pci'] },
              { tables: ['public.*'], tags: ['tier2', 'shop'] },
            ],
          },
        ],
      })[0] ?? assert.fail('no source');
    assert.deepEqual(labelsOf(source, 'public', 'payments'), {
      owners: ['team-data', 'team-checkout'],
      tags: ['tier2', 'pci', 'shop'],
    });
    assert.deepEqual(labelsOf(source, 'audit', 'log'), { owners: ['team-data'], tags: ['tier2'] });
  });
});

describe('examples/sources.json', () => {
  it('should be a valid declaration with a job per scheduled source', () => {
    const text = readFileSync(new URL('../../../examples/sources.json', import.meta.url), 'utf8');
    const sources = parseSources(JSON.parse(text) as unknown, 'examples/sources.json');
    assert.deepEqual(
      scanJobs(sources).map((j) => j.name),
      ['scan-demo-shop', 'scan-demo-clinic', 'scan-demo-hr'],
    );
  });
});
