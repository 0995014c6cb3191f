/**
 * Scanned sources, declared as data (a JSON file named by SCAN_SOURCES_FILE; examples/sources.json).
 *
 * A source names its connection URL indirectly, by an environment variable or a secret file, so the
 * declaration can be committed and logged: the URL itself is read only when a scan connects, and never
 * logged or stored. Include/exclude patterns are globs (picomatch) over `<schema>.<table>`: on PostgreSQL
 * the schema inside the URL's database, on MySQL/MariaDB the database.
 */
import { readFileSync } from 'node:fs';
import picomatch from 'picomatch';
import { z } from 'zod';
import { validateJob, type JobDeclaration } from '../domain/schedule.ts';

export const SCAN_PLATFORMS = ['postgres', 'mysql', 'mariadb'] as const;
export type ScanPlatform = (typeof SCAN_PLATFORMS)[number];

const interval = z
  .string()
  .regex(/^[1-9]\d{0,5}[mhd]$/, 'expected <n>m, <n>h or <n>d, e.g. 24h')
  .describe('how often the data is expected to change: becomes a freshness:<interval> tag');

const connection = z.union(
  [
    z.strictObject({
      env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name'),
    }),
    z.strictObject({ file: z.string().min(1) }),
  ],
  { error: 'expected {"env": "<VARIABLE>"} or {"file": "<path>"} naming the connection URL' },
);

const sourceSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, 'lower-case letters, digits and dashes, at most 41'),
  platform: z.enum(SCAN_PLATFORMS),
  /** The URN instance; the source name unless set. */
  instance: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'lower-case letters, digits, ".", "_" or "-"')
    .optional(),
  connection,
  include: z.array(z.string().min(1)).min(1).default(['*.*']),
  exclude: z.array(z.string().min(1)).default([]),
  /** Scheduled scans: a timer job `scan-<name>`; absent: only `steward scan <name>` scans it. */
  schedule: z
    .strictObject({
      cron: z.string(),
      timeZone: z.string().default('UTC'),
      enabled: z.boolean().default(true),
    })
    .optional(),
  sampling: z
    .strictObject({
      /** Rows read per table for the profile; 0 turns profiling (and sampling) off. */
      rows: z.number().int().min(0).max(1_000_000).default(10_000),
      /** Distinct sample values per column, published for classification and never stored. */
      samplesPerColumn: z.number().int().min(0).max(100).default(20),
    })
    .prefault({}),
  expectedUpdateInterval: interval.optional(),
  owners: z.array(z.string().min(1).max(256)).max(20).default([]),
  tags: z.array(z.string().min(1).max(256)).max(20).default([]),
  /** Owners and tags for the tables matching `tables` (globs over `<schema>.<table>`), added to the source's. */
  annotate: z
    .array(
      z.strictObject({
        tables: z.array(z.string().min(1)).min(1),
        owners: z.array(z.string().min(1).max(256)).max(20).default([]),
        tags: z.array(z.string().min(1).max(256)).max(20).default([]),
      }),
    )
    .default([]),
  limits: z
    .strictObject({
      /** Tables read at once. */
      concurrency: z.number().int().min(1).max(32).default(2),
      lockTimeoutMs: z.number().int().min(1).max(600_000).default(2_000),
      statementTimeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
    })
    .prefault({}),
});

const fileSchema = z.strictObject({ sources: z.array(sourceSchema) });

export type SourceDeclaration = z.output<typeof sourceSchema>;

export class SourceConfigError extends Error {
  override readonly name = 'SourceConfigError';
}

