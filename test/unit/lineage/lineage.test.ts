import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handleRunEvent, type LineageState } from '../../../processors/lineage/processor.ts';
import { runGraph } from '../../../processors/lineage/edges.ts';
import { identityOf } from '../../../src/lineage/identity.ts';
import { validateRunEvent } from '../../../src/lineage/openlineage.ts';
import { commands } from '../../../topics/index.ts';
import { runEvent, table } from '../../fixtures/openlineage.ts';

const PG = 'postgres://db.example.com:5432';
const instances = { [PG]: 'shop-prod' };
const source = table(PG, 'shop.public.customers', 'id', 'email');
const staging = table(PG, 'shop.staging.customers', 'id', 'email');
const mart = table('snowflake://acme-prod', 'analytics.mart.customers', 'ID', 'EMAIL');
const RUN = '01890f9e-8f4d-7b3c-9d2a-5f6e7a8b9c0d';
const RUN2 = '01890f9e-8f4d-7b3c-9d2a-5f6e7a8b9c0e';

describe('identityOf', () => {
  it("should map each platform's namespace and name to a Steward URN", () => {
    const cases: [string, string, string][] = [
      [PG, 'shop.public.orders', 'urn:steward:dataset:postgres:shop-prod:shop.public.orders'],
      [
        'postgres://10.0.0.5:5432',
        'shop.public.Orders',
        'urn:steward:dataset:postgres:10%2E0%2E0%2E5:shop.public.Orders',
      ],
      ['mysql://hr-db:3306', 'hr.Employees', 'urn:steward:dataset:mysql:hr-db:hr.employees'],
      [
        'snowflake://acme-prod',
        'marketing.public.leads',
        'urn:steward:dataset:snowflake:acme-prod:MARKETING.PUBLIC.LEADS',
      ],
      [
        'bigquery',
        'my-project.sales.orders',
        'urn:steward:dataset:bigquery:my-project:my-project.sales.orders',
      ],
      [
        's3://lake',
        'raw/events/2024/part-0.parquet',
        'urn:steward:dataset:s3:lake:raw.events.2024.part-0%2Eparquet',
      ],
      ['file', '/data/export.csv', 'urn:steward:dataset:file:local:data.export%2Ecsv'],
    ];
    assert.deepEqual(
      cases.map(([namespace, name]) => {
        const identity = identityOf({ namespace, name }, instances);
        return [namespace, name, identity.ok ? identity.urn : identity.reason];
      }),
      cases,
    );
  });

  it('should say why a dataset has no URN', () => {
    const bad = (namespace: string, name: string) => {
      const identity = identityOf({ namespace, name });
      return identity.ok ? identity.urn : identity.reason;
    };
    assert.match(bad('kafka://broker:9092', 'orders'), /scheme "kafka" is not one Steward maps/);
    assert.match(bad(PG, 'orders'), /expected 3 dot-separated parts/);
    assert.match(bad('postgres://', 'a.b.c'), /names no host/);
  });
});

describe('validateRunEvent', () => {
  it('should accept the shapes integrations emit, unknown facets included', () => {
    for (const type of ['START', 'RUNNING', 'COMPLETE', 'FAIL', 'ABORT'] as const) {
      const result = validateRunEvent(
        runEvent({
          type,
          runId: RUN,
          job: 'etl',
          at: '2024-06-01T00:00:00.123456Z',
          inputs: [source],
          outputs: [staging],
        }),
      );
      assert.equal(result.ok, true, JSON.stringify(!result.ok && result.errors));
    }
  });

  it('should refuse a malformed event naming the field', () => {
    const event = runEvent({ type: 'COMPLETE', runId: 'not-a-uuid', job: 'etl', at: 'yesterday' });
    const result = validateRunEvent(event);
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && result.errors.map((e) => e.path).sort(), ['/eventTime', '/run/runId']);
    assert.equal(
      validateRunEvent({
        ...event,
        run: { runId: RUN },
        eventTime: '2024-06-01T00:00:00Z',
        eventType: 'DONE',
      }).ok,
      false,
    );
  });
});

describe('runGraph', () => {
  it('should give every input→output edge and the column edges, in URNs', () => {
    const graph = runGraph(
      runEvent({
        type: 'COMPLETE',
        runId: RUN,
        job: 'etl',
        at: '2024-06-01T00:00:00Z',
        inputs: [source],
        outputs: [staging],
        columns: { email: [[source, 'email']] },
      }),
      instances,
    );
    assert.deepEqual(graph.edges, [
      {
        upstream: 'urn:steward:dataset:postgres:shop-prod:shop.public.customers',
        downstream: 'urn:steward:dataset:postgres:shop-prod:shop.staging.customers',
      },
    ]);
    assert.deepEqual(graph.columnEdges, [
      {
        upstream: 'urn:steward:dataset:postgres:shop-prod:shop.public.customers',
        upstreamColumn: 'email',
        downstream: 'urn:steward:dataset:postgres:shop-prod:shop.staging.customers',
        downstreamColumn: 'email',
      },
    ]);
    assert.deepEqual(graph.outputs[0]?.columns, ['id', 'email']);
  });
});

