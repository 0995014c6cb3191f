import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Emit, InputEvent } from '../../../../src/domain/processor.ts';
import type { Command } from '../../../../src/domain/command.ts';
import { handleCompliance, type ComplianceInput } from '../../../../processors/compliance/processor.ts';
import type { ComplianceContext } from '../../../../processors/compliance/lookup.ts';
import {
  MAX_PROPAGATION_HOPS,
  incomingClasses,
  type IncomingEdge,
  type PathHop,
  type UpstreamClass,
} from '../../../../processors/compliance/propagation.ts';
import type { ComplianceResult } from '../../../../processors/compliance/result.ts';
import type { ImpactAlert } from '../../../../processors/compliance/impact.ts';
import { alerts, commands, compliance } from '../../../../topics/index.ts';
import { assetEvent } from '../indexer/asset-event.ts';

const SOURCE = 'urn:steward:dataset:postgres:prod:shop.public.customers';
const STAGING = 'urn:steward:dataset:postgres:prod:shop.staging.customers';
const MART = 'urn:steward:dataset:snowflake:acme:ANALYTICS.MART.CUSTOMERS';
const output = { results: compliance, alerts, commands };
const T0 = Date.parse('2026-11-02T10:00:00Z');

const email = (effective = true, path: PathHop[] | null = null): UpstreamClass => ({
  class: 'email',
  confidence: 0.97,
  effective,
  path,
});
const edge = (
  upstream: string,
  upstreamColumn: string,
  downstreamColumn: string,
  job = 'dbt/stg',
): IncomingEdge => ({
  upstream,
  upstreamColumn,
  downstreamColumn,
  job,
});
const published = (
  entries: [string, string, UpstreamClass[]][],
): Map<string, Map<string, UpstreamClass[]>> => {
  const map = new Map<string, Map<string, UpstreamClass[]>>();
  for (const [urn, column, classes] of entries) {
    const columns = map.get(urn) ?? new Map<string, UpstreamClass[]>();
    columns.set(column, classes);
    map.set(urn, columns);
  }
  return map;
};

describe('incomingClasses', () => {
  it('should extend the path of a class that was itself propagated, origin first', () => {
    const fromSource = [{ urn: SOURCE, column: 'email', job: 'dbt/stg' }];
    const got = incomingClasses(
      MART,
      [edge(STAGING, 'email', 'contact', 'dbt/mart')],
      published([[STAGING, 'email', [email(true, fromSource)]]]),
    );
    assert.deepEqual(got, {
      contact: [
        {
          class: 'email',
          confidence: 0.97,
          path: [...fromSource, { urn: STAGING, column: 'email', job: 'dbt/mart' }],
        },
      ],
    });
  });

  it('should not propagate what is not effective upstream (rejected or low-confidence)', () => {
    const got = incomingClasses(
      STAGING,
      [edge(SOURCE, 'email', 'email')],
      published([[SOURCE, 'email', [email(false)]]]),
    );
    assert.deepEqual(got, {});
  });

  it('should refuse a path through the column itself (a lineage cycle) and paths past the hop limit', () => {
    const cyclic = incomingClasses(
      SOURCE,
      [edge(STAGING, 'email', 'email')],
      published([[STAGING, 'email', [email(true, [{ urn: SOURCE, column: 'email', job: 'j' }])]]]),
    );
    assert.deepEqual(cyclic, {});
    const long: PathHop[] = Array.from({ length: MAX_PROPAGATION_HOPS }, (_, i) => ({
      urn: `urn:steward:dataset:postgres:prod:db.s.t${i}`,
      column: 'c',
      job: 'j',
    }));
    const tooLong = incomingClasses(
      MART,
      [edge(STAGING, 'email', 'email')],
      published([[STAGING, 'email', [email(true, long)]]]),
    );
    assert.deepEqual(tooLong, {});
  });

  it('should keep the shortest of several paths, whatever order the edges come in', () => {
    const viaStaging = [{ urn: SOURCE, column: 'email', job: 'a' }];
    const edges = [edge(STAGING, 'email', 'contact', 'b'), edge(SOURCE, 'email', 'contact', 'c')];
    const classes = published([
      [STAGING, 'email', [email(true, viaStaging)]],
      [SOURCE, 'email', [email(true)]],
    ]);
    const one = incomingClasses(MART, edges, classes);
    const other = incomingClasses(MART, edges.toReversed(), classes);
    assert.deepEqual(one, other);
    assert.deepEqual(one['contact']?.[0]?.path, [{ urn: SOURCE, column: 'email', job: 'c' }]);
  });
});

