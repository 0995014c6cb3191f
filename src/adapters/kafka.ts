import { readFileSync } from 'node:fs';
import {
  Kafka,
  Partitioners,
  logLevel,
  type KafkaConfig,
  type Producer,
  type ProducerConfig,
  type SASLOptions,
} from 'kafkajs';
import type { Config } from '../config.ts';
import type { Logger } from '../observability/logger.ts';

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

function sasl(config: Config['kafka']): SASLOptions | undefined {
  const s = config.sasl;
  if (!s) return undefined;
  return { mechanism: s.mechanism, username: s.username, password: s.password };
}

/** The one place a kafkajs client is built: TLS, SASL and kafkajs's logs routed into pino. */
export function createKafka(config: Config['kafka'], logger: Logger, clientId = config.clientId): Kafka {
  const ssl = config.ssl.enabled
    ? config.ssl.caFile
      ? { ca: [readFileSync(config.ssl.caFile, 'utf8')] }
      : true
    : undefined;
  const kafkaConfig: KafkaConfig = {
    clientId,
    brokers: [...config.brokers],
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }) => {
        const { message, ...extra } = log;
        logger[levels[level] ?? 'info']({ kafkajs: extra }, message);
      },
    ...(ssl !== undefined && { ssl }),
  };
  const auth = sasl(config);
  return new Kafka(auth ? { ...kafkaConfig, sasl: auth } : kafkaConfig);
}

/**
 * An idempotent producer with one request in flight (per-key order survives retries), partitioning keys
 * with murmur2 as the Java client does, so a URN lands on the same partition whoever produced it.
 */
export function idempotentProducer(kafka: Kafka, options: ProducerConfig = {}): Producer {
  return kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
    ...options,
  });
}
