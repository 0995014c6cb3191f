import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClassId } from '../../../../processors/compliance/classify/classes.ts';
import { builtinPolicies } from '../../../../processors/compliance/policies/builtins.ts';
import {
  evaluatePolicy,
  sensitivityOfAsset,
  type AssetFacts,
} from '../../../../processors/compliance/policies/evaluate.ts';
import { validatePolicy, type Policy } from '../../../../src/domain/policy.ts';

const now = new Date('2026-12-01T00:00:00Z');
const facts = (
  change: Partial<AssetFacts> = {},
  columns: [string, ClassId, boolean?][] = [],
): AssetFacts => ({
  urn: 'urn:steward:dataset:postgres:prod:shop.public.customers',
  platform: 'postgres',
  owners: ['team-crm'],
  tags: ['retention:365d'],
  description: 'Customers',
  columns: columns.map(([name, cls, masked = false]) => ({ name, classes: [{ class: cls, masked }] })),
  ...change,
});
const policy = (id: string): Policy => builtinPolicies.find((p) => p.id === id) ?? assert.fail(id);
const verdict = (p: Policy, f: AssetFacts): string => {
  const e = evaluatePolicy(p, f, now);
  return !e.applies ? 'n/a' : e.passes ? 'pass' : e.waived ? 'waived' : 'fail';
};

describe('built-in policies', () => {
  const cases: [string, AssetFacts, string][] = [
    ['personal-data-has-owner', facts({ owners: [] }, [['email', 'email']]), 'fail'],
    ['personal-data-has-owner', facts({}, [['email', 'email']]), 'pass'],
    ['personal-data-has-owner', facts({ owners: [] }, [['sku', 'url']]), 'n/a'],
    ['card-numbers-unreadable', facts({}, [['pan', 'payment_card']]), 'fail'],
    ['card-numbers-unreadable', facts({}, [['pan', 'payment_card', true]]), 'pass'],
    ['card-numbers-unreadable', facts({}, [['email', 'email']]), 'n/a'],
    ['no-card-security-codes', facts({}, [['cvv', 'card_security_code']]), 'fail'],
    ['no-card-security-codes', facts({}, [['pan', 'payment_card', true]]), 'pass'],
    ['personal-data-has-retention', facts({ tags: ['tier1'] }, [['dob', 'date_of_birth']]), 'fail'],
    ['personal-data-has-retention', facts({ tags: ['retention:90d'] }, [['dob', 'date_of_birth']]), 'pass'],
    ['health-data-restricted', facts({ tags: [] }, [['dx', 'health_code']]), 'fail'],
    ['health-data-restricted', facts({ tags: ['restricted'] }, [['dx', 'health_code']]), 'pass'],
    ['no-credentials-in-data', facts({}, [['api_key', 'credentials']]), 'fail'],
    ['no-credentials-in-data', facts({}, [['email', 'email']]), 'pass'],
  ];
  for (const [id, f, expected] of cases)
    it(`${id}: ${expected} for ${JSON.stringify(f.columns.map((c) => c.classes[0]))} owners=${f.owners.length} tags=${f.tags.join(',')}`, () => {
      assert.equal(verdict(policy(id), f), expected);
    });

  it('should say which columns fail', () => {
    const e = evaluatePolicy(
      policy('card-numbers-unreadable'),
      facts({}, [
        ['pan', 'payment_card'],
        ['last4', 'payment_card', true],
      ]),
      now,
    );
    assert.deepEqual(e.reasons, ['column pan holds readable payment_card']);
  });

  it('should validate every built-in against the schema', () => {
    for (const p of builtinPolicies) assert.equal(validatePolicy(p).ok, true, p.id);
  });
});

describe('policy interpreter', () => {
  const base = policy('personal-data-has-owner');

  it('should honour a waiver until it expires, and only for its asset', () => {
    const f = facts({ owners: [] }, [['email', 'email']]);
    const waived: Policy = {
      ...base,
      waivers: [{ urn: f.urn, reason: 'migration', grantedBy: 'ana', expiresAt: '2026-12-31T00:00:00Z' }],
    };
    assert.equal(verdict(waived, f), 'waived');
    assert.equal(verdict(waived, { ...f, urn: 'urn:steward:dataset:postgres:prod:other' }), 'fail');
    assert.equal(
      verdict({ ...waived, waivers: [{ ...waived.waivers[0]!, expiresAt: '2026-11-30T00:00:00Z' }] }, f),
      'fail',
    );
  });

  it('should scope on sensitivity, platform, tag families and owners, all of them together', () => {
    const scoped: Policy = {
      ...base,
      scope: { sensitivity: ['restricted'], platforms: ['postgres'], tags: ['tier*'], owners: ['team-crm'] },
      assert: { kind: 'has-description' },
    };
    const f = facts({ tags: ['tier1'], description: null }, [['ssn', 'us_ssn']]);
    assert.equal(verdict(scoped, f), 'fail');
    assert.equal(verdict(scoped, { ...f, platform: 'mysql' }), 'n/a');
    assert.equal(verdict(scoped, { ...f, tags: ['gold'] }), 'n/a');
    assert.equal(verdict(scoped, facts({ tags: ['tier1'], description: null }, [['email', 'email']])), 'n/a');
    assert.equal(verdict({ ...scoped, enabled: false }, f), 'n/a');
  });

  it('should rate an asset by its most sensitive class', () => {
    assert.equal(
      sensitivityOfAsset(
        facts({}, [
          ['email', 'email'],
          ['ssn', 'us_ssn'],
        ]),
      ),
      'restricted',
    );
    assert.equal(sensitivityOfAsset(facts({}, [])), 'none');
  });

  it('should refuse an invalid policy, naming each field', () => {
    const result = validatePolicy({
      ...base,
      id: 'X',
      severity: 'urgent',
      assert: { kind: 'has-tag' },
      extra: 1,
    });
    assert.equal(result.ok, false);
    const paths = result.ok ? [] : result.errors.map((e) => e.path);
    for (const path of ['/id', '/severity', '/assert'])
      assert.ok(
        paths.some((p) => p.startsWith(path)),
        `${path} in ${paths.join(' ')}`,
      );
  });
});
