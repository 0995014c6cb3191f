/**
 * compliance: classifies each asset's columns from the samples on the changes topic (keeping only the
 * verdicts and their evidence), follows the catalog's view of the asset on the assets topic (owners,
 * tags, description, columns, deletion), takes stewards' decisions and re-evaluation requests on the
 * commands topic, and evaluates the current policies (read from PostgreSQL once per batch) after every
 * change. `handle` is pure: the instant it judges at is the input record's timestamp, or a command's.
 *
 * Lineage (lookup.ts reads it per batch): a column fed by a classified column through an active column
 * edge inherits its effective classes as *propagated*, with the path (propagation.ts); when an asset's
 * effective classes change, the assets its columns feed get a `re-evaluate` command so they read theirs
 * again (the lineage processor sends the same when column edges change). An assets record that carries a
 * breaking schema version, or the asset's deletion, raises one upstream-breaking-change alert per asset
 * downstream of it, for that asset's owners (impact.ts), announced once per version.
 *
 * Effects, in one transaction with its state and the ledger: the asset's compliance row, the violations
 * that changed and one violation_transitions row per transition (deterministic ids, unique), and outbox
 * rows relayed after the commit: the result on steward.compliance.v1 when it changed, each transition and
 * impact alert on steward.alerts.v1 (impact alerts also in `impact_alerts`), re-evaluate commands
 * downstream on steward.commands.v1.
 */
import { acceptChangeEvent } from '../../src/contract/accept.ts';
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import {
  define,
  type Accepted,
  type Emit,
  type HandleResult,
  type InputEvent,
  type ProcessorDefinition,
  type RowWrite,
} from '../../src/domain/processor.ts';
import type { TopicDeclaration } from '../../src/domain/topic.ts';
import { alerts, assets, changes, commands, compliance } from '../../topics/index.ts';
import { acceptAssetEvent, type AssetEvent } from '../metadata-sync/asset-event.ts';
import { RULESET_VERSION } from './classify/classes.ts';
import { classifyColumn } from './classify/classify.ts';
import { parseComplianceCommand, type ComplianceCommand, type DecideClassification } from './commands.ts';
import { commandId, type Command } from '../../src/domain/command.ts';
import { impactAlerts, type ImpactAlert, type UpstreamChange } from './impact.ts';
import { loadComplianceContext, type ComplianceContext } from './lookup.ts';
import { evaluatePolicy } from './policies/evaluate.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { samePropagation } from './propagation.ts';
import { buildResult, resultDigest, type ComplianceResult } from './result.ts';
import {
  columnClasses,
  emptyState,
  factsOf,
  type CatalogFacts,
  type ColumnVerdict,
  type ComplianceState,
} from './state.ts';
import { updateViolations, type Transition } from './violations.ts';

export type { ComplianceState } from './state.ts';

export const COMPLIANCE_TABLE = 'asset_compliance';
export const VIOLATIONS_TABLE = 'violations';
export const TRANSITIONS_TABLE = 'violation_transitions';
export const IMPACT_ALERTS_TABLE = 'impact_alerts';

export type ComplianceInput =
  | { readonly from: 'changes'; readonly event: ChangeEvent }
  | { readonly from: 'assets'; readonly asset: AssetEvent | null }
  | { readonly from: 'commands'; readonly command: ComplianceCommand };

/** A verdict from names alone (columns reported without samples): any profile supersedes it. */
const NAME_ONLY = '1970-01-01T00:00:00.000Z';

/** New verdicts from a change event's samples (or, for columns never profiled, its column names). */
function classifyEvent(
  event: ChangeEvent,
  state: ComplianceState,
): Record<string, ColumnVerdict> | undefined {
  const declared = new Map(
    [...(state.catalog?.columns ?? []), ...(event.asset.columns ?? [])].map((c) => [c.name, c]),
  );
  const verdicts: Record<string, ColumnVerdict> = { ...state.verdicts };
  let changed = false;
  const profile = event.profile;
  if (profile) {
    for (const column of profile.columns) {
      const previous = state.verdicts[column.name];
      if (previous && previous.profiledAt >= profile.profiledAt) continue;
      const known = declared.get(column.name);
      verdicts[column.name] = {
        profiledAt: profile.profiledAt,
        eventId: event.id,
        rulesetVersion: RULESET_VERSION,
        classifications: classifyColumn(
          {
            name: column.name,
            type: known?.type ?? column.valueType,
            description: known?.description ?? null,
            samples: column.samples,
          },
          { asOf: new Date(profile.profiledAt) },
        ),
      };
      changed = true;
    }
  }
  for (const column of event.asset.columns ?? []) {
    if (verdicts[column.name]) continue;
    verdicts[column.name] = {
      profiledAt: NAME_ONLY,
      eventId: event.id,
      rulesetVersion: RULESET_VERSION,
      classifications: classifyColumn(
        { name: column.name, type: column.type, description: column.description, samples: [] },
        { asOf: new Date(event.occurredAt) },
      ),
    };
    changed = true;
  }
  return changed ? verdicts : undefined;
}

