import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEMO_DATABASES,
  createTableSql,
  demoSource,
  mysqlType,
  rowsOf,
} from '../../../src/demo/databases.ts';
import { LAB_RESULTS } from '../../../src/demo/events.ts';
import { labelsOf } from '../../../src/scanner/sources.ts';

const db = (source: string) => DEMO_DATABASES.find((d) => d.source === source) ?? assert.fail(source);

describe('demo databases', () => {
  it('should put the shop and the clinic on PostgreSQL and HR on MariaDB, each in its own database', () => {
    assert.deepEqual(
      DEMO_DATABASES.map((d) => [d.source, d.engine, d.database, d.instance, d.tables.length]),
      [
        ['demo-shop', 'postgres', 'demo_shop', 'shop-prod', 5],
        ['demo-hr', 'mariadb', 'demo_hr', 'hr-db', 3],
        ['demo-clinic', 'postgres', 'demo_clinic', 'clinic-db', 3],
      ],
    );
  });

  it("should declare each as a scan source carrying the catalog's owners and tags per table", () => {
    const shop = demoSource(db('demo-shop'));
    assert.deepEqual(
      [shop.platform, shop.instance, shop.include, shop.connection],
      ['postgres', 'shop-prod', ['public.*'], { env: 'DEMO_SHOP_URL' }],
    );
    assert.deepEqual(labelsOf(shop, 'public', 'payments'), { owners: ['team-checkout'], tags: ['pci'] });
    const clinic = demoSource(db('demo-clinic'));
    assert.deepEqual(labelsOf(clinic, 'care', 'lab_results'), {
      owners: [...LAB_RESULTS.owners],
      tags: [...LAB_RESULTS.tags],
    });
    assert.deepEqual(demoSource(db('demo-hr')).include, ['demo_hr.*']);
  });

  it('should create tables with keys and comments in each dialect', () => {
    const employees = db('demo-hr').tables.find((t) => t.path.join('.') === 'hr.employees') ?? assert.fail();
    const [mariadb] = createTableSql(db('demo-hr'), employees);
    assert.match(mariadb ?? '', /^CREATE TABLE `demo_hr`\.`employees` \(`employee_id` bigint PRIMARY KEY, /);
    assert.match(mariadb ?? '', /`tax_id` varchar\(11\) COMMENT 'Steuer-ID'/);
    const customers =
      db('demo-shop').tables.find((t) => t.path.join('.') === 'shop.public.customers') ?? assert.fail();
    const postgres = createTableSql(db('demo-shop'), customers);
    assert.equal(postgres[0], 'CREATE SCHEMA IF NOT EXISTS "public"');
    assert.match(postgres[1] ?? '', /^CREATE TABLE "public"\."customers" \("id" bigint PRIMARY KEY, /);
    assert.ok(postgres.some((s) => s.startsWith('COMMENT ON COLUMN "public"."customers"."email" IS ')));
    assert.deepEqual(['timestamp with time zone', 'numeric(12,2)', 'varchar(32)'].map(mysqlType), [
      'DATETIME(6)',
      'DECIMAL(12,2)',
      'varchar(32)',
    ]);
  });

  it('should generate the same rows for the same seed, timestamps without a zone for MariaDB', () => {
    const customers = db('demo-shop').tables[0] ?? assert.fail();
    assert.deepEqual(rowsOf('postgres', customers, 1, 0, 5), rowsOf('postgres', customers, 1, 0, 5));
    assert.notDeepEqual(rowsOf('postgres', customers, 2, 0, 5), rowsOf('postgres', customers, 1, 0, 5));
    const created = customers.columns.findIndex((c) => c.valueType === 'timestamp');
    const value = rowsOf('mariadb', customers, 1, 0, 1)[0]?.[created];
    assert.match(value ?? '', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/);
  });
});
