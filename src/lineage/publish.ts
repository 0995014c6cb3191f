import type { Producer } from 'kafkajs';
import type { TopicCodec } from '../adapters/registry.ts';
import type { TopicDeclaration } from '../domain/topic.ts';
import { jobKey, type RunEvent } from './openlineage.ts';

/** Publishes RunEvents to the lineage topic (Confluent JSON via the registry), keyed by job, acks all. */
export async function publishRunEvents(
  producer: Producer,
  codec: TopicCodec,
  topic: TopicDeclaration,
  events: readonly RunEvent[],
): Promise<void> {
  const messages = await Promise.all(
    events.map(async (event) => ({ key: jobKey(event), value: await codec.encode(topic, event) })),
  );
  await producer.send({ topic: topic.name, messages, acks: -1 });
}
