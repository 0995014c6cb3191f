/**
 * `steward doctor`: checks that this configuration can run Steward — every dependency reachable, the
 * migrations applied, every declared topic present with its partitions and settings, every value schema
 * registered and compatible, the asset index and its alias in place — and names the fix for each failure.
 * Read only: it changes nothing (`steward topics apply`, `steward migrate` and `steward start` do).
 */
import { registeredForm } from '../adapters/registry.ts';
import type { SourceReader } from '../scanner/model.ts';
import { openReader } from '../scanner/readers.ts';
import { loadSources, schemaInScope, type SourceDeclaration } from '../scanner/sources.ts';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import type { Admin } from 'kafkajs';
import type { Pool } from '../adapters/postgres/pool.ts';
import { ASSET_MAPPING_VERSION, aliasName } from '../adapters/elasticsearch/asset-index.ts';
import { describeTopics, effectiveSettings, type LiveTopic } from '../adapters/topics-admin.ts';
import type { Config } from '../config.ts';
import { valueSubject, type TopicDeclaration } from '../domain/topic.ts';
import type { Check } from '../observability/health-server.ts';
import { projectRoot } from '../paths.ts';

export type Verdict = 'ok' | 'warn' | 'fail';

export interface Finding {
  readonly check: string;
  readonly verdict: Verdict;
  readonly detail: string;
  /** What to do about a warn or fail. */
  readonly fix?: string;
}

export interface DoctorDeps {
  readonly config: Config;
  readonly reachability: Readonly<Record<string, Check>>;
  readonly admin: Admin;
  readonly pool: Pool;
  readonly elasticsearch: Client;
  /** GET/POST against the schema registry (auth applied), returning status and JSON body. */
  readonly registry: (path: string, body?: unknown) => Promise<{ status: number; body: unknown }>;
  readonly topics: readonly TopicDeclaration[];
  readonly timeoutMs?: number;
  /** Opens a scanned source (tests pass their own); src/scanner/readers.ts's openReader by default. */
  readonly openSource?: (source: SourceDeclaration) => SourceReader;
}

const REACH_FIX: Readonly<Record<string, string>> = {
  kafka: 'check KAFKA_BROKERS (and KAFKA_SSL_*, KAFKA_SASL_*); locally: npm run stack:up',
  schemaRegistry: 'check SCHEMA_REGISTRY_URL (and its credentials); locally: npm run stack:up',
  elasticsearch: 'check ELASTICSEARCH_URL (and its credentials); locally: npm run stack:up',
  postgres: 'check DATABASE_URL (and DATABASE_SSL*); the database must exist',
  redis: 'check REDIS_URL (and REDIS_PASSWORD, REDIS_TLS)',
};

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${String(ms)} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function reachability(deps: DoctorDeps, timeoutMs: number): Promise<Finding[]> {
  return Promise.all(
    Object.entries(deps.reachability).map(async ([name, probe]): Promise<Finding> => {
      try {
        await withTimeout(probe(), timeoutMs, name);
        return { check: `${name} reachable`, verdict: 'ok', detail: 'answers' };
      } catch (error) {
        return {
          check: `${name} reachable`,
          verdict: 'fail',
          detail: messageOf(error),
          fix: REACH_FIX[name] ?? 'check its configuration',
        };
      }
    }),
  );
}

/** The migration files not yet recorded in `pgmigrations`. */
export function pendingMigrations(files: readonly string[], applied: readonly string[]): string[] {
  const done = new Set(applied);
  return files.map((f) => f.replace(/\.sql$/, '')).filter((name) => !done.has(name));
}

async function migrations(deps: DoctorDeps): Promise<Finding> {
  const files = readdirSync(join(projectRoot(), 'migrations'))
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const table = await deps.pool.query<{ present: boolean }>(
    `SELECT to_regclass('pgmigrations') IS NOT NULL AS present`,
  );
  const applied = table.rows[0]?.present
    ? (await deps.pool.query<{ name: string }>('SELECT name FROM pgmigrations')).rows.map((r) => r.name)
    : [];
  const pending = pendingMigrations(files, applied);
  return pending.length
    ? {
        check: 'migrations applied',
        verdict: 'fail',
        detail: `${String(pending.length)} of ${String(files.length)} pending, first ${pending[0] ?? ''}`,
        fix: 'steward migrate (steward start applies them too)',
      }
    : { check: 'migrations applied', verdict: 'ok', detail: `all ${String(files.length)}` };
}

