/**
 * How the suite offers its workload: over Kafka (as a producer with a Kafka client does, retrying a send
 * the broker did not take) or over the API's HTTP ingest (as a producer without one does, retrying what
 * the API did not accept), paced at a fixed rate so faults land in the middle of the stream.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { toAvro } from '../../src/contract/avro.ts';
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import type { Suite } from './suite.ts';
import { fingerprint, type Generated } from './workload.ts';

const CHUNK = 50;
const GIVE_UP_MS = 300_000;

export interface Offered {
  /** Fingerprints of the poison records sent. */
  readonly poison: string[];
  /** Sends (or HTTP requests) that failed and were retried. */
  retries: number;
}

async function encode(
  suite: Suite,
  item: Generated,
): Promise<{ key: string; value: Buffer; poison?: string }> {
  if (item.kind === 'valid') {
    const value = await suite.codec.encode(suite.topics.changes, toAvro(item.event));
    if (!value) throw new Error('an event encoded to null');
    return { key: item.event.asset.urn, value };
  }
  const { poison } = item;
  const value =
    poison.reason === 'undecodable'
      ? poison.raw
      : await suite.codec.encode(suite.topics.changes, toAvro(poison.event));
  if (!value) throw new Error('a poison event encoded to null');
  return { key: poison.key, value, poison: fingerprint(value) };
}

async function retrying(what: string, offered: Offered, attempt: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + GIVE_UP_MS;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`${what}: still failing after ${GIVE_UP_MS / 1000} s`, { cause: error });
      offered.retries += 1;
      await sleep(500);
    }
  }
}

/** Sends `items` to the changes topic at `rate` per second, in order. */
export async function offerOverKafka(
  suite: Suite,
  items: readonly Generated[],
  rate: number,
  offered: Offered,
): Promise<void> {
  const began = performance.now();
  for (let i = 0; i < items.length; i += CHUNK) {
    const messages = await Promise.all(items.slice(i, i + CHUNK).map((item) => encode(suite, item)));
    await retrying('producing to Kafka', offered, async () => {
      await suite.producer.send({
        topic: suite.topics.changes.name,
        acks: -1,
        messages: messages.map(({ key, value }) => ({ key, value })),
      });
    });
    for (const m of messages) if (m.poison) offered.poison.push(m.poison);
    const due = began + ((i + CHUNK) / rate) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
  }
}

/** Posts `events` to POST /v1/events at `rate` per second, retrying each batch until it is accepted (202). */
export async function offerOverHttp(
  suite: Suite,
  events: readonly ChangeEvent[],
  rate: number,
  offered: Offered & { apiErrors: number },
): Promise<void> {
  const api = suite.instances.find((i) => i.part === 'api');
  if (!api?.apiPort) throw new Error('no API instance');
  const url = `http://127.0.0.1:${api.apiPort}/v1/events`;
  const began = performance.now();
  for (let i = 0; i < events.length; i += CHUNK) {
    const body = JSON.stringify(events.slice(i, i + CHUNK));
    await retrying('posting to the API', offered, async () => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if (response.status !== 202) {
        offered.apiErrors += 1;
        throw new Error(`POST /v1/events answered ${response.status}: ${text.slice(0, 300)}`);
      }
    });
    const due = began + ((i + CHUNK) / rate) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
  }
}