/** The oldest rule set among the asset's verdicts: what the rescan sweep looks for. */
function oldestRuleset(state: ComplianceState): string {
  return Object.values(state.verdicts).reduce(
    (oldest, v) => (v.rulesetVersion < oldest ? v.rulesetVersion : oldest),
    RULESET_VERSION,
  );
}

function catalogFacts(asset: AssetEvent): CatalogFacts {
  return {
    revision: asset.revision,
    deleted: asset.deleted,
    platform: asset.platform,
    owners: asset.owners,
    tags: asset.tags,
    description: asset.description,
    columns: asset.columns.map((c) => ({ name: c.name, type: c.type, description: c.description })),
  };
}

function decide(state: ComplianceState, command: DecideClassification): ComplianceState {
  const { [command.class]: _previous, ...others } = state.decisions[command.column] ?? {};
  const column =
    command.decision === 'clear'
      ? others
      : {
          ...others,
          [command.class]: {
            decision: command.decision === 'confirm' ? ('confirmed' as const) : ('rejected' as const),
            by: command.by,
            at: command.at,
            reason: command.reason,
          },
        };
  const { [command.column]: _column, ...rest } = state.decisions;
  return { ...state, decisions: Object.keys(column).length ? { ...rest, [command.column]: column } : rest };
}

/** The state after the input, and the instant to judge at; undefined when the input changes nothing. */
function apply(
  input: ComplianceInput,
  state: ComplianceState,
  timestamp: number,
): { state: ComplianceState; now: Date } | undefined {
  switch (input.from) {
    case 'changes': {
      // A delete takes effect when the catalog says so (assets topic), with the revision it happened at.
      if (input.event.kind === 'delete') return undefined;
      const verdicts = classifyEvent(input.event, state);
      return verdicts && { state: { ...state, verdicts }, now: new Date(timestamp) };
    }
    case 'assets': {
      const asset = input.asset;
      if (asset === null || (state.catalog && asset.revision <= state.catalog.revision)) return undefined;
      return { state: { ...state, catalog: catalogFacts(asset) }, now: new Date(timestamp) };
    }
    case 'commands': {
      const command = input.command;
      if (command.kind === 're-evaluate') return { state, now: new Date(command.asOf) };
      return { state: decide(state, command), now: new Date(command.at) };
    }
  }
}

function transitionRow(t: Transition): RowWrite {
  return {
    table: TRANSITIONS_TABLE,
    mode: 'insert',
    key: { id: t.id },
    values: {
      violation_id: t.violationId,
      seq: t.seq,
      kind: t.kind,
      severity: t.severity,
      at: t.at,
      detail: JSON.stringify({
        policy: t.policy,
        policyVersion: t.policyVersion,
        previousSeverity: t.previousSeverity,
        reasons: t.reasons,
      }),
    },
  };
}

function complianceRow(result: ComplianceResult): RowWrite {
  return {
    table: COMPLIANCE_TABLE,
    mode: 'upsert',
    key: { urn: result.urn },
    values: {
      revision: result.revision,
      columns: JSON.stringify(result.columns),
      sensitivity: result.sensitivity,
      open_violations: result.openViolations.length,
      worst_severity: result.worstSeverity,
      ruleset_version: result.rulesetVersion,
      evaluated_at: result.evaluatedAt,
    },
  };
}

/** What a column's effective classes say, paths included: a change is what downstream assets inherit. */
const inheritable = (columns: ReturnType<typeof columnClasses>): string =>
  JSON.stringify(
    columns.map((c) => [c.name, c.classes.filter((k) => k.effective).map((k) => [k.class, k.path])]),
  );

