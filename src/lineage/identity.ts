/**
 * OpenLineage dataset identity (namespace + name, per the OpenLineage naming conventions) ↔ Steward URNs
 * (docs/urns.md). Pure. docs/lineage.md documents the table below with examples.
 *
 * | namespace                          | name                       | URN platform, instance, path                   |
 * | ---------------------------------- | -------------------------- | ---------------------------------------------- |
 * | `postgres://host:port`             | `database.schema.table`    | postgres, instance, [database, schema, table]  |
 * | `mysql://host:port`                | `database.table`           | mysql, instance, [database, table]             |
 * | `mariadb://host:port`              | `database.table`           | mariadb, instance, [database, table]           |
 * | `snowflake://org-account`          | `DATABASE.SCHEMA.TABLE`    | snowflake, instance, [DATABASE, SCHEMA, TABLE] |
 * | `bigquery`                         | `project.dataset.table`    | bigquery, instance, [project, dataset, table]  |
 * | `s3://bucket` (also `gs://`)       | `path/to/object`           | s3 (gcs), instance, [path, to, object]         |
 * | `file` or `file://host`            | `/path/to/file`            | file, instance, [path, to, file]               |
 *
 * The instance is the one the namespace is mapped to (LINEAGE_NAMESPACES), so lineage lands on the assets
 * scanners and producers report (a scanner's source instance is a name like `shop-prod`, not a host);
 * unmapped, it is the host (without port), the bucket, the BigQuery project, or `local` for files.
 * PostgreSQL names are taken as exact (as catalogs and scanners read them); Snowflake's unquoted names
 * fold to upper case and MySQL's to lower case, as the databases do.
 */
import { datasetUrn, UrnError } from '../domain/urn.ts';

export type NamespaceInstances = Readonly<Record<string, string>>;

export type Identity =
  | { readonly ok: true; readonly urn: string; readonly platform: string; readonly instance: string }
  | { readonly ok: false; readonly reason: string };

interface Namespace {
  readonly scheme: string;
  readonly host: string | null;
}

function parseNamespace(namespace: string): Namespace | null {
  const match = /^([a-z][a-z0-9+.-]*)(?::\/\/([^/?#]*))?\/?$/i.exec(namespace.trim());
  if (!match) return null;
  const authority = match[2] ?? '';
  const host = authority
    .replace(/^[^@]*@/, '')
    .replace(/:\d+$/, '')
    .toLowerCase();
  return { scheme: (match[1] ?? '').toLowerCase(), host: host || null };
}

const dotted = (name: string, parts: number, example: string): string[] | string => {
  const path = name.split('.');
  return path.length === parts && path.every(Boolean)
    ? path
    : `expected ${parts} dot-separated parts, e.g. ${example}`;
};

const slashed = (name: string): string[] | string => {
  const path = name.split('/').filter(Boolean);
  return path.length ? path : 'expected a path';
};

/** The Steward URN of an OpenLineage dataset, or why there is none. */
export function identityOf(
  dataset: { readonly namespace: string; readonly name: string },
  instances: NamespaceInstances = {},
): Identity {
  const ns = parseNamespace(dataset.namespace);
  if (!ns)
    return {
      ok: false,
      reason: `namespace ${JSON.stringify(dataset.namespace)} is not <scheme> or <scheme>://<authority>`,
    };
  const mapped = instances[dataset.namespace] ?? instances[dataset.namespace.replace(/\/$/, '')];
  let platform: string;
  let path: string[] | string;
  let quoted: boolean;
  let instance: string | null;
  switch (ns.scheme) {
    case 'postgres':
    case 'postgresql':
      [platform, path, quoted, instance] = [
        'postgres',
        dotted(dataset.name, 3, 'shop.public.orders'),
        true,
        ns.host,
      ];
      break;
    case 'mysql':
    case 'mariadb':
      [platform, path, quoted, instance] = [
        ns.scheme,
        dotted(dataset.name, 2, 'hr.employees'),
        true,
        ns.host,
      ];
      break;
    case 'snowflake':
      [platform, path, quoted, instance] = [
        'snowflake',
        dotted(dataset.name, 3, 'MARKETING.PUBLIC.LEADS'),
        false,
        ns.host,
      ];
      break;
    case 'bigquery': {
      const parts = dotted(dataset.name, 3, 'project.dataset.table');
      [platform, path, quoted, instance] = [
        'bigquery',
        parts,
        true,
        typeof parts === 'string' ? null : (parts[0] ?? null),
      ];
      break;
    }
    case 's3':
    case 's3a':
    case 'gs':
      [platform, path, quoted, instance] = [
        ns.scheme === 'gs' ? 'gcs' : 's3',
        slashed(dataset.name),
        true,
        ns.host,
      ];
      break;
    case 'file':
      [platform, path, quoted, instance] = ['file', slashed(dataset.name), true, ns.host ?? 'local'];
      break;
    default:
      return {
        ok: false,
        reason: `namespace scheme ${JSON.stringify(ns.scheme)} is not one Steward maps (postgres, mysql, mariadb, snowflake, bigquery, s3, gs, file)`,
      };
  }
  if (typeof path === 'string')
    return { ok: false, reason: `dataset name ${JSON.stringify(dataset.name)}: ${path}` };
  const chosen = (mapped ?? instance)?.toLowerCase();
  if (!chosen)
    return {
      ok: false,
      reason: `namespace ${JSON.stringify(dataset.namespace)} names no host; map it in LINEAGE_NAMESPACES`,
    };
  try {
    const urn = datasetUrn({ platform, instance: chosen, path, quoted: path.map(() => quoted) });
    return { ok: true, urn, platform, instance: chosen };
  } catch (error) {
    if (error instanceof UrnError) return { ok: false, reason: error.message };
    throw error;
  }
}
