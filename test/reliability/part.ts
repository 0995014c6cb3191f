/**
 * One Steward part as its own process, bound to the reliability suite's copies of the topics and its own
 * consumer groups (STEWARD_FIXTURE, JSON: part, group prefix, topic names): the production processors and
 * the production process wiring (src/bin/run-processor.ts), so killing it is killing a real instance.
 */
import { runProcesses, runProcessorProcess } from '../../src/bin/run-processor.ts';
import { loadConfig } from '../../src/config.ts';
import { aliasName } from '../../src/domain/asset-document.ts';
import type { TopicDeclaration } from '../../src/domain/topic.ts';
import { complianceProcessor } from '../../processors/compliance/processor.ts';
import { indexer } from '../../processors/indexer/processor.ts';
import { metadataSync } from '../../processors/metadata-sync/processor.ts';
import { qualityProcessor } from '../../processors/quality/processor.ts';
import * as topics from '../../topics/index.ts';

export const PARTS = ['metadata-sync', 'compliance', 'quality', 'indexer', 'api'] as const;
export type Part = (typeof PARTS)[number];

export const TOPIC_ROLES = [
  'changes',
  'assets',
  'compliance',
  'quality',
  'commands',
  'alerts',
  'dlq',
  'retry',
] as const;
export type TopicRole = (typeof TOPIC_ROLES)[number];

export interface PartFixture {
  readonly part: Part;
  readonly groupPrefix: string;
  readonly topics: Readonly<Record<TopicRole, string>>;
}

/** The suite's copy of a production topic declaration. */
export function topicCopy(role: TopicRole, name: string): TopicDeclaration {
  return { ...topics[role], name };
}

/** The consumer group a part's processor joins in the suite. */
export const groupOf = (fixture: Pick<PartFixture, 'groupPrefix'>, part: Part): string =>
  `${fixture.groupPrefix}.${part}`;

async function main(): Promise<void> {
  const fixture = JSON.parse(process.env['STEWARD_FIXTURE'] ?? '{}') as PartFixture;
  const t = Object.fromEntries(
    TOPIC_ROLES.map((role) => [role, topicCopy(role, fixture.topics[role])]),
  ) as Record<TopicRole, TopicDeclaration>;
  const config = loadConfig();
  const options = { config, dlqTopic: t.dlq, retryTopic: t.retry, shutdownTimeoutMs: 20_000 };
  const group = groupOf(fixture, fixture.part);
  switch (fixture.part) {
    case 'metadata-sync':
      return runProcessorProcess(
        { ...metadataSync({ input: t.changes, output: t.assets, commands: t.commands }), group },
        options,
      );
    case 'compliance':
      return runProcessorProcess(
        {
          ...complianceProcessor({
            changes: t.changes,
            assets: t.assets,
            commands: t.commands,
            results: t.compliance,
            alerts: t.alerts,
          }),
          group,
        },
        options,
      );
    case 'quality':
      return runProcessorProcess(
        {
          ...qualityProcessor({
            changes: t.changes,
            assets: t.assets,
            compliance: t.compliance,
            commands: t.commands,
            output: t.quality,
          }),
          group,
        },
        options,
      );
    case 'indexer':
      return runProcessorProcess(
        {
          ...indexer(
            { input: t.assets, notices: [t.compliance, t.quality] },
            aliasName(config.elasticsearch.indexPrefix),
          ),
          group,
        },
        options,
      );
    case 'api':
      return runProcesses([], {
        ...options,
        api: {
          freshnessGroups: PARTS.filter((p) => p !== 'api').map((p) => groupOf(fixture, p)),
          topics: { changes: t.changes, commands: t.commands },
        },
      });
  }
}

if (process.env['STEWARD_FIXTURE']) await main();
