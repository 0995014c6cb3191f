/**
 * Every mutation the API makes, each in one PostgreSQL transaction with its audit entry (`api_audit`,
 * append-only) and the commands it sends (the transactional outbox, relayed after the commit by
 * OutboxRelay): a mutation that committed is audited and its commands are delivered, at least once, even
 * if the API dies right after; one that failed left nothing behind. Commands carry deterministic ids, so
 * the processor that owns the state (metadata-sync for curation, compliance for classification decisions
 * and re-evaluation) applies each once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from '../../domain/command.ts';
import { commandId } from '../../domain/command.ts';
import { CURATE, type CurationPatch } from '../../domain/curation.ts';
import type { FieldError } from '../../domain/field-errors.ts';
import type { TopicDeclaration } from '../../domain/topic.ts';
import { putPolicyIn } from './policy-store.ts';
import { inTransaction, type Pool, type PoolClient } from './pool.ts';
import { insertOutbox, type OutboxRow } from './state-store.ts';
import type { Policy } from '../../domain/policy.ts';

/** The outbox's `processor` for the API's rows: its relay sweeps only these. */
export const API_OUTBOX = 'api';

export interface AuditRecord {
  readonly principal: string;
  readonly action: string;
  readonly target: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** The asset as a steward sees it before curating: what the catalog shows now. */
export interface CuratedView {
  readonly owners: readonly string[];
  readonly tags: readonly string[];
  readonly description: string | null;
}

export interface Acknowledgement {
  readonly by: string;
  readonly at: string;
  readonly note: string | null;
}

export type ClassDecision = 'confirm' | 'reject';

export type PolicyWrite =
  | { readonly ok: true; readonly policy: Policy; readonly changed: boolean }
  | { readonly ok: false; readonly status: 404 | 409 | 400; readonly errors: readonly FieldError[] };

export interface ApiMutations {
  /** Null when the asset is not in the catalog (or deleted). */
  curate(
    principal: string,
    urn: string,
    patch: CurationPatch,
  ): Promise<{ commandId: string; before: CuratedView } | null>;
  /** `unknown-asset` or `unknown-column` when the catalog has no such asset or column. */
  decideClassification(
    principal: string,
    target: { urn: string; column: string; class: string },
    decision: ClassDecision,
    reason: string | null,
  ): Promise<{ commandId: string } | 'unknown-asset' | 'unknown-column'>;
  /** Null when there is no such violation; an existing acknowledgement is returned as it is. */
  acknowledge(
    principal: string,
    violationId: string,
    note: string | null,
  ): Promise<{ acknowledgement: Acknowledgement; created: boolean } | null>;
  /** `create` refuses an existing id (409), `update` an unknown one (404). Changed policies re-evaluate. */
  putPolicy(principal: string, definition: unknown, mode: 'create' | 'update'): Promise<PolicyWrite>;
  /** Stores a disabled next version (history is kept); null when unknown. */
  disablePolicy(principal: string, id: string): Promise<PolicyWrite | null>;
}

async function audit(client: PoolClient, record: AuditRecord): Promise<void> {
  await client.query(
    `INSERT INTO api_audit (principal, action, target, before, after) VALUES ($1, $2, $3, $4, $5)`,
    [
      record.principal,
      record.action,
      record.target,
      record.before === undefined ? null : JSON.stringify(record.before),
      record.after === undefined ? null : JSON.stringify(record.after),
    ],
  );
}

export interface ApiMutationOptions {
  readonly pool: Pool;
  readonly commands: TopicDeclaration;
  /** Publishes rows right after their commit (OutboxRelay.publish); a failure is left to the sweep. */
  readonly publish: (rows: readonly OutboxRow[]) => Promise<void>;
  /** Asks compliance to re-evaluate every live asset (after a policy change); runs after the commit. */
  readonly reevaluateAll: (reason: string) => Promise<void>;
  readonly clock?: () => Date;
  /** How long an answer waits for its commands' fast-path publish (default 2 s). */
  readonly publishWaitMs?: number;
}

export function apiMutations(options: ApiMutationOptions): ApiMutations {
  const { pool, commands } = options;
  const now = (): string => (options.clock?.() ?? new Date()).toISOString();

  /** Runs `fn` in a transaction, queues its commands in the outbox, and relays them after the commit. */
  async function mutate<T>(
    fn: (client: PoolClient) => Promise<{ value: T; commands?: readonly Command[] }>,
  ): Promise<T> {
    const { value, rows } = await inTransaction(pool, async (client) => {
      const done = await fn(client);
      const queued = await insertOutbox(
        client,
        API_OUTBOX,
        (done.commands ?? []).map((command) => ({
          topic: commands.name,
          key: command.urn ?? '',
          value: command,
          headers: {},
        })),
      );
      return { value: done.value, rows: queued };
    });
    // Committed: delivery is now the relay's job. The answer waits for the fast path a little (so a client
    // that reads right after usually sees the command on its way), never for a Kafka outage: the sweep
    // publishes what is left, and a row published twice is applied once (deterministic command ids).
    const published = options.publish(rows).catch(() => undefined);
    await Promise.race([published, sleep(options.publishWaitMs ?? 2000, undefined, { ref: false })]);
    return value;
  }

  async function liveAsset(client: PoolClient, urn: string): Promise<CuratedView | null> {
    const { rows } = await client.query<CuratedView>(
      `SELECT owners, tags, description FROM assets WHERE urn = $1 AND NOT deleted FOR SHARE`,
      [urn],
    );
    return rows[0] ?? null;
  }

  async function storePolicy(
    principal: string,
    definition: unknown,
    check: (client: PoolClient, id: string) => Promise<PolicyWrite | null>,
    action: string,
  ): Promise<PolicyWrite> {
    const id =
      typeof definition === 'object' && definition !== null && 'id' in definition
        ? String(definition.id)
        : '';
    const written = await inTransaction(pool, async (client): Promise<PolicyWrite> => {
      // One writer at a time per policy id: versions are assigned in order.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`policy:${id}`]);
      const refused = await check(client, id);
      if (refused) return refused;
      const before = await client.query<{ definition: Policy }>(
        'SELECT definition FROM policies WHERE id = $1 ORDER BY version DESC LIMIT 1',
        [id],
      );
      const result = await putPolicyIn(client, definition, principal);
      if (!result.ok) return { ok: false, status: 400, errors: result.errors };
      if (result.changed)
        await audit(client, {
          principal,
          action,
          target: `policy:${result.policy.id}`,
          before: before.rows[0]?.definition ?? null,
          after: result.policy,
        });
      return result;
    });
    if (written.ok && written.changed)
      await options.reevaluateAll(`policy ${written.policy.id} v${written.policy.version} by ${principal}`);
    return written;
  }

  const policyExists = async (client: PoolClient, id: string): Promise<boolean> =>
    ((await client.query('SELECT 1 FROM policies WHERE id = $1 LIMIT 1', [id])).rowCount ?? 0) > 0;

  return {
    curate: (principal, urn, patch) =>
      mutate(async (client) => {
        const before = await liveAsset(client, urn);
        if (!before) return { value: null };
        const issuedAt = now();
        const id = commandId(CURATE, issuedAt, principal, urn, JSON.stringify(patch));
        await audit(client, { principal, action: 'asset.curate', target: urn, before, after: patch });
        const command: Command = {
          id,
          kind: CURATE,
          target: 'metadata-sync',
          urn,
          issuedAt,
          issuedBy: principal,
          reason: null,
          payload: JSON.stringify(patch),
        };
        return { value: { commandId: id, before }, commands: [command] };
      }),

    decideClassification: (principal, target, decision, reason) =>
      mutate<{ commandId: string } | 'unknown-asset' | 'unknown-column'>(async (client) => {
        if (!(await liveAsset(client, target.urn))) return { value: 'unknown-asset' as const };
        const { rows } = await client.query<{ present: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM jsonb_array_elements(columns) c WHERE c->>'name' = $2) AS present
             FROM schema_versions WHERE urn = $1 ORDER BY version DESC LIMIT 1`,
          [target.urn, target.column],
        );
        if (!rows[0]?.present) return { value: 'unknown-column' as const };
        const issuedAt = now();
        const id = commandId('classification', issuedAt, principal, target.urn, target.column, target.class);
        await audit(client, {
          principal,
          action: `classification.${decision}`,
          target: `${target.urn}#${target.column}`,
          before: null,
          after: { class: target.class, decision, reason },
        });
        const command: Command = {
          id,
          kind: 'decide-classification',
          target: 'compliance',
          urn: target.urn,
          issuedAt,
          issuedBy: principal,
          reason,
          payload: JSON.stringify({
            column: target.column,
            class: target.class,
            decision,
            by: principal,
            reason,
          }),
        };
        return { value: { commandId: id }, commands: [command] };
      }),