/** Asks a downstream asset's compliance to read what it inherits again (this asset's classes changed). */
function propagateTo(downstream: string, from: string, revision: number, at: string): Command {
  return {
    id: commandId('propagate', downstream, from, String(revision)),
    kind: 're-evaluate',
    target: 'compliance',
    urn: downstream,
    issuedAt: at,
    issuedBy: 'compliance',
    reason: `classes of upstream ${from} changed`,
    payload: null,
  };
}

function impactRow(alert: ImpactAlert, upstream: string, version: number | null, depth: number): RowWrite {
  return {
    table: IMPACT_ALERTS_TABLE,
    mode: 'insert',
    key: { id: alert.id },
    values: {
      upstream,
      schema_version: version,
      downstream: alert.urn,
      depth,
      owners: alert.owners,
      reasons: JSON.stringify(alert.reasons),
      at: alert.at,
    },
  };
}

/**
 * The impact alerts an assets record raises: for a breaking schema version it reports (the one it carries,
 * not yet announced), or for the asset's deletion; with the new announced version.
 */
function impactOf(
  urn: string,
  input: ComplianceInput,
  before: ComplianceState,
  context: ComplianceContext | undefined,
  at: string,
): { alerts: ImpactAlert[]; rows: RowWrite[]; announced: number | undefined } {
  const none = { alerts: [], rows: [], announced: undefined };
  const impact = context?.impact;
  if (input.from !== 'assets' || !input.asset || !impact?.downstream.length) return none;
  const asset = input.asset;
  const name = asset.qualifiedName || asset.name;
  let change: UpstreamChange;
  if (asset.deleted) {
    if (before.catalog?.deleted || !before.catalog) return none;
    change = { urn, name, version: null, at, reasons: ['the asset was deleted'] };
  } else {
    const version = asset.schemaVersion ?? 0;
    const breaking = impact.breaking.find((b) => b.version === version);
    if (!breaking || version <= (before.alertedSchemaVersion ?? 0)) return none;
    change = { urn, name, version, at: breaking.occurredAt, reasons: breaking.reasons };
  }
  const alerts = impactAlerts(change, impact.downstream, impact.truncated);
  const depth = new Map(impact.downstream.map((d) => [d.urn, d.depth]));
  return {
    alerts,
    rows: alerts.map((a) => impactRow(a, urn, change.version, depth.get(a.urn) ?? 0)),
    announced: change.version ?? undefined,
  };
}