/** How a live topic differs from its declaration: missing, fewer partitions, settings that differ. */
export function topicFinding(topic: TopicDeclaration, brokers: number, live: LiveTopic | undefined): Finding {
  const check = `topic ${topic.name}`;
  if (!live) return { check, verdict: 'fail', detail: 'missing', fix: 'steward topics apply' };
  if (live.partitions < topic.partitions)
    return {
      check,
      verdict: 'fail',
      detail: `${String(live.partitions)} partitions, declared ${String(topic.partitions)}`,
      fix: 'steward topics apply (adds partitions; keys of existing records keep their partition)',
    };
  const { config } = effectiveSettings(topic, brokers);
  const differing = Object.entries(config)
    .filter(([name, value]) => live.config.get(name) !== value)
    .map(([name, value]) => `${name}=${live.config.get(name) ?? 'unset'} (declared ${value})`);
  if (differing.length)
    return { check, verdict: 'warn', detail: differing.join(', '), fix: 'steward topics apply' };
  const extra =
    live.partitions > topic.partitions ? `, ${String(live.partitions)} partitions (more than declared)` : '';
  return {
    check,
    verdict: 'ok',
    detail: `${String(live.partitions)} partitions${extra}, settings as declared`,
  };
}

async function topicFindings(deps: DoctorDeps): Promise<Finding[]> {
  const brokers = (await deps.admin.describeCluster()).brokers.length;
  const live = await describeTopics(
    deps.admin,
    deps.topics.map((t) => t.name),
  );
  return deps.topics.map((topic) => topicFinding(topic, brokers, live.get(topic.name)));
}

async function schemaFindings(deps: DoctorDeps): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const topic of deps.topics) {
    const form = registeredForm(topic);
    if (!form) continue;
    const subject = valueSubject(topic);
    const check = `schema ${subject}`;
    const { schema, type: schemaType } = form;
    const registered = await deps.registry(`/subjects/${encodeURIComponent(subject)}`, {
      schema,
      schemaType,
    });
    if (registered.status === 200) {
      findings.push({ check, verdict: 'ok', detail: 'registered as declared' });
      continue;
    }
    const errorCode = (registered.body as { error_code?: unknown } | null)?.error_code;
    if (errorCode === 40401) {
      findings.push({ check, verdict: 'fail', detail: 'not registered', fix: 'steward topics apply' });
      continue;
    }
    const compatible = await deps.registry(
      `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest`,
      { schema, schemaType },
    );
    const isCompatible = (compatible.body as { is_compatible?: unknown } | null)?.is_compatible;
    if (isCompatible === true)
      findings.push({
        check,
        verdict: 'warn',
        detail: 'the declared schema is not registered yet; it is compatible with the latest version',
        fix: 'steward topics apply (registers it as the next version)',
      });
    else
      findings.push({
        check,
        verdict: 'fail',
        detail: `the declared schema is not compatible with the registered one (${JSON.stringify(compatible.body).slice(0, 200)})`,
        fix: 'follow the upgrade rules for event schemas (README: upgrading event schemas); never force it',
      });
  }
  return findings;
}

async function indexFinding(deps: DoctorDeps): Promise<Finding> {
  const alias = aliasName(deps.config.elasticsearch.indexPrefix);
  const check = `index ${alias}`;
  const exists = await deps.elasticsearch.indices.existsAlias({ name: alias });
  if (!exists)
    return {
      check,
      verdict: 'fail',
      detail: 'the alias is missing',
      fix: 'steward start (or steward run indexer) creates it',
    };
  const mappings = await deps.elasticsearch.indices.getMapping({ index: alias });
  const versions = Object.entries(mappings).map(
    ([index, { mappings: m }]) =>
      [index, Number((m._meta as { version?: unknown } | undefined)?.version ?? 0)] as const,
  );
  const old = versions.filter(([, version]) => version < ASSET_MAPPING_VERSION);
  if (old.length)
    return {
      check,
      verdict: 'warn',
      detail: `${old.map(([index, version]) => `${index} has mapping version ${String(version)}`).join(', ')}; this Steward writes ${String(ASSET_MAPPING_VERSION)}`,
      fix: 'steward run indexer upgrades additive changes; otherwise steward reindex',
    };
  return { check, verdict: 'ok', detail: `→ ${versions.map(([index]) => index).join(', ')}` };
}

