import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { TopicCodec } from '../adapters/registry.ts';
import { toAvro } from '../contract/avro.ts';
import { validateChangeEvent, type ChangeEvent } from '../domain/change-event.ts';
import type { TopicDeclaration } from '../domain/topic.ts';
import { StewardError, errorCodeOf, isRetriable } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { changes } from '../../topics/index.ts';
import { chunks, oversized, sendLimit, type Message } from './sizing.ts';

export interface PublishResult {
  readonly sent: number;
  readonly batches: number;
}

/** One problem with one event of a batch: `index` into the batch, `path` a JSON pointer into the event. */
export interface ContractProblem {
  readonly index: number;
  readonly path: string;
  readonly message: string;
}

/** The batch breaks the contract (or an event is too large for the topic); nothing of it was sent. */
export class ContractError extends StewardError {
  override readonly name = 'ContractError';
  readonly errors: readonly ContractProblem[];

  constructor(errors: readonly ContractProblem[]) {
    const [first] = errors;
    const where = first ? `; first: [${first.index}] ${first.path}: ${first.message}` : '';
    super('STW_CONTRACT_INVALID', `${errors.length} contract error(s), nothing sent${where}`);
    this.errors = errors;
  }
}

/** A send failed after `sent` events (the earlier batches) were acknowledged. */
export class PublishError extends StewardError {
  override readonly name = 'PublishError';
  readonly sent: number;

  constructor(sent: number, total: number, cause: unknown) {
    super(errorCodeOf(cause), `publishing stopped after ${sent} of ${total} events`, {
      retriable: isRetriable(cause),
      cause,
    });
    this.sent = sent;
  }
}

export interface ChangePublisherOptions {
  readonly kafka: Kafka;
  readonly codec: TopicCodec;
  /** The changes topic unless a test passes a copy with another name. */
  readonly topic?: TopicDeclaration;
  readonly logger: Logger;
  /** Messages per send (one produce request); 500 unless set. */
  readonly batchSize?: number;
}

function validated(events: readonly unknown[]): ChangeEvent[] {
  const valid: ChangeEvent[] = [];
  const problems: ContractProblem[] = [];
  for (const [index, value] of events.entries()) {
    const result = validateChangeEvent(value);
    if (result.ok) valid.push(result.event);
    else problems.push(...result.errors.map(({ path, message }) => ({ index, path, message })));
  }
  if (problems.length) throw new ContractError(problems);
  return valid;
}

/**
 * Publishes change events to the changes topic, keyed by `asset.urn`, Avro-encoded with the registry.
 *
 * Guarantees: a batch is validated whole before anything is sent, so an invalid batch sends nothing
 * (ContractError). Events of one URN arrive in the order given: one key maps to one partition (the
 * Java-compatible murmur2 partitioner, as every Kafka client), sends are sequential, and the idempotent
 * producer (acks all, one request in flight) retries without duplicating or reordering. Each send stays
 * within the topic's `max.message.bytes`, so no partition's record batch is rejected as too large. If a
 * send fails, the earlier batches stay published (PublishError says how many events); publishing the same
 * events again is safe, as consumers deduplicate on `event.id`.
 */
export class ChangePublisher {
  readonly #producer: Producer;
  readonly #codec: TopicCodec;
  readonly #topic: TopicDeclaration;
  readonly #log: Logger;
  readonly #batchSize: number;

  constructor(options: ChangePublisherOptions) {
    this.#producer = options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.#codec = options.codec;
    this.#topic = options.topic ?? changes;
    this.#log = options.logger.child({ topic: this.#topic.name });
    this.#batchSize = options.batchSize ?? 500;
  }

  async connect(): Promise<void> {
    await this.#producer.connect();
  }

  async disconnect(): Promise<void> {
    await this.#producer.disconnect();
  }

  /** Accepts ChangeEvent values or anything parsed from JSON: every element is checked first. */
  async publishChanges(events: readonly unknown[]): Promise<PublishResult> {
    const valid = validated(events);
    const messages = await this.#encode(valid);
    let sent = 0;
    const batches = chunks(messages, this.#batchSize, sendLimit(this.#topic));
    for (const batch of batches) {
      try {
        await this.#producer.send({ topic: this.#topic.name, messages: [...batch], acks: -1 });
      } catch (error) {
        throw new PublishError(sent, messages.length, error);
      }
      sent += batch.length;
    }
    this.#log.info({ sent, batches: batches.length }, 'published change events');
    return { sent, batches: batches.length };
  }

  /** Every event encoded before the first send, so one too large for the topic stops the whole batch. */
  async #encode(events: readonly ChangeEvent[]): Promise<Message[]> {
    const messages = await Promise.all(
      events.map(async (event) => {
        const value = await this.#codec.encode(this.#topic, toAvro(event));
        if (!value) throw new Error('a change event encoded to null');
        return { key: event.asset.urn, value };
      }),
    );
    const tooLarge = oversized(messages, this.#topic);
    if (tooLarge.length) throw new ContractError(tooLarge);
    return messages;
  }
}