describe('handleRunEvent', () => {
  const run = (
    type: 'START' | 'COMPLETE' | 'FAIL',
    runId: string,
    at: string,
    outputs = [staging],
    inputs = [source],
  ) =>
    runEvent({
      type,
      runId,
      job: 'etl',
      at,
      inputs,
      outputs,
      columns: { email: [[inputs[0] ?? source, 'email']] },
    });
  const active = (state: LineageState | undefined) =>
    Object.keys(state?.jobs['airflow/etl']?.edges ?? {}).map((k) => (JSON.parse(k) as string[])[1]);

  it('should add edges on START, announce each dataset once, and record the run', () => {
    const first = handleRunEvent(run('START', RUN, '2024-06-01T00:00:00Z'), undefined, instances, commands);
    assert.deepEqual(active(first.state ?? undefined), [
      'urn:steward:dataset:postgres:shop-prod:shop.staging.customers',
    ]);
    assert.deepEqual(
      first.effects?.emit?.map((e) => [e.key, (e.value as { kind: string }).kind]),
      [
        // The new column edge into staging: its compliance reads what it inherits.
        ['urn:steward:dataset:postgres:shop-prod:shop.staging.customers', 're-evaluate'],
        ['urn:steward:dataset:postgres:shop-prod:shop.public.customers', 'placeholder'],
        ['urn:steward:dataset:postgres:shop-prod:shop.staging.customers', 'placeholder'],
      ],
    );
    const reclassify = first.effects?.emit?.[0]?.value as { target: string; issuedBy: string };
    assert.deepEqual([reclassify.target, reclassify.issuedBy], ['compliance', 'lineage']);
    const runRow = first.effects?.rows?.find((r) => r.table === 'lineage_runs');
    assert.deepEqual(
      [runRow?.values['status'], runRow?.values['started_at']],
      ['START', '2024-06-01T00:00:00.000Z'],
    );
    const again = handleRunEvent(
      run('COMPLETE', RUN, '2024-06-01T00:05:00Z'),
      first.state ?? undefined,
      instances,
      commands,
    );
    assert.equal(again.effects?.emit, undefined, 'announced once');
  });

  it("should make a COMPLETE run's edges the job's active set, keeping first-seen times", () => {
    const one = handleRunEvent(run('COMPLETE', RUN, '2024-06-01T00:00:00Z'), undefined, instances, commands);
    const two = handleRunEvent(
      run('COMPLETE', RUN2, '2024-06-02T00:00:00Z', [mart]),
      one.state ?? undefined,
      instances,
      commands,
    );
    assert.deepEqual(active(two.state ?? undefined), [
      'urn:steward:dataset:snowflake:acme-prod:ANALYTICS.MART.CUSTOMERS',
    ]);
    const removed = two.effects?.rows?.filter(
      (r) => r.table === 'lineage_edges' && r.values['active'] === false,
    );
    assert.deepEqual(
      removed?.map((r) => r.key['downstream']),
      ['urn:steward:dataset:postgres:shop-prod:shop.staging.customers'],
    );
    const columnRemoved = two.effects?.rows?.filter(
      (r) => r.table === 'lineage_column_edges' && r.values['active'] === false,
    );
    assert.equal(columnRemoved?.length, 1);
    // Both the asset that lost its column input and the one that gained it re-read their inherited classes.
    assert.deepEqual(
      two.effects?.emit
        ?.filter((e) => (e.value as { kind: string }).kind === 're-evaluate')
        .map((e) => e.key),
      [
        'urn:steward:dataset:postgres:shop-prod:shop.staging.customers',
        'urn:steward:dataset:snowflake:acme-prod:ANALYTICS.MART.CUSTOMERS',
      ],
    );
  });

  it('should change no edge on FAIL, nor on a COMPLETE older than the latest success', () => {
    const one = handleRunEvent(run('COMPLETE', RUN2, '2024-06-02T00:00:00Z'), undefined, instances, commands);
    const failed = handleRunEvent(
      run('FAIL', RUN, '2024-06-03T00:00:00Z', [mart]),
      one.state ?? undefined,
      instances,
      commands,
    );
    assert.deepEqual(
      failed.effects?.rows?.map((r) => r.table),
      ['lineage_runs'],
    );
    const late = handleRunEvent(
      run('COMPLETE', RUN, '2024-06-01T00:00:00Z', [mart]),
      one.state ?? undefined,
      instances,
      commands,
    );
    assert.deepEqual(
      late.effects?.rows?.map((r) => r.table),
      ['lineage_runs'],
    );
    assert.deepEqual(active(late.state ?? undefined), [
      'urn:steward:dataset:postgres:shop-prod:shop.staging.customers',
    ]);
  });
});
