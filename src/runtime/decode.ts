import type { InputEvent, ProcessorDefinition } from '../domain/processor.ts';
import type { TopicDeclaration } from '../domain/topic.ts';
import { isStewardError } from '../errors.ts';
import { headerNames, headerStrings, type DeadRecord, type RawRecord } from './records.ts';

export type Decoded<V> =
  | { readonly kind: 'event'; readonly event: InputEvent<V> }
  | { readonly kind: 'dead'; readonly dead: DeadRecord }
  | { readonly kind: 'ignore' };

export interface ValueDecoder {
  decode(bytes: Buffer): Promise<unknown>;
}

/**
 * Turns one raw record into an event for `processor`, or a dead record with its reason. Records on the
 * retry path addressed to another group are ignored. Throws only for transient failures (the registry
 * did not answer): the record itself is fine and the batch is retried.
 */
export async function decodeRecord<V>(
  record: RawRecord,
  processor: Pick<ProcessorDefinition<V>, 'name' | 'group' | 'consumes' | 'accept' | 'eventId'>,
  decoder: ValueDecoder,
  retryTopic: TopicDeclaration,
): Promise<Decoded<V>> {
  const headers = headerStrings(record.headers);
  const dead = (code: DeadRecord['code'], message: string): Decoded<V> => ({
    kind: 'dead',
    dead: { record, code, message },
  });
  let topicName = record.topic;
  if (record.topic === retryTopic.name) {
    if (headers[headerNames.retryGroup] !== processor.group) return { kind: 'ignore' };
    topicName = headers[headerNames.retryOriginalTopic] ?? '';
  }
  const topic = processor.consumes.find((t) => t.name === topicName);
  if (!topic) return dead('STW_DECODE_FAILED', `${processor.name} does not consume topic "${topicName}"`);

  let value: unknown = null;
  if (record.value !== null) {
    if (topic.value.format === 'raw') value = record.value;
    else if (topic.value.format === 'json' && record.value[0] === 0x7b) {
      // `{`: plain JSON text, as OpenLineage's Kafka transport writes it; `accept` checks it.
      try {
        value = JSON.parse(record.value.toString('utf8')) as unknown;
      } catch (error) {
        return dead('STW_DECODE_FAILED', `not JSON: ${(error as Error).message}`);
      }
    } else if (topic.value.format === 'pending')
      return dead('STW_DECODE_FAILED', `${topic.name} has no value schema yet`);
    else {
      try {
        value = await decoder.decode(record.value);
      } catch (error) {
        if (isStewardError(error) && !error.retriable) return dead(error.code, error.message);
        throw error;
      }
    }
  }
  const key = record.key?.toString('utf8') ?? '';
  const accepted = processor.accept(value, topic, key);
  if (!accepted.ok)
    return accepted.ignore
      ? { kind: 'ignore' }
      : dead(accepted.code ?? 'STW_CONTRACT_INVALID', accepted.reason);
  const id = processor.eventId?.(accepted.value) ?? `${record.topic}:${record.partition}:${record.offset}`;
  return {
    kind: 'event',
    event: {
      id,
      topic: topic.name,
      partition: record.partition,
      offset: record.offset,
      key,
      value: accepted.value,
      timestamp: Number(record.timestamp),
      headers,
    },
  };
}
