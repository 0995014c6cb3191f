import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChangeEvent } from '../../../../src/domain/change-event.ts';
import type { Command } from '../../../../src/domain/command.ts';
import type { Emit, HandleResult, InputEvent, RowWrite } from '../../../../src/domain/processor.ts';
import type { AssetEvent } from '../../../../processors/metadata-sync/asset-event.ts';
import {
  acceptComplianceInput,
  handleCompliance,
  type ComplianceInput,
  type ComplianceState,
} from '../../../../processors/compliance/processor.ts';
import { builtinPolicies } from '../../../../processors/compliance/policies/builtins.ts';
import type { PolicySet } from '../../../../processors/compliance/policies/load.ts';
import type { Policy } from '../../../../src/domain/policy.ts';
import type { ComplianceResult } from '../../../../processors/compliance/result.ts';
import type { Transition } from '../../../../processors/compliance/violations.ts';
import { alerts, assets, changes, commands, compliance } from '../../../../topics/index.ts';
import { assetEvent } from '../indexer/asset-event.ts';
import {
  cardNumbers,
  columnProfile,
  emails,
  profileOf,
  samples,
  securityCodes,
} from '../../../fixtures/compliance.ts';

const urn = 'urn:steward:dataset:postgres:prod:shop.public.payments';
const output = { results: compliance, alerts };
const policySet = (policies: readonly Policy[] = builtinPolicies): PolicySet => ({
  policies: new Map(policies.map((p) => [p.id, p])),
  invalid: [],
});
const T0 = Date.parse('2026-11-02T10:00:00Z');
const hours = (n: number): number => T0 + n * 3_600_000;

let offset = 0;
function record(topic: string, value: ComplianceInput, timestamp: number): InputEvent<ComplianceInput> {
  offset += 1;
  return {
    id: `${topic}/0/${offset}`,
    topic,
    partition: 0,
    offset: String(offset),
    key: urn,
    value,
    timestamp,
    headers: {},
  };
}

const catalog = (revision: number, change: Partial<AssetEvent> = {}): ComplianceInput => ({
  from: 'assets',
  asset: assetEvent(revision, {
    urn,
    name: 'payments',
    qualifiedName: 'shop.public.payments',
    owners: [],
    tags: ['tier1'],
    columns: ['id', 'email', 'card_number', 'cvv'].map((name, i) => ({
      name,
      type: name === 'id' ? 'bigint' : 'text',
      nullable: true,
      description: null,
      tags: [],
      ordinal: i + 1,
      primaryKey: name === 'id',
      unique: null,
    })),
    ...change,
  }),
});

