/**
 * The built-in policies, written in the policy schema like any other (schema.ts) and stored in
 * PostgreSQL with their version when compliance starts; a steward may disable or waive them there.
 */
import { PERSONAL_CLASSES } from '../classify/classes.ts';
import { validatePolicy, type Policy } from '../../../src/domain/policy.ts';

const common = (): Pick<Policy, 'version' | 'waivers' | 'enabled'> => ({
  version: 1,
  waivers: [],
  enabled: true,
});

export const builtinPolicies: readonly Policy[] = [
  {
    ...common(),
    id: 'personal-data-has-owner',
    title: 'Assets with personal data have an owner',
    description: 'Someone must be accountable for every asset that holds personal data.',
    severity: 'high',
    scope: { classes: [...PERSONAL_CLASSES] },
    assert: { kind: 'has-owner' },
    remediation: 'Assign an owning team or person to the asset (producer ownership or curation).',
    slaHours: 168,
    references: ['GDPR Art. 5(2) (accountability)', 'GDPR Art. 24'],
  },
  {
    ...common(),
    id: 'card-numbers-unreadable',
    title: 'Card numbers are never stored readable',
    description: 'A primary account number is rendered unreadable wherever it is stored.',
    severity: 'critical',
    scope: { classes: ['payment_card'] },
    assert: { kind: 'values-masked', classes: ['payment_card'] },
    remediation: 'Store a token, a truncated or a hashed card number instead, or encrypt the column.',
    slaHours: 24,
    references: ['PCI DSS v4.0 Requirement 3.5.1'],
  },
  {
    ...common(),
    id: 'no-card-security-codes',
    title: 'Card security codes are not stored after authorisation',
    description: 'Card verification codes (CVV2, CVC2, CID) must not be retained after authorisation.',
    severity: 'critical',
    scope: {},
    assert: { kind: 'class-absent', classes: ['card_security_code'] },
    remediation: 'Drop the column and purge its values; never persist the security code.',
    slaHours: 24,
    references: ['PCI DSS v4.0 Requirement 3.3.1.2'],
  },
  {
    ...common(),
    id: 'personal-data-has-retention',
    title: 'Assets with personal data carry a retention tag',
    description: 'Personal data is kept no longer than necessary: its retention period is declared.',
    severity: 'medium',
    scope: { classes: [...PERSONAL_CLASSES] },
    assert: { kind: 'has-tag', anyOf: ['retention:*'] },
    remediation: 'Tag the asset with its retention period, e.g. retention:90d.',
    slaHours: 720,
    references: ['GDPR Art. 5(1)(e) (storage limitation)'],
  },
  {
    ...common(),
    id: 'health-data-restricted',
    title: 'Special-category data (health) is tagged restricted',
    description: 'Assets holding health data are marked restricted so access rules apply to them.',
    severity: 'high',
    scope: { classes: ['health_code'] },
    assert: { kind: 'has-tag', anyOf: ['restricted'] },
    remediation: 'Tag the asset restricted and review who can read it.',
    slaHours: 72,
    references: ['GDPR Art. 9', 'HIPAA 45 CFR 164.514'],
  },
  {
    ...common(),
    id: 'no-credentials-in-data',
    title: 'Credentials never appear in data columns',
    description: 'Passwords, API keys, tokens and private keys belong in a secret store, not in data.',
    severity: 'critical',
    scope: {},
    assert: { kind: 'class-absent', classes: ['credentials'] },
    remediation: 'Rotate the exposed secrets, remove the column, and keep secrets in a vault.',
    slaHours: 24,
    references: ['OWASP ASVS 2.10', 'CWE-798'],
  },
];

// Written in the schema: a built-in that does not validate is a bug caught at import.
for (const policy of builtinPolicies) {
  const result = validatePolicy(policy);
  if (!result.ok)
    throw new Error(`built-in policy ${policy.id} is invalid: ${JSON.stringify(result.errors)}`);
}