function issuesOf(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Validates a parsed declaration file; throws SourceConfigError naming every problem. */
export function parseSources(value: unknown, origin = 'sources'): SourceDeclaration[] {
  const parsed = fileSchema.safeParse(value);
  if (!parsed.success) throw new SourceConfigError(`${origin}: ${issuesOf(parsed.error)}`);
  const seen = new Set<string>();
  for (const source of parsed.data.sources) {
    if (seen.has(source.name))
      throw new SourceConfigError(`${origin}: source ${source.name} is declared twice`);
    seen.add(source.name);
    if (source.schedule) {
      try {
        validateJob(scanJobOf(source, source.schedule));
      } catch (error) {
        throw new SourceConfigError(`${origin}: source ${source.name}: ${(error as Error).message}`);
      }
    }
  }
  return parsed.data.sources;
}

/** Reads and validates the declaration file; no file configured: no sources. */
export function loadSources(path: string | undefined): SourceDeclaration[] {
  if (!path) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SourceConfigError(`SCAN_SOURCES_FILE: cannot read ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SourceConfigError(`SCAN_SOURCES_FILE: ${path} is not JSON: ${(error as Error).message}`);
  }
  return parseSources(value, path);
}

export function findSource(sources: readonly SourceDeclaration[], name: string): SourceDeclaration {
  const found = sources.find((s) => s.name === name);
  if (!found)
    throw new SourceConfigError(
      `no source named ${JSON.stringify(name)} (declared: ${sources.map((s) => s.name).join(', ') || 'none'})`,
    );
  return found;
}

export const instanceOf = (source: SourceDeclaration): string => source.instance ?? source.name;

/**
 * The connection URL, read now (a rotated secret file is picked up by the next scan). The error names the
 * variable or the file, never a value.
 */
export function connectionUrl(
  source: SourceDeclaration,
  env: NodeJS.ProcessEnv = process.env,
  read: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): string {
  const where = 'env' in source.connection ? source.connection.env : source.connection.file;
  let url: string | undefined;
  if ('env' in source.connection) url = env[source.connection.env]?.trim();
  else {
    try {
      url = read(source.connection.file).trim();
    } catch (error) {
      throw new SourceConfigError(
        `source ${source.name}: cannot read the secret file ${where}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
  }
  if (!url) throw new SourceConfigError(`source ${source.name}: ${where} holds no connection URL`);
  const protocols: Record<ScanPlatform, readonly string[]> = {
    postgres: ['postgres:', 'postgresql:'],
    mysql: ['mysql:'],
    mariadb: ['mysql:', 'mariadb:'],
  };
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new SourceConfigError(`source ${source.name}: ${where} is not a URL`);
  }
  if (!protocols[source.platform].includes(protocol))
    throw new SourceConfigError(
      `source ${source.name}: ${where} must be a ${protocols[source.platform].join(' or ')}// URL for ${source.platform}`,
    );
  return url;
}

/** Whether `<schema>.<table>` is in the source's scope. */
export function scopeOf(
  source: Pick<SourceDeclaration, 'include' | 'exclude'>,
): (schema: string, table: string) => boolean {
  const included = picomatch([...source.include], { dot: true });
  const excluded = source.exclude.length ? picomatch([...source.exclude], { dot: true }) : () => false;
  return (schema, table) => {
    const name = `${schema}.${table}`;
    return included(name) && !excluded(name);
  };
}

/** Whether any table of `schema` can be in scope (so the schema is listed at all). */
export function schemaInScope(source: Pick<SourceDeclaration, 'include'>, schema: string): boolean {
  const schemaPart = picomatch(
    source.include.map((p) => p.split('.')[0] ?? p),
    { dot: true },
  );
  return schemaPart(schema);
}

export const scanJobName = (source: string): string => `scan-${source}`;

/** The timer job of a source with a schedule: a tick per slot, its sweep scans the source. */
function scanJobOf(
  source: SourceDeclaration,
  schedule: NonNullable<SourceDeclaration['schedule']>,
): JobDeclaration {
  return {
    name: scanJobName(source.name),
    description: `scan ${source.platform} source ${source.name}: catalog, profiles and samples`,
    cron: schedule.cron,
    timeZone: schedule.timeZone,
    catchUp: 'latest',
    payload: { source: source.name },
    enabled: schedule.enabled,
  };
}

/** One job per scheduled source. */
export function scanJobs(sources: readonly SourceDeclaration[]): JobDeclaration[] {
  return sources.flatMap((s) => (s.schedule ? [scanJobOf(s, s.schedule)] : []));
}

/** The owners and tags of one table: the source's, then those of every annotation matching it, deduplicated. */
export function labelsOf(
  source: Pick<SourceDeclaration, 'owners' | 'tags' | 'annotate'>,
  schema: string,
  table: string,
): { owners: string[]; tags: string[] } {
  const owners = new Set(source.owners);
  const tags = new Set(source.tags);
  for (const annotation of source.annotate) {
    if (!picomatch([...annotation.tables], { dot: true })(`${schema}.${table}`)) continue;
    for (const owner of annotation.owners) owners.add(owner);
    for (const tag of annotation.tags) tags.add(tag);
  }
  return { owners: [...owners], tags: [...tags] };
}
