import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { findJdk, javaBin } from './java.ts';
import { layoutFor, loopback, ports } from './layout.ts';
import { fetchKafka } from './maven.ts';
import { startDetached } from './processes.ts';
import type { StackService } from './service.ts';

/** Single combined broker+controller KRaft node on loopback, tuned for 2 cores and fast tests. */
function serverProperties(dataDir: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${loopback}:${ports.kafkaController}`,
    `listeners=PLAINTEXT://${loopback}:${ports.kafka},CONTROLLER://${loopback}:${ports.kafkaController}`,
    `advertised.listeners=PLAINTEXT://${loopback}:${ports.kafka}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=1',
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=4',
    // Local consumers use short session timeouts so a killed instance's partitions move quickly.
    'group.initial.rebalance.delay.ms=0',
    'group.min.session.timeout.ms=1000',
    'num.network.threads=2',
    'num.io.threads=4',
    'log.retention.check.interval.ms=60000',
    '',
  ].join('\n');
}

const log4j = [
  'log4j.rootLogger=INFO, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.request.logger=WARN',
  'log4j.logger.state.change.logger=WARN',
  'log4j.logger.org.apache.kafka.storage=WARN',
  '',
].join('\n');

/**
 * Kafka's Uuid is 16 random bytes in URL-safe base64 without padding. Like Kafka's own generator, never
 * one that starts with `-`: StorageTool would read `-t -abc…` as an option and refuse to format.
 */
export function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export function kafkaService(home: string): StackService {
  const layout = layoutFor(home, 'kafka');
  const libs = join(layout.installDir, 'libs');
  const configDir = join(home, 'run', 'kafka', 'config');
  const propsFile = join(configDir, 'server.properties');
  const marker = `-Dsteward.stack=kafka@${home}`;
  const classpath = `${libs}/*`;
  const jvm = [
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${join(configDir, 'log4j.properties')}`,
  ];

  return {
    name: 'kafka',
    layout,
    endpoint: `${loopback}:${ports.kafka}`,
    ports: [ports.kafka, ports.kafkaController],
    marker,
    startTimeoutMs: 90_000,
    stopGraceMs: 30_000,
    async install() {
      await fetchKafka(layout.installDir);
    },
    start() {
      mkdirSync(configDir, { recursive: true });
      writeFileSync(propsFile, serverProperties(layout.dataDir));
      writeFileSync(join(configDir, 'log4j.properties'), log4j);
      if (!existsSync(join(layout.dataDir, 'meta.properties'))) {
        execFileSync(
          javaBin(findJdk(17)),
          [
            '-Xmx256m',
            ...jvm,
            '-cp',
            classpath,
            'kafka.tools.StorageTool',
            'format',
            '-t',
            clusterId(),
            '-c',
            propsFile,
            '-g',
          ],
          { stdio: 'ignore' },
        );
      }
      startDetached(
        javaBin(findJdk(17)),
        [
          '-Xms256m',
          '-Xmx768m',
          '-XX:+UseG1GC',
          '-XX:MaxGCPauseMillis=20',
          '-XX:InitiatingHeapOccupancyPercent=35',
          '-XX:+ExplicitGCInvokesConcurrent',
          ...jvm,
          marker,
          '-cp',
          classpath,
          'kafka.Kafka',
          propsFile,
        ],
        { logFile: layout.logFile, pidFile: layout.pidFile, cwd: layout.installDir },
      );
      return Promise.resolve();
    },
    async healthy() {
      const admin = new Kafka({
        clientId: 'steward-stack',
        brokers: [`${loopback}:${ports.kafka}`],
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
        connectionTimeout: 1000,
      }).admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return cluster.brokers.length > 0 && cluster.controller !== null;
      } finally {
        await admin.disconnect();
      }
    },
  };
}
