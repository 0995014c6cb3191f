import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runGraph } from '../../../processors/lineage/edges.ts';
import { demoRunEvents } from '../../../src/demo/lineage.ts';
import { validateRunEvent } from '../../../src/lineage/openlineage.ts';

test("the demo's RunEvents should be valid and link the demo's assets by their URNs", () => {
  const events = demoRunEvents(new Date('2026-12-01T00:00:00Z'), 1, {
    shop: 'demo_shop',
    clinic: 'demo_clinic',
  });
  assert.deepEqual(
    events.map((e) => e.eventType),
    ['START', 'COMPLETE', 'START', 'COMPLETE', 'START', 'COMPLETE'],
  );
  for (const event of events) assert.equal(validateRunEvent(event).ok, true);
  const completes = events.filter((e) => e.eventType === 'COMPLETE').map((e) => runGraph(e, {}));
  assert.deepEqual(
    completes.flatMap((g) => g.edges.map((e) => `${e.upstream} → ${e.downstream}`)),
    [
      'urn:steward:dataset:postgres:shop-prod:demo_shop.public.customers → urn:steward:dataset:snowflake:acme:MARKETING.PUBLIC.LEADS',
      'urn:steward:dataset:postgres:shop-prod:demo_shop.public.customers → urn:steward:dataset:snowflake:acme:ANALYTICS.MART.CUSTOMER_ORDERS',
      'urn:steward:dataset:postgres:shop-prod:demo_shop.public.orders → urn:steward:dataset:snowflake:acme:ANALYTICS.MART.CUSTOMER_ORDERS',
      'urn:steward:dataset:postgres:clinic-db:demo_clinic.care.lab_results → urn:steward:dataset:s3:acme-exports:clinic.lab_results%2Eparquet',
    ],
  );
  assert.equal(
    completes.reduce((n, g) => n + g.columnEdges.length, 0),
    10,
  );
  assert.deepEqual(
    completes.flatMap((g) => g.unmapped),
    [],
  );
});
