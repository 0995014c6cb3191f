/**
 * Fitting messages into a topic's `max.message.bytes`: a record batch larger than that is refused by the
 * broker whole, so a producer checks each message alone (one too large is the caller's error, named by its
 * index) and sends consecutive slices that each fit.
 */
import type { TopicDeclaration } from '../domain/topic.ts';
import type { ContractProblem } from './publish.ts';

export interface Message {
  readonly key: string;
  readonly value: Buffer;
}

/** Room for the record batch header and framing when one record fills a batch alone. */
const batchOverhead = 1024;
/** Framing of one record in a batch: length, attributes, deltas, key length, header count (upper bound). */
const recordOverhead = 32;

export const sizeOf = (m: Message): number => Buffer.byteLength(m.key) + m.value.length + recordOverhead;

/** The most one send (one record batch per partition) may carry on `topic`. */
export const sendLimit = (topic: TopicDeclaration): number =>
  topic.config['max.message.bytes'] - batchOverhead;

/** The messages too large for `topic` even alone, as contract problems by index. */
export function oversized(messages: readonly Message[], topic: TopicDeclaration): ContractProblem[] {
  const limit = sendLimit(topic);
  return messages.flatMap((m, index) =>
    sizeOf(m) > limit
      ? [{ index, path: '/', message: `encodes to ${sizeOf(m)} bytes; the topic accepts ${limit}` }]
      : [],
  );
}

/** Consecutive slices of at most `count` messages and `bytes` bytes; order is kept. */
export function chunks(messages: readonly Message[], count: number, bytes: number): Message[][] {
  const result: Message[][] = [];
  let current: Message[] = [];
  let size = 0;
  for (const message of messages) {
    const own = sizeOf(message);
    if (current.length && (current.length === count || size + own > bytes)) {
      result.push(current);
      current = [];
      size = 0;
    }
    current.push(message);
    size += own;
  }
  if (current.length) result.push(current);
  return result;
}
