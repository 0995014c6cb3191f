import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import kafkajs, { type Admin, type ITopicConfig } from 'kafkajs';
import type { TopicDeclaration } from '../domain/topic.ts';
import { registerValueSchema } from './registry.ts';

// kafkajs is CommonJS and this export is not detected as a named ESM export.
const { ConfigResourceTypes } = kafkajs;

export type TopicAction = 'created' | 'partitions-added' | 'config-updated' | 'unchanged' | 'refused';

export interface TopicReport {
  readonly topic: string;
  readonly actions: readonly TopicAction[];
  readonly detail?: string;
  readonly schemaId?: number;
}

/**
 * The config a topic gets on this cluster: replication is capped at the broker count (one local broker),
 * and so is min.insync.replicas, or every acks=all write would fail with NOT_ENOUGH_REPLICAS.
 */
export function effectiveSettings(
  topic: TopicDeclaration,
  brokers: number,
): { replicationFactor: number; config: Record<string, string> } {
  const replicationFactor = Math.max(1, Math.min(topic.replicationFactor, brokers));
  const config: Record<string, string> = {};
  for (const [name, value] of Object.entries(topic.config))
    if (value !== undefined) config[name] = String(value);
  if (topic.config['min.insync.replicas'] !== undefined) {
    config['min.insync.replicas'] = String(Math.min(topic.config['min.insync.replicas'], replicationFactor));
  }
  return { replicationFactor, config };
}

export interface LiveTopic {
  readonly partitions: number;
  /** Topic-level settings as the broker reports them. */
  readonly config: ReadonlyMap<string, string>;
}

/** The named topics that exist, with their partition count and settings (absent: the topic does not). */
export async function describeTopics(
  admin: Admin,
  names: readonly string[],
): Promise<Map<string, LiveTopic>> {
  const existing = new Set(await admin.listTopics());
  const present = names.filter((name) => existing.has(name));
  if (!present.length) return new Map();
  const metadata = await admin.fetchTopicMetadata({ topics: present });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  const configOf = new Map(
    configs.resources.map((r) => [
      r.resourceName,
      new Map(r.configEntries.map((e) => [e.configName, e.configValue])),
    ]),
  );
  return new Map(
    metadata.topics.map((t) => [
      t.name,
      { partitions: t.partitions.length, config: configOf.get(t.name) ?? new Map<string, string>() },
    ]),
  );
}

/** The creation request for a declared topic on a cluster of `brokers` brokers. */
export function creationOf(topic: TopicDeclaration, brokers: number): ITopicConfig {
  const { replicationFactor, config } = effectiveSettings(topic, brokers);
  return {
    topic: topic.name,
    numPartitions: topic.partitions,
    replicationFactor,
    configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
  };
}

const TRANSIENT_METADATA_ERRORS = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

const errorType = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'type' in error && typeof error.type === 'string'
    ? error.type
    : undefined;

/**
 * Creates topics and waits until every partition has a leader. kafkajs' own `waitForLeaders` retries only
 * LEADER_NOT_AVAILABLE and gives up on the UNKNOWN_TOPIC_OR_PARTITION a KRaft broker answers for a moment
 * after the controller accepted the topic, so the wait is done here, on both transient answers.
 * A topic that already exists is not an error (the caller decides whether its settings still match).
 */
export async function createTopicsAndWait(
  admin: Admin,
  topics: ITopicConfig[],
  timeoutMs = 30_000,
): Promise<void> {
  await admin.createTopics({ topics, waitForLeaders: false, timeout: timeoutMs });
  const names = topics.map((t) => t.topic);
  const ready = async (): Promise<boolean> => {
    // listTopics first: it never fails for a topic not visible yet, while kafkajs logs every error answer
    // of fetchTopicMetadata at error level.
    const visible = new Set(await admin.listTopics());
    if (!names.every((name) => visible.has(name))) return false;
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: names });
      return found.length === names.length && found.every((t) => t.partitions.every((p) => p.leader >= 0));
    } catch (error) {
      if (TRANSIENT_METADATA_ERRORS.has(errorType(error) ?? '')) return false;
      throw error;
    }
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for leaders of ${names.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Creates or converges every declared topic, idempotently: missing topics are created with their complete
 * config, partitions are added when the declaration has more (never removed: Kafka cannot, and keys would
 * move), differing settings are set, and Avro value schemas are registered under `<topic>-value`.
 */
export async function applyTopics(
  admin: Admin,
  registry: SchemaRegistry | undefined,
  declared: readonly TopicDeclaration[],
): Promise<TopicReport[]> {
  const brokers = (await admin.describeCluster()).brokers.length;
  const live = await describeTopics(
    admin,
    declared.map((t) => t.name),
  );
  const reports: TopicReport[] = [];
  for (const topic of declared) {
    const { config } = effectiveSettings(topic, brokers);
    const actions: TopicAction[] = [];
    let detail: string | undefined;
    const current = live.get(topic.name);
    if (!current) {
      await createTopicsAndWait(admin, [creationOf(topic, brokers)]);
      actions.push('created');
    } else {
      if (current.partitions > topic.partitions) {
        actions.push('refused');
        detail = `has ${current.partitions} partitions, declared ${topic.partitions}: partitions are never decreased (raise the declaration or recreate the topic)`;
      } else if (current.partitions < topic.partitions) {
        await admin.createPartitions({ topicPartitions: [{ topic: topic.name, count: topic.partitions }] });
        actions.push('partitions-added');
      }
      if (Object.entries(config).some(([name, value]) => current.config.get(name) !== value)) {
        await admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: topic.name,
              configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
            },
          ],
        });
        actions.push('config-updated');
      }
    }
    const schemaId = registry ? await registerValueSchema(registry, topic) : undefined;
    reports.push({
      topic: topic.name,
      actions: actions.length ? actions : ['unchanged'],
      ...(detail && { detail }),
      ...(schemaId !== undefined && { schemaId }),
    });
  }
  return reports;
}
