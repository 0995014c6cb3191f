import type { Client } from '@elastic/elasticsearch';
import type { DocumentWrite } from '../../domain/processor.ts';
import { TransientError } from '../../errors.ts';

export interface DocumentFailure {
  readonly write: DocumentWrite;
  readonly status: number;
  readonly reason: string;
}

const retriableStatuses = new Set([429, 502, 503, 504]);

/**
 * Writes full documents with `version_type=external_gte`, so an older revision never overwrites a newer one
 * (a 409 there means "already newer" and is success). Items that failed transiently are retried by the
 * runtime (the whole call throws TransientError); items rejected for their content are returned, so the
 * runtime dead-letters the events that produced them. Nothing is silently dropped.
 */
export async function writeDocuments(
  client: Client,
  writes: readonly DocumentWrite[],
): Promise<DocumentFailure[]> {
  if (!writes.length) return [];
  const operations = writes.flatMap((w) => {
    const meta = { _index: w.index, _id: w.id, version: w.version, version_type: 'external_gte' as const };
    return w.document === null ? [{ delete: meta }] : [{ index: meta }, w.document];
  });
  // require_alias: writes go through an alias; a missing one must fail, not auto-create a concrete index.
  const response = await client.bulk({ operations, refresh: false, require_alias: true });
  if (!response.errors) return [];
  const failures: DocumentFailure[] = [];
  let transient = 0;
  response.items.forEach((item, i) => {
    const result = item.index ?? item.delete;
    const write = writes[i];
    if (!result?.error || !write) return;
    if (result.status === 409) return;
    if (result.status === 404 && write.document === null) return;
    if (retriableStatuses.has(result.status)) transient++;
    else
      failures.push({
        write,
        status: result.status,
        reason: `${result.error.type}: ${result.error.reason ?? ''}`,
      });
  });
  if (transient) throw new TransientError(`${transient} document writes were refused for load; retrying`);
  return failures;
}