export function handleCompliance(
  event: InputEvent<ComplianceInput>,
  state: ComplianceState | undefined,
  context: ComplianceContext | undefined,
  output: {
    readonly results: TopicDeclaration;
    readonly alerts: TopicDeclaration;
    readonly commands?: TopicDeclaration;
  },
): HandleResult<ComplianceState> {
  const urn = event.key;
  const before = state ?? emptyState();
  const applied = apply(event.value, before, event.timestamp);
  // What lineage says the columns inherit is read fresh for every batch: a change is a change of state.
  const incoming = context?.incoming;
  const inherits = incoming !== undefined && !samePropagation(incoming, before.propagated);
  if (!applied && !inherits) return {};
  const now = applied?.now ?? new Date(event.timestamp);
  let next = applied?.state ?? before;
  if (inherits) next = { ...next, propagated: incoming };
  const impact = impactOf(urn, event.value, before, context, now.toISOString());
  if (impact.announced !== undefined) next = { ...next, alertedSchemaVersion: impact.announced };
  const columns = columnClasses(next);
  const facts = factsOf(urn, next, columns);
  const deleted = next.catalog?.deleted ?? false;
  const policies: ReadonlyMap<string, Policy> = context?.policies ?? new Map<string, Policy>();
  const rows: RowWrite[] = [...impact.rows];
  const emit: Emit[] = impact.alerts.map((a) => ({ topic: output.alerts, key: a.urn, value: a }));

  // Without the catalog's facts (not reported yet) nothing is judged; once deleted, everything resolves.
  if (facts || deleted) {
    const update = updateViolations({
      urn,
      owners: next.catalog?.owners ?? [],
      previous: next.violations,
      policies,
      evaluations: facts ? [...policies.values()].map((p) => evaluatePolicy(p, facts, now)) : [],
      now,
      goneReason: 'the asset was deleted',
    });
    next = { ...next, violations: update.violations };
    for (const v of update.changed)
      rows.push({
        table: VIOLATIONS_TABLE,
        mode: 'upsert',
        key: { id: v.id },
        values: {
          urn,
          policy_id: v.policy,
          policy_version: v.policyVersion,
          episode: v.episode,
          status: v.status,
          severity: v.severity,
          escalated: v.escalated,
          reasons: JSON.stringify(v.reasons),
          opened_at: v.openedAt,
          due_at: v.dueAt,
          resolved_at: v.resolvedAt,
        },
      });
    for (const t of update.transitions) {
      rows.push(transitionRow(t));
      emit.push({ topic: output.alerts, key: urn, value: t });
    }
  }

  const draft = buildResult({
    urn,
    revision: next.revision + 1,
    deleted,
    rulesetVersion: oldestRuleset(next),
    evaluatedAt: now.toISOString(),
    columns,
    violations: next.violations,
  });
  const digest = resultDigest(draft);
  if (digest !== next.digest) {
    next = { ...next, revision: draft.revision, digest };
    rows.unshift(complianceRow(draft));
    emit.unshift({ topic: output.results, key: urn, value: draft });
    if (deleted) emit.splice(1, 0, { topic: output.results, key: urn, value: null });
    // Downstream columns inherit these classes: when what they would inherit changed, they read it again.
    const commandTopic = output.commands;
    if (commandTopic && inheritable(columns) !== inheritable(columnClasses(before)))
      for (const downstream of context?.downstream ?? [])
        emit.push({
          topic: commandTopic,
          key: downstream,
          value: propagateTo(downstream, urn, draft.revision, now.toISOString()),
        });
  }
  return { state: next, effects: { rows, emit } };
}

export function acceptComplianceInput(
  value: unknown,
  topic: TopicDeclaration,
  key: string,
  inputs: {
    readonly changes: TopicDeclaration;
    readonly assets: TopicDeclaration;
    readonly commands?: TopicDeclaration;
  },
): Accepted<ComplianceInput> {
  if (topic.name === inputs.assets.name) {
    const accepted = acceptAssetEvent(value, key);
    if (!accepted.ok) return accepted;
    const asset = 'tombstone' in accepted.value ? null : accepted.value;
    return { ok: true, value: { from: 'assets', asset } };
  }
  if (inputs.commands && topic.name === inputs.commands.name) {
    const accepted = parseComplianceCommand(value, key);
    return accepted.ok ? { ok: true, value: { from: 'commands', command: accepted.value } } : accepted;
  }
  const accepted = acceptChangeEvent(value, key);
  return accepted.ok ? { ok: true, value: { from: 'changes', event: accepted.value } } : accepted;
}

/** The processor; tests bind it to copies of the topics with unique names. */
export function complianceProcessor(
  topics: {
    readonly changes: TopicDeclaration;
    readonly assets: TopicDeclaration;
    readonly commands?: TopicDeclaration;
    readonly results: TopicDeclaration;
    readonly alerts: TopicDeclaration;
  } = { changes, assets, commands, results: compliance, alerts },
): ProcessorDefinition<ComplianceInput, ComplianceState, ComplianceContext> {
  const inputs = topics.commands
    ? [topics.changes, topics.assets, topics.commands]
    : [topics.changes, topics.assets];
  return define<ComplianceInput, ComplianceState, ComplianceContext>({
    name: 'compliance',
    group: 'steward.compliance',
    consumes: inputs,
    produces: topics.commands
      ? [topics.results, topics.alerts, topics.commands]
      : [topics.results, topics.alerts],
    tables: [COMPLIANCE_TABLE, VIOLATIONS_TABLE, TRANSITIONS_TABLE, IMPACT_ALERTS_TABLE],
    idempotency: 'ledger',
    accept: (value, topic, key) => acceptComplianceInput(value, topic, key, topics),
    eventId: (input) =>
      input.from === 'changes' ? input.event.id : input.from === 'commands' ? input.command.id : undefined,
    lookup: loadComplianceContext,
    handle: (event, state, context) => handleCompliance(event, state, context, topics),
  });
}
