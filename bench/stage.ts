/**
 * One stage of `npm run bench` (bench/pipeline.ts) as its own process, so its CPU time and memory are its
 * own (/proc/<pid>): a real processor built on the bench's renamed topics and group and run as `steward run`
 * runs it (`runProcessorProcess`), one of the same-hops ceiling's no-op processors, or the raw ceiling's
 * consumer. The parent passes the stage as JSON in STEWARD_BENCH_STAGE, and DATABASE_URL (with the bench's
 * search_path), ELASTICSEARCH_INDEX_PREFIX, METRICS_PORT and LOG_LEVEL in the environment. SIGTERM stops it.
 */
import { createElasticsearch } from '../src/adapters/elasticsearch/client.ts';
import { writeDocuments } from '../src/adapters/elasticsearch/document-sink.ts';
import { createKafka } from '../src/adapters/kafka.ts';
import { runProcesses, runProcessorProcess } from '../src/bin/run-processor.ts';
import { loadConfig } from '../src/config.ts';
import { acceptChangeEvent } from '../src/contract/accept.ts';
import { toAvro } from '../src/contract/avro.ts';
import type { ChangeEvent } from '../src/domain/change-event.ts';
import { define, type DocumentWrite, type ProcessorDefinition } from '../src/domain/processor.ts';
import type { TopicDeclaration } from '../src/domain/topic.ts';
import { createLogger } from '../src/observability/logger.ts';
import { boundProcessor, type PipelineProcessor } from '../processors/index.ts';
import { alerts, assets, changes, commands, compliance, dlq, quality, retry } from '../topics/index.ts';

const PIPELINE: readonly string[] = ['metadata-sync', 'compliance', 'quality', 'indexer'];

export type StageRole =
  | 'metadata-sync'
  | 'compliance'
  | 'quality'
  | 'indexer'
  | 'noop-metadata-sync'
  | 'noop-compliance'
  | 'noop-quality'
  | 'noop-indexer'
  | 'raw-indexer';

/** Topic names of one measurement (the declarations' settings, renamed). */
export interface StageTopics {
  readonly changes: string;
  readonly assets: string;
  readonly compliance: string;
  readonly quality: string;
  readonly alerts: string;
  readonly commands: string;
  readonly dlq: string;
  readonly retry: string;
  /** The raw ceiling's topic of ready documents. */
  readonly raw: string;
}

export interface StageSpec {
  readonly role: StageRole;
  readonly group: string;
  readonly topics: StageTopics;
  /** The alias the indexer (or its no-op, or the raw consumer) writes through. */
  readonly alias: string;
}

/** A raw-ceiling record: one document write, ready for the bulk API. */
export interface RawWrite {
  readonly id: string;
  readonly version: number;
  readonly document: Readonly<Record<string, unknown>> | null;
}

/** The declarations of topics/ under the measurement's names (partitions and settings as declared). */
export function stageTopics(spec: { readonly topics: StageTopics }) {
  const t = spec.topics;
  const named = (topic: TopicDeclaration, name: string): TopicDeclaration => ({ ...topic, name });
  return {
    changes: named(changes, t.changes),
    // The same-hops ceiling passes change events on as they are: its assets copy carries their schema.
    assets: named(assets, t.assets),
    noopAssets: { ...named(changes, t.assets), config: assets.config },
    compliance: named(compliance, t.compliance),
    quality: named(quality, t.quality),
    alerts: named(alerts, t.alerts),
    commands: named(commands, t.commands),
    dlq: named(dlq, t.dlq),
    retry: named(retry, t.retry),
  };
}

/** The no-op document of a change event: its identity and columns as they are, no processing. */
function noopDocument(event: ChangeEvent): Record<string, unknown> {
  const a = event.asset;
  return {
    urn: a.urn,
    platform: event.source.platform,
    instance: event.source.instance,
    type: a.type,
    name: a.name,
    nameWords: a.name,
    qualifiedName: a.qualifiedName,
    ...(a.description !== null && { description: a.description }),
    owners: a.owners,
    tags: a.tags,
    columns: (a.columns ?? []).map((c) => ({ name: c.name, words: c.name, type: c.type, classes: [] })),
    classes: [],
    sensitivity: 'none',
    quality: { band: 'unknown', dimensions: {} },
    violations: { open: 0, openPolicies: [], status: 'none' },
    deleted: false,
    revision: noopVersion(event),
    updatedAt: event.occurredAt,
  };
}

