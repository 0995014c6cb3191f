import type { AvroSchema } from '../../src/domain/topic.ts';
import { labels, optional } from './fields.ts';

/**
 * A violation transition (processors/compliance/violations.ts), or an upstream-breaking-change notice
 * (processors/compliance/impact.ts: kind `upstream-breaking-change`, addressed to a downstream asset and its
 * owners; `violationId` names the change as `<upstream urn>@<schema version|deleted>`, `policy` is
 * `lineage.upstream-breaking-change`, `seq` 1). `id` is deterministic and is the consumers' dedupe key: the
 * topic may carry an id twice after a crash, never two ids for one transition.
 */
export const alertSchema: AvroSchema = {
  type: 'record',
  name: 'Alert',
  namespace: 'steward.v1',
  fields: [
    { name: 'id', type: 'string', doc: 'the transition id (deterministic)' },
    { name: 'violationId', type: 'string' },
    { name: 'seq', type: 'int', doc: "the transition's number within its violation" },
    {
      name: 'kind',
      type: 'string',
      doc: 'opened, resolved, severity-changed, escalated or upstream-breaking-change',
    },
    { name: 'urn', type: 'string' },
    { name: 'policy', type: 'string' },
    { name: 'policyVersion', type: 'int' },
    { name: 'title', type: 'string' },
    { name: 'severity', type: 'string' },
    optional('previousSeverity', 'string'),
    { name: 'at', type: 'string', doc: 'ISO-8601 instant of the evaluation that made the transition' },
    { name: 'reasons', type: labels },
    { name: 'remediation', type: 'string' },
    { name: 'owners', type: labels, doc: 'whom the notifier routes it to' },
    { name: 'openedAt', type: 'string' },
    { name: 'dueAt', type: 'string' },
  ],
};