let offset = 0;
const record = (key: string, value: ComplianceInput, at = T0): InputEvent<ComplianceInput> => {
  offset += 1;
  return {
    id: `t/0/${offset}`,
    topic: value.from,
    partition: 0,
    offset: String(offset),
    key,
    value,
    timestamp: at,
    headers: {},
  };
};
const context = (extra: Partial<ComplianceContext> = {}): ComplianceContext => ({
  policies: new Map(),
  invalid: [],
  ...extra,
});
const martCatalog = (revision: number, schemaVersion = 1, deleted = false): ComplianceInput => ({
  from: 'assets',
  asset: assetEvent(revision, {
    urn: MART,
    name: 'CUSTOMERS',
    qualifiedName: 'ANALYTICS.MART.CUSTOMERS',
    owners: ['mart-team'],
    tags: [],
    deleted,
    schemaVersion,
    columns: ['id', 'contact'].map((name, i) => ({
      name,
      type: 'text',
      nullable: true,
      description: null,
      tags: [],
      ordinal: i + 1,
      primaryKey: null,
      unique: null,
    })),
  }),
});
const reevaluate: ComplianceInput = {
  from: 'commands',
  command: { kind: 're-evaluate', id: 'c1', urn: MART, asOf: new Date(T0).toISOString() },
};
const inherited = {
  contact: [
    {
      class: 'email' as const,
      confidence: 0.97,
      path: [
        { urn: SOURCE, column: 'email', job: 'dbt/stg' },
        { urn: STAGING, column: 'email', job: 'dbt/mart' },
      ],
    },
  ],
};
const resultOf = (emits: readonly Emit[] | undefined): ComplianceResult | undefined =>
  emits?.find((e) => e.topic === compliance)?.value as ComplianceResult | undefined;

describe('handleCompliance: classification propagation', () => {
  const known = handleCompliance(record(MART, martCatalog(1)), undefined, context(), output).state;
  assert.ok(known);

  it('should publish an inherited class as propagated and effective, with its path, and tell downstream', () => {
    const got = handleCompliance(
      record(MART, reevaluate),
      known,
      context({ incoming: inherited, downstream: ['urn:steward:dataset:s3:lake:reports/customers'] }),
      output,
    );
    const contact = resultOf(got.effects?.emit)?.columns.find((c) => c.name === 'contact');
    assert.deepEqual(
      contact?.classes.map((k) => [k.class, k.status, k.effective, k.path?.length]),
      [['email', 'propagated', true, 2]],
    );
    assert.equal(resultOf(got.effects?.emit)?.sensitivity, 'confidential');
    const asked = got.effects?.emit?.filter((e) => e.topic === commands).map((e) => e.value as Command);
    assert.deepEqual(
      asked?.map((c) => [c.urn, c.kind, c.target]),
      [['urn:steward:dataset:s3:lake:reports/customers', 're-evaluate', 'compliance']],
    );
    // The same inheritance read again changes nothing and asks nobody.
    const again = handleCompliance(
      record(MART, reevaluate),
      got.state ?? undefined,
      context({ incoming: inherited, downstream: ['urn:steward:dataset:s3:lake:reports/customers'] }),
      output,
    );
    assert.equal(again.effects?.emit?.length ?? 0, 0);
  });

  it('should show a class a steward rejected as rejected and not effective, and drop it when lineage stops', () => {
    const withClass = handleCompliance(
      record(MART, reevaluate),
      known,
      context({ incoming: inherited }),
      output,
    ).state;
    const rejected = handleCompliance(
      record(MART, {
        from: 'commands',
        command: {
          kind: 'decide-classification',
          id: 'c2',
          urn: MART,
          column: 'contact',
          class: 'email',
          decision: 'reject',
          by: 'steward@example.com',
          at: new Date(T0).toISOString(),
          reason: 'hashed upstream',
        },
      }),
      withClass ?? undefined,
      context({ incoming: inherited }),
      output,
    );
    const contact = resultOf(rejected.effects?.emit)?.columns.find((c) => c.name === 'contact');
    assert.deepEqual(
      contact?.classes.map((k) => [k.status, k.effective, k.decidedBy]),
      [['rejected', false, 'steward@example.com']],
    );
    assert.equal(resultOf(rejected.effects?.emit)?.sensitivity, 'none');
    const gone = handleCompliance(
      record(MART, reevaluate),
      withClass ?? undefined,
      context({ incoming: {} }),
      output,
    );
    assert.deepEqual(resultOf(gone.effects?.emit)?.columns, []);
  });
});