    acknowledge: (principal, violationId, note) =>
      mutate<{ acknowledgement: Acknowledgement; created: boolean } | null>(async (client) => {
        const found = await client.query('SELECT 1 FROM violations WHERE id = $1 FOR SHARE', [violationId]);
        if (!found.rowCount) return { value: null };
        const inserted = await client.query<{ by: string; at: Date; note: string | null }>(
          `INSERT INTO violation_acknowledgements (violation_id, acknowledged_by, note) VALUES ($1, $2, $3)
           ON CONFLICT (violation_id) DO NOTHING
           RETURNING acknowledged_by AS by, acknowledged_at AS at, note`,
          [violationId, principal, note],
        );
        const created = inserted.rows[0];
        if (created) {
          await audit(client, {
            principal,
            action: 'violation.acknowledge',
            target: `violation:${violationId}`,
            before: null,
            after: { note },
          });
          return { value: { acknowledgement: { ...created, at: created.at.toISOString() }, created: true } };
        }
        const { rows } = await client.query<{ by: string; at: Date; note: string | null }>(
          `SELECT acknowledged_by AS by, acknowledged_at AS at, note FROM violation_acknowledgements
            WHERE violation_id = $1`,
          [violationId],
        );
        const existing = rows[0] ?? { by: principal, at: new Date(), note };
        return { value: { acknowledgement: { ...existing, at: existing.at.toISOString() }, created: false } };
      }),

    putPolicy: (principal, definition, mode) =>
      storePolicy(
        principal,
        definition,
        async (client, id) => {
          const exists = await policyExists(client, id);
          if (mode === 'create' && exists)
            return { ok: false, status: 409, errors: [{ path: '/id', message: `policy ${id} exists` }] };
          if (mode === 'update' && !exists)
            return { ok: false, status: 404, errors: [{ path: '/id', message: `no policy ${id}` }] };
          return null;
        },
        mode === 'create' ? 'policy.create' : 'policy.update',
      ),

    async disablePolicy(principal, id) {
      const { rows } = await pool.query<{ definition: Policy }>(
        'SELECT definition FROM policies WHERE id = $1 ORDER BY version DESC LIMIT 1',
        [id],
      );
      const current = rows[0]?.definition;
      if (!current) return null;
      return storePolicy(
        principal,
        { ...current, enabled: false },
        () => Promise.resolve(null),
        'policy.disable',
      );
    },
  };
}
