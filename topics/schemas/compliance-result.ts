import type { AvroSchema } from '../../src/domain/topic.ts';
import { labels, optional } from './fields.ts';

/**
 * An asset's compliance view (processors/compliance/result.ts): its columns' classes with confidence,
 * evidence and stewards' decisions, its sensitivity and open violations. Derived evidence only: an
 * exemplar is masked, never a raw value.
 */
export const complianceResultSchema: AvroSchema = {
  type: 'record',
  name: 'ComplianceResult',
  namespace: 'steward.v1',
  fields: [
    { name: 'urn', type: 'string' },
    { name: 'revision', type: 'long', doc: "compliance's revision of the asset: +1 on every change" },
    { name: 'deleted', type: 'boolean' },
    { name: 'rulesetVersion', type: 'string', doc: 'the classifier rule set that produced the classes' },
    { name: 'evaluatedAt', type: 'string', doc: 'ISO-8601 instant policies were evaluated at' },
    { name: 'sensitivity', type: 'string', doc: 'none, internal, confidential or restricted' },
    {
      name: 'columns',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'ColumnClasses',
          fields: [
            { name: 'name', type: 'string' },
            {
              name: 'classes',
              type: {
                type: 'array',
                items: {
                  type: 'record',
                  name: 'ColumnClass',
                  fields: [
                    { name: 'class', type: 'string' },
                    { name: 'status', type: 'string', doc: 'inferred, propagated, confirmed or rejected' },
                    { name: 'confidence', type: 'double' },
                    { name: 'lowConfidence', type: 'boolean' },
                    { name: 'effective', type: 'boolean', doc: 'counts for policies, sensitivity, validity' },
                    optional('decidedBy', 'string'),
                    optional('evidence', {
                      type: 'record',
                      name: 'Evidence',
                      fields: [
                        { name: 'detector', type: 'string' },
                        optional('matchedFraction', 'double'),
                        optional('nameSignal', 'string'),
                        { name: 'sampleSize', type: 'int' },
                        { name: 'nonMissing', type: 'int' },
                        { name: 'distinct', type: 'int' },
                        { name: 'masked', type: 'boolean' },
                        { name: 'rulesetVersion', type: 'string' },
                        optional('exemplar', 'string', 'one matching value, masked'),
                      ],
                    }),
                    optional(
                      'path',
                      {
                        type: 'array',
                        items: {
                          type: 'record',
                          name: 'PathHop',
                          fields: [
                            { name: 'urn', type: 'string' },
                            { name: 'column', type: 'string' },
                            { name: 'job', type: 'string', doc: 'the lineage job that read this column' },
                          ],
                        },
                      },
                      'for a class inherited along column lineage: the upstream columns it came through, from where it was found to the direct parent',
                    ),
                  ],
                },
              },
            },
          ],
        },
      },
    },
    {
      name: 'openViolations',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'OpenViolation',
          fields: [
            { name: 'id', type: 'string' },
            { name: 'policy', type: 'string' },
            { name: 'severity', type: 'string' },
            { name: 'escalated', type: 'boolean' },
            { name: 'openedAt', type: 'string' },
            { name: 'dueAt', type: 'string' },
            { name: 'reasons', type: labels },
          ],
        },
      },
    },
    optional('worstSeverity', 'string'),
  ],
};