const paymentsProfile = (
  n: number,
  profiledAt: string,
  cards: readonly string[] = cardNumbers,
): ComplianceInput => ({
  from: 'changes',
  event: profileOf(urn, n, profiledAt, [
    columnProfile('id', samples(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'])),
    columnProfile('email', samples(emails)),
    columnProfile('card_number', samples(cards)),
    columnProfile('cvv', samples(securityCodes)),
  ]),
});

const command = (kind: string, payload: object, issuedAt: string, n: number): ComplianceInput => {
  const accepted = acceptComplianceInput(
    {
      id: `cmd-${n}`,
      kind,
      target: 'compliance',
      urn,
      issuedAt,
      issuedBy: 'test',
      reason: null,
      payload: JSON.stringify(payload),
    } satisfies Command,
    commands,
    urn,
    { changes, assets, commands },
  );
  assert.ok(accepted.ok, accepted.ok ? '' : accepted.reason);
  return accepted.value;
};

/** Runs inputs in order from `state`, collecting every effect. */
function run(
  inputs: readonly [ComplianceInput, number][],
  state?: ComplianceState,
  policies: PolicySet = policySet(),
): { state: ComplianceState | undefined; rows: RowWrite[]; emits: Emit[]; transitions: Transition[] } {
  const rows: RowWrite[] = [];
  const emits: Emit[] = [];
  let current = state;
  for (const [value, timestamp] of inputs) {
    const result: HandleResult<ComplianceState> = handleCompliance(
      record(value.from, value, timestamp),
      current,
      policies,
      output,
    );
    if (result.state !== undefined) current = result.state ?? undefined;
    rows.push(...(result.effects?.rows ?? []));
    emits.push(...(result.effects?.emit ?? []));
  }
  const transitions = emits.filter((e) => e.topic === alerts).map((e) => e.value as Transition);
  return { state: current, rows, emits, transitions };
}

const lastResult = (emits: readonly Emit[]): ComplianceResult => {
  const results = emits.filter((e) => e.topic === compliance && e.value !== null);
  return (results.at(-1)?.value as ComplianceResult | undefined) ?? assert.fail('no result emitted');
};
const opened = (transitions: readonly Transition[]): string[] =>
  transitions
    .filter((t) => t.kind === 'opened')
    .map((t) => t.policy)
    .sort();

describe('compliance processor', () => {
  const start: [ComplianceInput, number][] = [
    [catalog(1), hours(0)],
    [paymentsProfile(1, '2026-11-02T10:05:00Z'), hours(0.1)],
  ];

  it('should classify from samples, open a violation per failing policy and publish the result', () => {
    const { emits, rows, transitions } = run(start);
    const result = lastResult(emits);
    const classesOf = (name: string): string[] =>
      result.columns.find((c) => c.name === name)?.classes.map((k) => k.class) ?? [];
    assert.deepEqual(classesOf('card_number'), ['payment_card']);
    assert.deepEqual(classesOf('email'), ['email']);
    assert.deepEqual(classesOf('cvv'), ['card_security_code']);
    assert.equal(result.sensitivity, 'restricted');
    assert.deepEqual(opened(transitions), [
      'card-numbers-unreadable',
      'no-card-security-codes',
      'personal-data-has-owner',
      'personal-data-has-retention',
    ]);
    assert.equal(result.openViolations.length, 4);
    assert.equal(result.worstSeverity, 'critical');
    assert.equal(rows.filter((r) => r.table === 'violation_transitions').length, 4);
    assert.equal(new Set(transitions.map((t) => t.id)).size, 4);
  });

  it('should keep no raw sample in its state, rows or events', () => {
    const { state, rows, emits } = run(start);
    const everything = JSON.stringify({ state, rows, emits });
    for (const value of [...cardNumbers, ...emails])
      assert.ok(!everything.includes(value), `${value} leaked`);
  });

  it('should derive the same transition ids when the same inputs are processed again from scratch', () => {
    const first = run(start);
    const second = run(start);
    assert.deepEqual(
      second.transitions.map((t) => t.id),
      first.transitions.map((t) => t.id),
    );
  });

  it('should emit nothing when a re-evaluation finds nothing new', () => {
    const { state } = run(start);
    const again = run([[command('re-evaluate', {}, '2026-11-02T11:00:00Z', 1), hours(1)]], state);
    assert.equal(again.emits.length, 0);
    assert.equal(again.rows.length, 0);
  });

  it('should resolve the owner violation when the catalog reports an owner, and ignore older revisions', () => {
    const { state } = run(start);
    const owned = run([[catalog(2, { owners: ['team-payments'] }), hours(1)]], state);
    assert.deepEqual(
      owned.transitions.map((t) => [t.kind, t.policy]),
      [['resolved', 'personal-data-has-owner']],
    );
    const stale = run([[catalog(1), hours(2)]], owned.state);
    assert.equal(stale.emits.length, 0);
  });

  it('should escalate once when a violation outlives its SLA', () => {
    const { state } = run(start);
    const late = run(
      [[command('re-evaluate', { asOf: '2026-11-03T11:00:00Z' }, '2026-11-03T11:00:00Z', 2), hours(25)]],
      state,
    );
    assert.deepEqual(late.transitions.map((t) => `${t.kind}:${t.policy}`).sort(), [
      'escalated:card-numbers-unreadable',
      'escalated:no-card-security-codes',
    ]);
    const later = run(
      [[command('re-evaluate', { asOf: '2026-11-04T11:00:00Z' }, '2026-11-04T11:00:00Z', 3), hours(49)]],
      late.state,
    );
    assert.equal(later.transitions.length, 0);
  });

  it("should keep a steward's rejection through later profiles", () => {
    const { state } = run(start);
    const rejected = run(
      [
        [
          command(
            'decide-classification',
            { column: 'cvv', class: 'card_security_code', decision: 'reject', by: 'ana' },
            '2026-11-02T12:00:00Z',
            4,
          ),
          hours(2),
        ],
      ],
      state,
    );
    assert.deepEqual(
      rejected.transitions.map((t) => `${t.kind}:${t.policy}`),
      ['resolved:no-card-security-codes'],
    );
    const reprofiled = run([[paymentsProfile(2, '2026-11-03T10:05:00Z'), hours(24)]], rejected.state);
    assert.equal(reprofiled.transitions.length, 0);
    const cvv = lastResult(rejected.emits).columns.find((c) => c.name === 'cvv')?.classes[0];
    assert.equal(cvv?.status, 'rejected');
    assert.equal(cvv?.effective, false);
  });

  it('should recognise masked card numbers and resolve the readable-card violation', () => {
    const { state } = run(start);
    const masked = cardNumbers.map((c) => `****-****-****-${c.slice(-4)}`);
    const next = run([[paymentsProfile(3, '2026-11-03T10:05:00Z', masked), hours(24)]], state);
    assert.deepEqual(
      next.transitions.map((t) => `${t.kind}:${t.policy}`),
      ['resolved:card-numbers-unreadable'],
    );
  });

  it('should record a severity change and open a new episode with a new id after resolving', () => {
    const { state, transitions } = run(start);
    const milder = builtinPolicies.map((p) =>
      p.id === 'personal-data-has-retention' ? { ...p, version: 2, severity: 'low' as const } : p,
    );
    const changed = run(
      [[command('re-evaluate', {}, '2026-11-02T12:00:00Z', 5), hours(2)]],
      state,
      policySet(milder),
    );
    assert.deepEqual(
      changed.transitions.map((t) => [t.kind, t.previousSeverity, t.severity]),
      [['severity-changed', 'medium', 'low']],
    );
    const tagged = run([[catalog(2, { tags: ['retention:90d'] }), hours(3)]], changed.state);
    const untagged = run([[catalog(3, { tags: [] }), hours(4)]], tagged.state);
    const reopened = untagged.transitions.find((t) => t.policy === 'personal-data-has-retention');
    const first = transitions.find((t) => t.policy === 'personal-data-has-retention');
    assert.equal(reopened?.kind, 'opened');
    assert.notEqual(reopened?.violationId, first?.violationId);
  });

  it('should open violations of a policy created later, with no code change', () => {
    const { state } = run(start);
    const described: Policy = {
      ...builtinPolicies[0]!,
      id: 'payments-described',
      title: 'Payment tables are described',
      scope: { classes: ['payment_card'] },
      assert: { kind: 'has-description' },
      severity: 'low',
    };
    const next = run(
      [[command('re-evaluate', {}, '2026-11-02T12:00:00Z', 6), hours(2)]],
      state,
      policySet([...builtinPolicies, described]),
    );
    assert.deepEqual(opened(next.transitions), []);
    const undescribed = run(
      [[catalog(2, { description: null }), hours(3)]],
      next.state,
      policySet([...builtinPolicies, described]),
    );
    assert.deepEqual(opened(undescribed.transitions), ['payments-described']);
  });

  it('should resolve everything and publish a tombstone when the asset is deleted', () => {
    const { state } = run(start);
    const gone = run([[catalog(2, { deleted: true }), hours(5)]], state);
    assert.equal(gone.transitions.length, 4);
    assert.ok(gone.transitions.every((t) => t.kind === 'resolved'));
    const resultEmits = gone.emits.filter((e) => e.topic === compliance);
    assert.equal((resultEmits[0]?.value as ComplianceResult).deleted, true);
    assert.equal(resultEmits[1]?.value, null);
  });

  it('should refuse malformed commands with a reason and ignore those for other processors', () => {
    const base = {
      id: 'c',
      target: 'compliance',
      urn,
      issuedAt: '2026-11-02T10:00:00Z',
      issuedBy: 't',
      reason: null,
    };
    const accept = (value: object) =>
      acceptComplianceInput(value, commands, urn, { changes, assets, commands });
    const other = accept({ ...base, kind: 'mark-stale', target: 'metadata-sync', payload: null });
    assert.ok(!other.ok && other.ignore);
    const bad = accept({ ...base, kind: 'decide-classification', payload: '{"column":"x","class":"nope"}' });
    assert.ok(!bad.ok && !bad.ignore && /class must be a class id/.test(bad.reason));
    const unknown = accept({ ...base, kind: 'explode', payload: null });
    assert.ok(!unknown.ok && /no command "explode"/.test(unknown.reason));
  });

  it('should judge nothing before the catalog reports the asset', () => {
    const onlyProfile: ChangeEvent = (paymentsProfile(9, '2026-11-02T10:05:00Z') as { event: ChangeEvent })
      .event;
    const { transitions, emits } = run([[{ from: 'changes', event: onlyProfile }, hours(0)]]);
    assert.equal(transitions.length, 0);
    assert.ok(lastResult(emits).columns.length > 0);
  });
});
