import { createHash } from 'node:crypto';
import type { DeadRecord } from './records.ts';

/** The Avro value of a steward.dlq.v1 record (topics/schemas/dead-letter.ts). */
export interface DeadLetter {
  readonly id: string;
  readonly failedAt: string;
  readonly group: string;
  readonly processor: string;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: { key: string; value: Buffer | null }[];
  readonly payloadRef: string | null;
  readonly originalSize: number;
}

/** Error messages are capped: they may quote input, and a DLQ record must stay small. */
const maxMessageChars = 2000;

/**
 * The same failed record in the same group always gets the same id, so a dead letter published twice
 * (a crash between publishing it and committing the offset) is recognisable as one.
 */
export function deadLetterId(group: string, topic: string, partition: number, offset: string): string {
  const hex = createHash('sha256').update(`${group}\n${topic}\n${partition}\n${offset}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Builds the dead letter for a failed record. When the original is larger than `maxInline` bytes its
 * value is left out and referenced by SHA-256; the caller stores it (`oversized`).
 */
export function deadLetterFor(
  dead: DeadRecord,
  context: { group: string; processor: string; maxInline: number; now?: Date },
): { letter: DeadLetter; oversized?: { sha256: string; value: Buffer } } {
  const { record } = dead;
  const value = record.value;
  const tooLarge = value !== null && value.length > context.maxInline;
  const sha256 = tooLarge ? createHash('sha256').update(value).digest('hex') : null;
  const letter: DeadLetter = {
    id: deadLetterId(context.group, record.topic, record.partition, record.offset),
    failedAt: (context.now ?? new Date()).toISOString(),
    group: context.group,
    processor: context.processor,
    errorCode: dead.code,
    errorMessage: dead.message.slice(0, maxMessageChars),
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: record.key,
    value: tooLarge ? null : value,
    headers: Object.entries(record.headers).map(([key, v]) => ({ key, value: v ?? null })),
    payloadRef: sha256,
    originalSize: value?.length ?? 0,
  };
  return sha256 && value ? { letter, oversized: { sha256, value } } : { letter };
}
