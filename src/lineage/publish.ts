import type { Producer } from 'kafkajs';
import type { TopicCodec } from '../adapters/registry.ts';
import type { TopicDeclaration } from '../domain/topic.ts';
import { ContractError } from '../producer/publish.ts';
import { chunks, oversized, sendLimit } from '../producer/sizing.ts';
import { jobKey, type RunEvent } from './openlineage.ts';

/**
 * Publishes RunEvents to the lineage topic (Confluent JSON via the registry), keyed by job, acks all, in
 * sends that fit the topic's `max.message.bytes`. An event too large for the topic even alone stops the
 * whole call before anything is sent (ContractError naming its index), so a caller can refuse it alone.
 */
export async function publishRunEvents(
  producer: Producer,
  codec: TopicCodec,
  topic: TopicDeclaration,
  events: readonly RunEvent[],
): Promise<void> {
  const messages = await Promise.all(
    events.map(async (event) => {
      const value = await codec.encode(topic, event);
      if (!value) throw new Error('a RunEvent encoded to null');
      return { key: jobKey(event), value };
    }),
  );
  const tooLarge = oversized(messages, topic);
  if (tooLarge.length) throw new ContractError(tooLarge);
  for (const batch of chunks(messages, 500, sendLimit(topic)))
    await producer.send({ topic: topic.name, messages: batch, acks: -1 });
}
