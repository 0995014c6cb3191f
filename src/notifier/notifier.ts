/**
 * The notifier: delivers violation transitions (steward.alerts.v1) to their owners' webhooks. For each
 * alert it finds the endpoints of the alert's owners (and the catch-all owner `*`) whose minimum severity
 * the alert reaches, and posts the alert to each one not yet delivered, signed, with retries and back-off
 * (deliver.ts). The ledger `alert_deliveries` (transition id, endpoint) makes delivery idempotent on the
 * transition id: a redelivered alert, a replay or a second instance does not post again. An endpoint that
 * fails every attempt gets a `dead` ledger row and the alert is dead-lettered with the reason; replaying
 * it (`steward dlq replay --group steward.notifier`) retries the endpoints not delivered.
 *
 * At-least-once: the offset is committed after the alert's endpoints are settled. A crash between a
 * successful POST and its ledger row posts that one again: receivers dedupe on `Steward-Transition-Id`.
 */
import type { Consumer, EachMessagePayload, Kafka, Producer } from 'kafkajs';
import { Counter, Histogram, type Registry } from 'prom-client';
import { DeadLetterSink } from '../adapters/dead-letter-sink.ts';
import { idempotentProducer } from '../adapters/kafka.ts';
import type { Pool } from '../adapters/postgres/pool.ts';
import type { TopicCodec } from '../adapters/registry.ts';
import type { TopicDeclaration } from '../domain/topic.ts';
import type { Logger } from '../observability/logger.ts';
import { headerNames, toRaw, type RawRecord } from '../runtime/records.ts';
import { deliver, type DeliveryOptions } from './deliver.ts';

export const NOTIFIER_GROUP = 'steward.notifier';
const SEVERITIES = ['low', 'medium', 'high', 'critical'];

/** What the notifier reads of an alert (topics/schemas/alert.ts). */
interface AlertFields {
  readonly id: string;
  readonly urn: string;
  readonly kind: string;
  readonly severity: string;
  readonly owners: readonly string[];
}

interface Endpoint {
  readonly id: string;
  readonly url: string;
  readonly secret_env: string | null;
}

export interface NotifierOptions {
  readonly kafka: Kafka;
  readonly codec: TopicCodec;
  readonly pool: Pool;
  readonly alerts: TopicDeclaration;
  readonly dlqTopic: TopicDeclaration;
  readonly retryTopic: TopicDeclaration;
  readonly delivery: Omit<DeliveryOptions, 'heartbeat'>;
  /** The default signing secret; an endpoint may name its own variable instead. */
  readonly signingSecret: string | undefined;
  /** Where endpoints' `secret_env` variables are read (process.env). */
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly fromBeginning?: boolean;
}

function isAlert(value: unknown): value is AlertFields {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'string' &&
    typeof v.urn === 'string' &&
    typeof v.kind === 'string' &&
    typeof v.severity === 'string' &&
    Array.isArray(v.owners)
  );
}