function configFindings(config: Config): Finding[] {
  const findings: Finding[] = [];
  if (config.api.auth === 'open')
    findings.push({
      check: 'API authentication',
      verdict: config.env === 'production' ? 'fail' : 'warn',
      detail: 'API_AUTH=open: every caller is an admin (loopback only)',
      fix: 'set API_AUTH=required with API_JWT_SECRET or API_JWKS_URL, or use API keys (steward apikey create)',
    });
  else findings.push({ check: 'API authentication', verdict: 'ok', detail: 'required' });
  if (!config.notifier.signingSecret)
    findings.push({
      check: 'notifier signing secret',
      verdict: 'warn',
      detail: 'NOTIFIER_SIGNING_SECRET is not set: only endpoints with their own secret variable get alerts',
      fix: 'set NOTIFIER_SIGNING_SECRET (32+ characters)',
    });
  return findings;
}

/**
 * The scanned sources (SCAN_SOURCES_FILE): the declaration is valid, each source's connection URL is where
 * it says, and the database answers and lists its schemas in scope (read only, like a scan).
 */
export async function sourceFindings(
  config: Config,
  open: (source: SourceDeclaration) => SourceReader,
  timeoutMs: number,
): Promise<Finding[]> {
  const file = config.scan.sourcesFile;
  if (!file) return [];
  let sources: SourceDeclaration[];
  try {
    sources = loadSources(file);
  } catch (error) {
    return [{ check: 'scan sources', verdict: 'fail', detail: messageOf(error), fix: `fix ${file}` }];
  }
  const findings: Finding[] = [
    { check: 'scan sources', verdict: 'ok', detail: `${sources.length} declared in ${file}` },
  ];
  for (const source of sources) {
    const check = `source ${source.name}`;
    let reader: SourceReader;
    try {
      reader = open(source);
    } catch (error) {
      const where =
        'env' in source.connection ? `set ${source.connection.env}` : `provide ${source.connection.file}`;
      findings.push({
        check,
        verdict: 'fail',
        detail: messageOf(error),
        fix: `${where} to the ${source.platform} URL`,
      });
      continue;
    }
    try {
      const schemas = (await withTimeout(reader.schemas(), timeoutMs, check)).filter((s) =>
        schemaInScope(source, s),
      );
      findings.push(
        schemas.length
          ? {
              check,
              verdict: 'ok',
              detail: `answers; schemas in scope: ${schemas.slice(0, 5).join(', ')}${schemas.length > 5 ? ', …' : ''}`,
            }
          : {
              check,
              verdict: 'warn',
              detail: 'answers, but no schema matches its include patterns',
              fix: "check include/exclude and the user's privileges",
            },
      );
    } catch (error) {
      findings.push({
        check,
        verdict: 'fail',
        detail: messageOf(error),
        fix: "check the URL, the network and the user's privileges",
      });
    } finally {
      await reader.close().catch(() => undefined);
    }
  }
  return findings;
}

/** Every check, in order; a dependency that cannot be reached skips the checks that need it. */
export async function runDoctor(deps: DoctorDeps): Promise<Finding[]> {
  const timeoutMs = deps.timeoutMs ?? 5000;
  const reach = await reachability(deps, timeoutMs);
  const up = new Set(reach.filter((f) => f.verdict === 'ok').map((f) => f.check.replace(/ reachable$/, '')));
  const skipped = (check: string, needs: string): Finding => ({
    check,
    verdict: 'fail',
    detail: `not checked: ${needs} is unreachable`,
    fix: `fix ${needs} first`,
  });
  const guarded = async (check: string, needs: string, run: () => Promise<Finding | Finding[]>) => {
    if (!up.has(needs)) return [skipped(check, needs)];
    try {
      const found = await withTimeout(run(), timeoutMs * 4, check);
      return Array.isArray(found) ? found : [found];
    } catch (error) {
      return [{ check, verdict: 'fail' as const, detail: messageOf(error), fix: REACH_FIX[needs] ?? '' }];
    }
  };
  return [
    ...configFindings(deps.config),
    ...reach,
    ...(await guarded('migrations applied', 'postgres', () => migrations(deps))),
    ...(await guarded('topics', 'kafka', () => topicFindings(deps))),
    ...(await guarded('schemas', 'schemaRegistry', () => schemaFindings(deps))),
    ...(await guarded('asset index', 'elasticsearch', () => indexFinding(deps))),
    ...(await sourceFindings(deps.config, deps.openSource ?? ((source) => openReader(source)), timeoutMs)),
  ];
}

const MARK: Readonly<Record<Verdict, string>> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

/** One line per finding: verdict, check, detail, and the fix for a warn or fail. */
export function formatFindings(findings: readonly Finding[]): string[] {
  const width = Math.max(...findings.map((f) => f.check.length));
  return findings.map(
    (f) =>
      `${MARK[f.verdict]}  ${f.check.padEnd(width)}  ${f.detail}${f.fix && f.verdict !== 'ok' ? `  → ${f.fix}` : ''}`,
  );
}
