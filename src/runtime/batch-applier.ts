import type { Client as Elasticsearch } from '@elastic/elasticsearch';
import type { Producer } from 'kafkajs';
import type { DeadLetterSink } from '../adapters/dead-letter-sink.ts';
import { writeDocuments } from '../adapters/elasticsearch/document-sink.ts';
import type { OutboxRelay } from '../adapters/outbox-relay.ts';
import type { OutboxRow, PostgresStateStore } from '../adapters/postgres/state-store.ts';
import type { TopicCodec } from '../adapters/registry.ts';
import type { InputEvent, ProcessorDefinition, Reader } from '../domain/processor.ts';
import type { TopicDeclaration } from '../domain/topic.ts';
import { errorCodeOf, isRetriable } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { decodeRecord, type Decoded } from './decode.ts';
import type { RuntimeMetrics } from './metrics.ts';
import { planBatch, type PlannedDocument, type PlannedEmit } from './plan.ts';
import { headerNames, type DeadRecord, type RawRecord } from './records.ts';

/**
 * Test seams: called at points where a crash is hardest to survive, so fault tests can kill the process
 * exactly there. Production code passes none.
 */
export interface RuntimeHooks {
  /** After the PostgreSQL transaction committed, before its outbox rows are published. */
  readonly afterCommit?: (outboxRows: number) => void;
}

export interface ApplierDeps<V, S, C> {
  readonly processor: ProcessorDefinition<V, S, C>;
  readonly store: PostgresStateStore<S> | undefined;
  /** What `lookup` reads through. */
  readonly reader: Reader;
  readonly producer: Producer;
  readonly codec: TopicCodec;
  readonly deadLetters: DeadLetterSink;
  readonly relay: OutboxRelay;
  readonly elasticsearch: Elasticsearch | undefined;
  readonly retryTopic: TopicDeclaration;
  readonly metrics: RuntimeMetrics;
  readonly log: Logger;
  readonly hooks?: RuntimeHooks;
}

/** The input record's position and timestamp, carried by every event derived from it. */
export function sourceHeaders(emit: PlannedEmit): Record<string, string> {
  return {
    [headerNames.sourceTimestamp]: String(emit.source.timestamp),
    [headerNames.sourceTopic]: emit.source.topic,
    [headerNames.sourcePartition]: String(emit.source.partition),
    [headerNames.sourceOffset]: emit.source.offset,
  };
}

/**
 * Processes one batch of raw records: decode (registry + contract), load state in bulk, fold through the
 * pure handle, then apply — dead letters, one PostgreSQL transaction (ledger, state, rows, outbox),
 * documents, outbox publication. Throws only retriable errors: a record that cannot be applied is isolated
 * (the batch is re-applied in halves until the failing record stands alone) and dead-lettered.
 */
