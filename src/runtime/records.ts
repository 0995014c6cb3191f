import type { KafkaMessage } from 'kafkajs';
import type { ErrorCode } from '../errors.ts';

/** A record as Kafka delivered it: what the DLQ keeps, byte for byte. */
export interface RawRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer | undefined>>;
  readonly timestamp: string;
}

/** A record that will not be processed, and why. */
export interface DeadRecord {
  readonly record: RawRecord;
  readonly code: ErrorCode;
  readonly message: string;
}

/** Headers as strings, for processors (binary header values are not used by Steward). */
export function headerStrings(headers: RawRecord['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) out[name] = value.toString('utf8');
  return out;
}

/** Names of the headers Steward sets. */
export const headerNames = {
  /** On derived events: the input record's timestamp (ms), topic, partition and offset. */
  sourceTimestamp: 'steward-source-timestamp',
  sourceTopic: 'steward-source-topic',
  sourcePartition: 'steward-source-partition',
  sourceOffset: 'steward-source-offset',
  /** On retry-path records: the group they are addressed to and where the original came from. */
  retryGroup: 'steward-retry-group',
  retryOriginalTopic: 'steward-retry-original-topic',
  retryDeadLetterId: 'steward-retry-dead-letter-id',
} as const;

/** A kafkajs message as a RawRecord (headers as single Buffers; the first of repeated ones). */
export function toRaw(topic: string, partition: number, message: KafkaMessage): RawRecord {
  const headers: Record<string, Buffer | undefined> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    headers[name] = first === undefined ? undefined : Buffer.isBuffer(first) ? first : Buffer.from(first);
  }
  const { offset, key, value, timestamp } = message;
  return { topic, partition, offset, key, value, headers, timestamp };
}