export async function startNotifier(options: NotifierOptions): Promise<{ stop(): Promise<void> }> {
  const { pool, codec, logger } = options;
  const log = logger.child({ processor: 'notifier', group: NOTIFIER_GROUP });
  const deliveries = new Counter({
    name: 'steward_notifier_deliveries_total',
    help: 'Webhook deliveries by outcome (delivered, dead, skipped: already delivered).',
    labelNames: ['outcome'],
    registers: [options.registry],
  });
  const seconds = new Histogram({
    name: 'steward_notifier_delivery_seconds',
    help: 'Time to settle one delivery, retries included.',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [options.registry],
  });
  const producer: Producer = idempotentProducer(options.kafka);
  const dead = new DeadLetterSink({
    producer,
    codec,
    pool,
    topic: options.dlqTopic,
    group: NOTIFIER_GROUP,
    processor: 'notifier',
  });
  const consumer: Consumer = options.kafka.consumer({ groupId: NOTIFIER_GROUP });

  const secretOf = (endpoint: Endpoint): string | undefined =>
    endpoint.secret_env ? options.env[endpoint.secret_env] : options.signingSecret;

  async function settle(alert: AlertFields, body: string, heartbeat: () => Promise<void>): Promise<string[]> {
    const { rows: endpoints } = await pool.query<Endpoint>(
      `SELECT e.id, e.url, e.secret_env FROM notification_endpoints e
       WHERE e.enabled AND (e.owner = ANY($1::text[]) OR e.owner = '*')
         AND array_position($3::text[], e.min_severity) <= array_position($3::text[], $2)
         AND NOT EXISTS (SELECT 1 FROM alert_deliveries d
                         WHERE d.transition_id = $4 AND d.endpoint_id = e.id AND d.status = 'delivered')
       ORDER BY e.id`,
      [alert.owners, alert.severity, SEVERITIES, alert.id],
    );
    const failures: string[] = [];
    for (const endpoint of endpoints) {
      const began = performance.now();
      const secret = secretOf(endpoint);
      const outcome = secret
        ? await deliver(endpoint.url, body, alert.id, secret, { ...options.delivery, heartbeat })
        : {
            ok: false as const,
            attempts: 0,
            status: null,
            error: endpoint.secret_env
              ? `no signing secret in ${endpoint.secret_env}`
              : 'no signing secret (NOTIFIER_SIGNING_SECRET)',
          };
      seconds.observe((performance.now() - began) / 1000);
      await pool.query(
        `INSERT INTO alert_deliveries (transition_id, endpoint_id, status, attempts, response_status, error)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (transition_id, endpoint_id) DO UPDATE
           SET status = EXCLUDED.status, attempts = alert_deliveries.attempts + EXCLUDED.attempts,
               response_status = EXCLUDED.response_status, error = EXCLUDED.error, finished_at = now()`,
        [
          alert.id,
          endpoint.id,
          outcome.ok ? 'delivered' : 'dead',
          outcome.attempts,
          outcome.status,
          outcome.ok ? null : outcome.error,
        ],
      );
      deliveries.inc({ outcome: outcome.ok ? 'delivered' : 'dead' });
      const fields = {
        transitionId: alert.id,
        urn: alert.urn,
        endpoint: endpoint.id,
        attempts: outcome.attempts,
      };
      if (outcome.ok) log.info(fields, 'alert delivered');
      else {
        log.warn({ ...fields, error: outcome.error }, 'alert delivery failed');
        failures.push(`${endpoint.id}: ${outcome.error}`);
      }
    }
    return failures;
  }

  async function eachMessage(payload: EachMessagePayload): Promise<void> {
    const { topic, partition, message } = payload;
    const raw: RawRecord = toRaw(topic, partition, message);
    if (topic === options.retryTopic.name) {
      const addressee = raw.headers[headerNames.retryGroup]?.toString();
      if (addressee !== NOTIFIER_GROUP) return;
    }
    let value: unknown;
    try {
      value = message.value ? await codec.decode(message.value) : null;
    } catch (error) {
      await dead.publish([{ record: raw, code: 'STW_DECODE_FAILED', message: (error as Error).message }]);
      return;
    }
    if (!isAlert(value)) {
      await dead.publish([
        { record: raw, code: 'STW_CONTRACT_INVALID', message: 'the value is not an Alert' },
      ]);
      return;
    }
    const failures = await settle(value, JSON.stringify(value), () => payload.heartbeat());
    if (failures.length)
      await dead.publish([{ record: raw, code: 'STW_DELIVERY_FAILED', message: failures.join('; ') }]);
  }

  await producer.connect();
  await consumer.connect();
  for (const topic of [options.alerts, options.retryTopic])
    await consumer.subscribe({ topic: topic.name, fromBeginning: options.fromBeginning ?? true });
  // One alert at a time per partition; a failing dependency (PostgreSQL, the DLQ) throws, and kafkajs
  // redelivers from the last committed offset after its own back-off.
  await consumer.run({ partitionsConsumedConcurrently: 3, eachMessage });
  log.info({ alerts: options.alerts.name }, 'notifier started');
  return {
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
      log.info('notifier stopped');
    },
  };
}
