import type { SourceReader } from './model.ts';
import { MysqlReader } from './mysql.ts';
import { PostgresReader } from './postgres.ts';
import { connectionUrl, type SourceDeclaration } from './sources.ts';

/** A reader for the source, its connection URL read now from the variable or secret file it names. */
export function openReader(source: SourceDeclaration, env: NodeJS.ProcessEnv = process.env): SourceReader {
  const url = connectionUrl(source, env);
  return source.platform === 'postgres'
    ? new PostgresReader(url, {
        concurrency: source.limits.concurrency,
        statementTimeoutMs: source.limits.statementTimeoutMs,
        lockTimeoutMs: source.limits.lockTimeoutMs,
      })
    : new MysqlReader(url, {
        concurrency: source.limits.concurrency,
        lockTimeoutMs: source.limits.lockTimeoutMs,
        statementTimeoutMs: source.limits.statementTimeoutMs,
      });
}
