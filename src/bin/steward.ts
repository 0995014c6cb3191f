#!/usr/bin/env node
import { Command } from 'commander';
import { dependencyChecks } from '../adapters/readiness.ts';
import { migrate } from '../adapters/postgres/migrate.ts';
import { ConfigError, loadConfig, redactedConfig, type Config } from '../config.ts';
import { startHealthServer } from '../observability/health-server.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { createMetricsRegistry } from '../observability/metrics.ts';
import { localStack, up } from '../stack/stack.ts';

/** Variables that point Steward at existing servers; with none set, `start` runs the local stack. */
const endpointVariables = [
  'KAFKA_BROKERS',
  'SCHEMA_REGISTRY_URL',
  'ELASTICSEARCH_URL',
  'DATABASE_URL',
  'REDIS_URL',
];

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

function untilSignal(logger: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'stopping');
      resolve(signal);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function start(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger({ level: config.log.level, name: 'steward' });
  const configured = endpointVariables.filter((name) => process.env[name]);
  if (configured.length === 0) {
    logger.info('no endpoints configured: starting the local stack');
    await up(localStack(), (line) => logger.info({ stack: line }, 'local stack'));
  } else {
    logger.info({ configured }, 'using configured endpoints; starting no servers');
  }
  const applied = await migrate({ databaseUrl: config.postgres.url });
  logger.info({ applied }, 'migrations applied');
  const dependencies = dependencyChecks(config);
  const health = await startHealthServer({
    host: config.api.host,
    port: config.metrics.port,
    registry: createMetricsRegistry({ process: 'steward' }),
    checks: dependencies.checks,
    logger,
  });
  logger.info(
    {
      metrics: `http://${config.api.host}:${health.port}/metrics`,
      readyz: `http://${config.api.host}:${health.port}/readyz`,
    },
    'steward is running; Ctrl-C stops it',
  );
  await untilSignal(logger);
  await health.close();
  await dependencies.close();
}

const program = new Command('steward').description('Steward: a streaming data-governance pipeline');
program
  .command('start')
  .description(
    'run Steward locally: the local stack unless endpoints are configured, migrations, then every part',
  )
  .action(start);
program
  .command('migrate')
  .description('apply the PostgreSQL migrations to DATABASE_URL')
  .action(async () => {
    const config = configOrExit();
    const applied = await migrate({ databaseUrl: config.postgres.url });
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'nothing to apply\n');
  });
program
  .command('config')
  .description('print the validated configuration, secrets redacted')
  .action(() => {
    process.stdout.write(`${JSON.stringify(redactedConfig(configOrExit()), null, 2)}\n`);
  });

await program.parseAsync();
