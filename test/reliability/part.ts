/**
 * One Steward part as its own process, bound to the reliability suite's copies of the topics and its own
 * consumer groups (STEWARD_FIXTURE, JSON: part, group prefix, topic names): the production processors and
 * the production process wiring (src/bin/run-processor.ts), so killing it is killing a real instance.
 */
import { runProcesses } from '../../src/bin/run-processor.ts';
import { loadConfig } from '../../src/config.ts';
import { aliasName } from '../../src/domain/asset-document.ts';
import type { TopicDeclaration } from '../../src/domain/topic.ts';
import { boundProcessor } from '../../processors/index.ts';
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
  if (fixture.part !== 'api')
    return runProcesses(
      [
        boundProcessor(fixture.part, t, {
          group: groupOf(fixture, fixture.part),
          alias: aliasName(config.elasticsearch.indexPrefix),
        }),
      ],
      options,
    );
  return runProcesses([], {
    ...options,
    api: {
      freshnessGroups: PARTS.filter((p) => p !== 'api').map((p) => groupOf(fixture, p)),
      topics: { changes: t.changes, commands: t.commands },
    },
  });
}

if (process.env['STEWARD_FIXTURE']) await main();