describe('handleCompliance: breaking-change alerts downstream', () => {
  const downstream = [
    { urn: STAGING, depth: 1, owners: ['staging-team'] },
    { urn: MART, depth: 2, owners: ['mart-team', 'bi@example.com'] },
  ];
  const impact = {
    breaking: [{ version: 2, occurredAt: '2026-11-02T09:59:00.000Z', reasons: ['dropped email: removed'] }],
    downstream,
    truncated: false,
  };
  const sourceCatalog = (revision: number, schemaVersion: number, deleted = false): ComplianceInput => ({
    from: 'assets',
    asset: assetEvent(revision, {
      urn: SOURCE,
      name: 'customers',
      qualifiedName: 'shop.public.customers',
      schemaVersion,
      deleted,
    }),
  });
  const first = handleCompliance(record(SOURCE, sourceCatalog(1, 1)), undefined, context(), output).state;

  it("should alert each downstream asset's owners once per breaking version", () => {
    const got = handleCompliance(
      record(SOURCE, sourceCatalog(2, 2)),
      first ?? undefined,
      context({ impact }),
      output,
    );
    const sent = got.effects?.emit?.filter((e) => e.topic === alerts).map((e) => e.value as ImpactAlert);
    assert.deepEqual(
      sent?.map((a) => [a.urn, a.kind, a.owners]),
      [
        [STAGING, 'upstream-breaking-change', ['staging-team']],
        [MART, 'upstream-breaking-change', ['mart-team', 'bi@example.com']],
      ],
    );
    assert.ok(sent?.[1]?.reasons.includes('dropped email: removed'));
    assert.match(sent?.[1]?.reasons[0] ?? '', /2 hops upstream/);
    assert.deepEqual(
      got.effects?.rows
        ?.filter((r) => r.table === 'impact_alerts')
        .map((r) => [r.values['downstream'], r.values['schema_version']]),
      [
        [STAGING, 2],
        [MART, 2],
      ],
    );
    // A later record of the same version (a new revision for other reasons) announces nothing again.
    const later = handleCompliance(
      record(SOURCE, sourceCatalog(3, 2)),
      got.state ?? undefined,
      context({ impact }),
      output,
    );
    assert.equal(later.effects?.emit?.filter((e) => e.topic === alerts).length ?? 0, 0);
    // A version that was not breaking announces nothing.
    const fine = handleCompliance(
      record(SOURCE, sourceCatalog(4, 3)),
      got.state ?? undefined,
      context({ impact }),
      output,
    );
    assert.equal(fine.effects?.emit?.filter((e) => e.topic === alerts).length ?? 0, 0);
  });

  it('should alert downstream owners when the asset is deleted, with the same ids on redelivery', () => {
    const twice = [1, 2].map(() =>
      handleCompliance(
        record(SOURCE, sourceCatalog(2, 1, true)),
        first ?? undefined,
        context({ impact }),
        output,
      ),
    );
    const ids = twice.map((r) =>
      r.effects?.emit?.filter((e) => e.topic === alerts).map((e) => (e.value as ImpactAlert).id),
    );
    assert.equal(ids[0]?.length, 2);
    assert.deepEqual(ids[0], ids[1]);
    const titles = twice[0]?.effects?.emit
      ?.filter((e) => e.topic === alerts)
      .map((e) => (e.value as ImpactAlert).title);
    assert.match(titles?.[0] ?? '', /was deleted/);
  });
});