/** The no-op indexer's document version: occurredAt in whole seconds (the workload's events are 1 s apart). */
export const noopVersion = (event: ChangeEvent): number => Math.floor(Date.parse(event.occurredAt) / 1000);

function noops(spec: StageSpec): ProcessorDefinition {
  const t = stageTopics(spec);
  const acceptChange = (value: unknown, _topic: TopicDeclaration, key: string) =>
    acceptChangeEvent(value, key);
  const base = { group: spec.group, idempotency: 'effects' as const, produces: [] };
  switch (spec.role) {
    case 'noop-metadata-sync':
      return define<ChangeEvent, never>({
        ...base,
        name: 'noop-metadata-sync',
        consumes: [t.changes, t.commands],
        produces: [t.noopAssets],
        accept: acceptChange,
        handle: (event) => ({
          effects: { emit: [{ topic: t.noopAssets, key: event.key, value: toAvro(event.value) }] },
        }),
      }) as unknown as ProcessorDefinition;
    case 'noop-compliance':
      return define<ChangeEvent, never>({
        ...base,
        name: 'noop-compliance',
        consumes: [t.changes, t.noopAssets, t.commands],
        accept: acceptChange,
        handle: () => ({}),
      }) as unknown as ProcessorDefinition;
    case 'noop-quality':
      return define<ChangeEvent, never>({
        ...base,
        name: 'noop-quality',
        consumes: [t.changes, t.noopAssets, t.compliance, t.commands],
        accept: acceptChange,
        handle: () => ({}),
      }) as unknown as ProcessorDefinition;
    case 'noop-indexer':
      return define<ChangeEvent, never>({
        ...base,
        name: 'noop-indexer',
        consumes: [t.noopAssets, t.compliance, t.quality],
        accept: acceptChange,
        handle: (event) => ({
          effects: {
            documents: [
              {
                index: spec.alias,
                id: event.key,
                version: noopVersion(event.value),
                document: noopDocument(event.value),
              },
            ],
          },
        }),
      }) as unknown as ProcessorDefinition;
    default:
      throw new Error(`not a no-op stage: ${spec.role}`);
  }
}

/**
 * The raw ceiling's consumer: plain kafkajs with the processors' consumer settings, one bulk request per
 * fetched batch (writeDocuments, the runtime's sink), offsets committed after it. No decoding beyond
 * JSON.parse, no contract, no state.
 */
async function rawIndexer(spec: StageSpec): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.log.level, name: 'steward-bench-raw' }, process.stderr);
  const kafka = createKafka(config.kafka, logger, `${spec.group}.client`);
  const es = createElasticsearch(config.elasticsearch);
  const consumer = kafka.consumer({
    groupId: spec.group,
    sessionTimeout: config.kafka.sessionTimeoutMs,
    heartbeatInterval: config.kafka.heartbeatIntervalMs,
    maxBytesPerPartition: config.kafka.maxBytesPerPartition,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [spec.topics.raw], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: config.kafka.partitionsConsumedConcurrently,
    eachBatch: async (payload) => {
      const { batch } = payload;
      const writes: DocumentWrite[] = batch.messages.map((m) => {
        const raw = JSON.parse(m.value?.toString() ?? 'null') as RawWrite;
        return { index: spec.alias, id: raw.id, version: raw.version, document: raw.document };
      });
      for (;;) {
        try {
          const failures = await writeDocuments(es, writes);
          if (failures.length)
            logger.error({ failures: failures.length, first: failures[0]?.reason }, 'raw bulk');
          break;
        } catch (error) {
          logger.warn({ err: error }, 'raw bulk failed; retrying');
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      const last = batch.messages.at(-1);
      if (last) payload.resolveOffset(last.offset);
      await payload.commitOffsetsIfNecessary();
      await payload.heartbeat();
    },
  });
  const stop = async (): Promise<void> => {
    await consumer.disconnect().catch(() => undefined);
    await es.close().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

const spec = JSON.parse(process.env['STEWARD_BENCH_STAGE'] ?? 'null') as StageSpec | null;
if (spec) {
  if (spec.role === 'raw-indexer') await rawIndexer(spec);
  else {
    const t = stageTopics(spec);
    const options = { config: loadConfig(), dlqTopic: t.dlq, retryTopic: t.retry };
    const real = spec.role as PipelineProcessor;
    if (PIPELINE.includes(real))
      await runProcesses([boundProcessor(real, t, { group: spec.group, alias: spec.alias })], options);
    else await runProcessorProcess({ ...noops(spec), group: spec.group }, options);
  }
  process.send?.({ ready: true });
}