export function createBatchApplier<V, S, C>(
  deps: ApplierDeps<V, S, C>,
): {
  processRecords: (records: readonly RawRecord[], published: Set<string>) => Promise<void>;
} {
  const { processor, store, metrics, log, relay, deadLetters, producer } = deps;
  const labels = { processor: processor.name };

  /**
   * Publishes dead letters once per record: a batch retried after a transient failure does not dead-letter
   * again what its first attempt already did (`published` lives for one batch's attempts).
   */
  async function publishDead(all: readonly DeadRecord[], published: Set<string>): Promise<void> {
    const position = (d: DeadRecord): string => `${d.record.topic}/${d.record.partition}/${d.record.offset}`;
    const dead = all.filter((d) => !published.has(position(d)));
    if (!dead.length) return;
    const letters = await deadLetters.publish(dead);
    for (const d of dead) published.add(position(d));
    for (const [i, letter] of letters.entries()) {
      const record = dead[i]?.record;
      metrics.deadLetters.inc({ ...labels, code: letter.errorCode });
      metrics.events.inc({ ...labels, topic: letter.topic, outcome: 'dead' });
      log.warn(
        {
          deadLetterId: letter.id,
          code: letter.errorCode,
          topic: letter.topic,
          partition: letter.partition,
          offset: letter.offset,
          urn: record?.key?.toString('utf8'),
        },
        'record dead-lettered',
      );
    }
  }

  async function emitDirect(emits: readonly PlannedEmit[]): Promise<void> {
    if (!emits.length) return;
    const topicMessages = await Promise.all(
      emits.map(async (emit) => ({
        topic: emit.topic.name,
        messages: [
          {
            key: emit.key,
            value: await deps.codec.encode(emit.topic, emit.value),
            headers: sourceHeaders(emit),
          },
        ],
      })),
    );
    await producer.sendBatch({ topicMessages, acks: -1 });
  }

  /** Writes documents; returns the events whose document was refused for its content, with the reason. */
  async function writeDocumentsOf(
    documents: readonly PlannedDocument[],
  ): Promise<Map<InputEvent<unknown>, string>> {
    const rejected = new Map<InputEvent<unknown>, string>();
    if (!documents.length) return rejected;
    if (!deps.elasticsearch)
      throw new Error(`${processor.name} writes documents but has no Elasticsearch client`);
    const failures = await writeDocuments(deps.elasticsearch, documents);
    for (const failure of failures) {
      const source = documents.find((d) => d === failure.write)?.source;
      if (source)
        rejected.set(source, `document ${failure.write.id} refused (${failure.status}): ${failure.reason}`);
    }
    return rejected;
  }

  /** Applies a list of events; throws only retriable errors. */
  async function apply(
    events: readonly InputEvent<V>[],
    rawOf: (e: InputEvent<V>) => RawRecord,
    published: Set<string>,
  ): Promise<void> {
    if (!events.length) return;
    try {
      const keys = [...new Set(events.map((e) => e.key))];
      const loaded = store
        ? await store.load(
            keys,
            events.map((e) => e.id),
          )
        : { states: new Map(), applied: new Set<string>() };
      const contexts: ReadonlyMap<string, C> = processor.lookup
        ? await processor.lookup(keys, deps.reader)
        : new Map();
      const began = performance.now();
      let plan = planBatch(processor, events, loaded.states, loaded.applied, rawOf, contexts);
      metrics.handleSeconds.observe(labels, (performance.now() - began) / 1000);
      await publishDead(plan.dead, published);
      // Documents go first: they are idempotent (external_gte at the event's version), so writing them
      // before the state commit is safe on redelivery, while committing first would lose a document whose
      // write then failed (the retry would find the state already advanced and skip the event).
      const rejected = await writeDocumentsOf(plan.documents);
      if (rejected.size) {
        // A document Elasticsearch refuses for its content: dead-letter its event and commit nothing of it,
        // so a replay after the fix applies it.
        await publishDead(
          [...rejected].map(([source, reason]) => ({
            record: rawOf(source as InputEvent<V>),
            code: 'STW_DOCUMENT_REJECTED',
            message: reason,
          })),
          published,
        );
        plan = planBatch(
          processor,
          events.filter((e) => !rejected.has(e)),
          loaded.states,
          loaded.applied,
          rawOf,
          contexts,
        );
      }
      let outbox: OutboxRow[] = [];
      if (store) outbox = await store.commit(plan, sourceHeaders);
      deps.hooks?.afterCommit?.(outbox.length);
      if (store) await relay.publish(outbox);
      else await emitDirect(plan.emits);
      const now = Date.now();
      for (const event of plan.applied) {
        metrics.events.inc({ ...labels, topic: event.topic, outcome: 'processed' });
        metrics.endToEndSeconds.observe(labels, Math.max(0, now - event.timestamp) / 1000);
      }
      for (const event of plan.duplicates)
        metrics.events.inc({ ...labels, topic: event.topic, outcome: 'duplicate' });
    } catch (error) {
      if (isRetriable(error)) throw error;
      if (events.length > 1) {
        // Find the record that cannot be applied by halves, in order (keys stay ordered): one failing
        // record in a batch of n costs about 2·log2(n) transactions, not n.
        log.warn(
          { err: error, size: events.length },
          'batch could not be applied; isolating the failing record',
        );
        const middle = Math.ceil(events.length / 2);
        await apply(events.slice(0, middle), rawOf, published);
        await apply(events.slice(middle), rawOf, published);
        return;
      }
      const [event] = events;
      if (!event) return;
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const code = errorCodeOf(error) === 'STW_INTERNAL' ? 'STW_HANDLER_FAILED' : errorCodeOf(error);
      await publishDead([{ record: rawOf(event), code, message }], published);
    }
  }

  async function processRecords(records: readonly RawRecord[], published: Set<string>): Promise<void> {
    const decoded: Decoded<V>[] = await Promise.all(
      records.map((r) => decodeRecord(r, processor, deps.codec, deps.retryTopic)),
    );
    const rawOf = new Map<InputEvent<V>, RawRecord>();
    const events: InputEvent<V>[] = [];
    const dead: DeadRecord[] = [];
    decoded.forEach((d, i) => {
      const raw = records[i];
      if (!raw) return;
      if (d.kind === 'event') {
        events.push(d.event);
        rawOf.set(d.event, raw);
      } else if (d.kind === 'dead') dead.push(d.dead);
      else metrics.events.inc({ ...labels, topic: raw.topic, outcome: 'ignored' });
    });
    await publishDead(dead, published);
    const rawFor = (e: InputEvent<V>): RawRecord => {
      const raw = rawOf.get(e);
      if (!raw) throw new Error('event without its record');
      return raw;
    };
    await apply(events, rawFor, published);
  }

  return { processRecords };
}
