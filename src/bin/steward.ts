#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { readDeadLetters, replayDeadLetters } from '../adapters/dead-letters.ts';
import { aliasName } from '../adapters/elasticsearch/asset-index.ts';
import { createElasticsearch } from '../adapters/elasticsearch/client.ts';
import { reconcileIndex, reindexAssets, type ReconcileResult } from '../adapters/elasticsearch/reindex.ts';
import { createKafka, idempotentProducer } from '../adapters/kafka.ts';
import { migrate } from '../adapters/postgres/migrate.ts';
import { readFreshness } from '../adapters/postgres/freshness-store.ts';
import { createPool } from '../adapters/postgres/pool.ts';
import { TopicCodec, createRegistry } from '../adapters/registry.ts';
import { applyTopics } from '../adapters/topics-admin.ts';
import { ConfigError, loadConfig, redactedConfig, type Config } from '../config.ts';
import { freshnessStaleAfterMs, summariseFreshness } from '../domain/freshness.ts';
import { registryProblems, type RegisteredProcessor } from '../domain/registry.ts';
import { FatalError } from '../errors.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { ChangePublisher } from '../producer/publish.ts';
import { withExamples } from './cli-examples.ts';
import { registerDemoCommand } from './demo-cli.ts';
import { registerDoctorCommand } from './doctor-cli.ts';
import { registerScanCommand } from './scan-cli.ts';
import { produceFile } from '../producer/produce-file.ts';
import { localStack, up } from '../stack/stack.ts';
import { clockOf } from '../domain/clock.ts';
import { nextSlot } from '../domain/schedule.ts';
import { jobRunSummaries } from '../adapters/postgres/timer-store.ts';
import { createMetricsRegistry } from '../observability/metrics.ts';
import { configuredJobs } from '../scheduler/jobs.ts';
import { TimerMetrics } from '../scheduler/metrics.ts';
import { Scheduler } from '../scheduler/scheduler.ts';
import { instanceId } from '../scheduler/start.ts';
import { processors as defaultRegistry, processorsFor } from '../../processors/index.ts';
import { alerts, commands, dlq, retry, timers, topics } from '../../topics/index.ts';
import { classifyCsv } from './classify-csv.ts';
import { registerApiKeyCommands } from './apikey-cli.ts';
import { registerGovernanceCommands } from './governance-cli.ts';
import { runProcesses } from './run-processor.ts';

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

const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** The registry for this deployment: names are fixed, the index alias follows ELASTICSEARCH_INDEX_PREFIX. */
function registryFor(config: Config): readonly RegisteredProcessor[] {
  return processorsFor({
    indexPrefix: config.elasticsearch.indexPrefix,
    lineageNamespaces: config.lineage.namespaces,
  });
}

function checkRegistryOrExit(processors: readonly RegisteredProcessor[]): void {
  const problems = registryProblems(processors, topics);
  if (problems.length) {
    throw new FatalError(
      'STW_REGISTRY_INVALID',
      `the processor registry is inconsistent:\n- ${problems.join('\n- ')}`,
    );
  }
}

/** Topics and schemas, idempotently; prints what it did. Returns false when a topic was refused. */
async function topicsApply(config: Config, logger: Logger): Promise<boolean> {
  const admin = createKafka(config.kafka, logger).admin();
  await admin.connect();
  try {
    const reports = await applyTopics(admin, createRegistry(config.schemaRegistry), topics);
    for (const r of reports) {
      say(
        `${r.topic.padEnd(24)} ${r.actions.join(', ')}${r.schemaId === undefined ? '' : `  schema id ${r.schemaId}`}${r.detail ? `  (${r.detail})` : ''}`,
      );
    }
    return reports.every((r) => !r.actions.includes('refused'));
  } finally {
    await admin.disconnect();
  }
}

/** Every part in this one process (`steward run all`, and `steward start` after its set-up); Ctrl-C stops all. */
async function runAll(
  config: Config,
  processors: readonly RegisteredProcessor[],
  logger?: Logger,
): Promise<void> {
  await runProcesses(processors, {
    config,
    dlqTopic: dlq,
    retryTopic: retry,
    ...(logger && { logger }),
    timers: { scheduler: true, sweeps: true, topic: timers, commands },
    notifier: { alerts },
    api: { freshnessGroups: processors.map((p) => p.group) },
  });
}

async function start(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger({ level: config.log.level, name: 'steward' });
  const processors = registryFor(config);
  checkRegistryOrExit(processors);
  const configured = endpointVariables.filter((name) => process.env[name]);
  if (configured.length === 0) {
    logger.info('no endpoints configured: starting the local stack');
    await up(localStack(), (line) => logger.info({ stack: line }, 'local stack'));
  } else {
    logger.info({ configured }, 'using configured endpoints; starting no servers');
  }
  const applied = await migrate({ databaseUrl: config.postgres.url });
  logger.info({ applied }, 'migrations applied');
  if (!(await topicsApply(config, logger)))
    throw new FatalError('STW_TOPIC_INVALID', 'a topic could not be converged');
  await runAll(config, processors, logger);
  logger.info('steward is running; Ctrl-C stops it');
}

const program = new Command('steward').description('Steward: a streaming data-governance pipeline');

program
  .command('start')
  .description(
    'run Steward locally: the local stack unless endpoints are configured, migrations, topics, then every part',
  )
  .action(start);

program
  .command('run')
  .description(
    'run one part (a processor, the notifier, the scheduler, the sweeps or the API; add instances to scale), or all of them',
  )
  .argument(
    '<part>',
    `one of: ${[...defaultRegistry.map((p) => p.name), 'api', 'notifier', 'scheduler', 'sweeps', 'all'].join(', ')}`,
  )
  .action(async (name: string) => {
    const config = configOrExit();
    if (name === 'all') {
      const processors = registryFor(config);
      checkRegistryOrExit(processors);
      await runAll(config, processors);
      return;
    }
    if (name === 'api') {
      const api = { freshnessGroups: registryFor(config).map((p) => p.group) };
      await runProcesses([], { config, dlqTopic: dlq, retryTopic: retry, api });
      return;
    }
    if (name === 'notifier') {
      await runProcesses([], { config, dlqTopic: dlq, retryTopic: retry, notifier: { alerts } });
      return;
    }
    if (name === 'scheduler' || name === 'sweeps') {
      const timerParts = {
        scheduler: name === 'scheduler',
        sweeps: name === 'sweeps',
        topic: timers,
        commands,
      };
      await runProcesses([], { config, dlqTopic: dlq, retryTopic: retry, timers: timerParts });
      return;
    }
    const processors = registryFor(config);
    checkRegistryOrExit(processors);
    const entry = processors.find((p) => p.name === name);
    if (!entry) {
      process.stderr.write(
        `unknown processor "${name}"; registered: ${processors.map((p) => p.name).join(', ') || '(none yet)'}\n`,
      );
      process.exit(2);
    }
    await runProcesses([entry], { config, dlqTopic: dlq, retryTopic: retry });
  });

program
  .command('migrate')
  .description('apply the PostgreSQL migrations to DATABASE_URL')
  .action(async () => {
    const applied = await migrate({ databaseUrl: configOrExit().postgres.url });
    say(applied.length ? `applied: ${applied.join(', ')}` : 'nothing to apply');
  });

const topicsCommand = program.command('topics').description('Kafka topics, as declared in topics/');
topicsCommand
  .command('apply')
  .description('create or converge every declared topic and register its value schema (idempotent)')
  .action(async () => {
    const config = configOrExit();
    const ok = await topicsApply(config, createLogger({ level: 'warn', name: 'steward' }));
    process.exitCode = ok ? 0 : 1;
  });

const dlqCommand = program.command('dlq').description('the dead-letter topic');
const filterOptions = (command: Command, groupRequired = false): Command =>
  command
    .addOption(
      groupRequired
        ? new Option('--group <group>', 'the consumer group to re-deliver to').makeOptionMandatory()
        : new Option('--group <group>', 'only dead letters of this consumer group'),
    )
    .addOption(new Option('--code <code>', 'only this error code (STW_*)'))
    .addOption(new Option('--topic <topic>', 'only records from this source topic'))
    .addOption(new Option('--id <id...>', 'only these dead-letter ids'));
interface FilterFlags {
  group?: string;
  code?: string;
  topic?: string;
  id?: string[];
}
const toFilter = (flags: FilterFlags) => ({
  ...(flags.group && { group: flags.group }),
  ...(flags.code && { code: flags.code }),
  ...(flags.topic && { topic: flags.topic }),
  ...(flags.id && { ids: flags.id }),
});

filterOptions(
  dlqCommand.command('list').description('list dead letters (reads the topic; commits nothing)'),
).action(async (flags: FilterFlags) => {
  const config = configOrExit();
  const logger = createLogger({ level: 'warn', name: 'steward' });
  const letters = await readDeadLetters(
    createKafka(config.kafka, logger),
    new TopicCodec(createRegistry(config.schemaRegistry)),
    dlq,
    toFilter(flags),
  );
  for (const l of letters) {
    say(
      `${l.id}  ${l.failedAt}  ${l.group}  ${l.errorCode}  ${l.topic}/${l.partition}@${l.offset}  ${l.payloadRef ? `[payload ${l.payloadRef.slice(0, 12)}…] ` : ''}${l.errorMessage.slice(0, 160)}`,
    );
  }
  say(`${letters.length} dead letter(s)`);
});

filterOptions(
  dlqCommand
    .command('replay')
    .description('re-deliver dead letters to the consumer group that failed them, through the retry topic')
    .option('--dry-run', 'list what would be replayed'),
  true,
).action(async (flags: FilterFlags & { dryRun?: boolean }) => {
  const config = configOrExit();
  const logger = createLogger({ level: 'warn', name: 'steward' });
  const kafka = createKafka(config.kafka, logger);
  const letters = await readDeadLetters(
    kafka,
    new TopicCodec(createRegistry(config.schemaRegistry)),
    dlq,
    toFilter(flags),
  );
  if (flags.dryRun) {
    for (const l of letters)
      say(`would replay ${l.id}  ${l.errorCode}  ${l.topic}/${l.partition}@${l.offset}`);
    say(`${letters.length} dead letter(s) would be replayed to group ${flags.group ?? ''}`);
    return;
  }
  const pool = createPool(config.postgres, 2);
  try {
    const replayed = await replayDeadLetters({ kafka, pool, retry, letters });
    say(`replayed ${replayed} dead letter(s) to group ${flags.group ?? ''}`);
  } finally {
    await pool.end();
  }
});

program
  .command('produce')
  .description('validate an NDJSON file of change events and publish it to the input topic, keyed by URN')
  .requiredOption('--file <path>', 'one change event per line')
  .option('--skip-invalid', 'send the valid lines even when some are invalid (they are reported)')
  .action(async (flags: { file: string; skipInvalid?: boolean }) => {
    const config = configOrExit();
    const logger = createLogger({ level: 'warn', name: 'steward' });
    const publisher = new ChangePublisher({
      kafka: createKafka(config.kafka, logger),
      codec: new TopicCodec(createRegistry(config.schemaRegistry)),
      logger,
    });
    await publisher.connect();
    try {
      const result = await produceFile(flags.file, {
        publisher,
        skipInvalid: flags.skipInvalid ?? false,
        out: say,
      });
      process.exitCode = result.rejected ? 1 : 0;
    } finally {
      await publisher.disconnect();
    }
  });

const reconcileLine = (r: ReconcileResult): string =>
  `checked ${r.checked}, written ${r.written}, deleted ${r.deleted}, unchanged ${r.unchanged}`;

program
  .command('reindex')
  .description(
    'rebuild the asset index from PostgreSQL into a new index and move the alias to it (zero downtime)',
  )
  .action(async () => {
    const config = configOrExit();
    const pool = createPool(config.postgres, 2);
    const client = createElasticsearch(config.elasticsearch);
    try {
      const result = await reindexAssets({ pool, client, prefix: config.elasticsearch.indexPrefix });
      say(`new index ${result.newIndex}: ${result.written} live asset(s) written from PostgreSQL`);
      say(
        `alias ${aliasName(config.elasticsearch.indexPrefix)} moved; old index(es) deleted: ${result.oldIndices.join(', ') || 'none'}`,
      );
      say(`caught up after the swap: ${reconcileLine(result.reconciled)}`);
    } finally {
      await client.close();
      await pool.end();
    }
  });

program
  .command('reconcile')
  .description(
    'compare PostgreSQL with the asset index and repair drift (missing, older, deleted or unknown documents)',
  )
  .action(async () => {
    const config = configOrExit();
    const pool = createPool(config.postgres, 2);
    const client = createElasticsearch(config.elasticsearch);
    try {
      say(
        reconcileLine(
          await reconcileIndex({ pool, client, alias: aliasName(config.elasticsearch.indexPrefix) }),
        ),
      );
    } finally {
      await client.close();
      await pool.end();
    }
  });

program
  .command('freshness')
  .description(
    'how far behind its input each consumer group is, per partition (the watermark search results report)',
  )
  .option('--group <group...>', 'consumer groups to report (default: every processor)')
  .action(async (flags: { group?: string[] }) => {
    const config = configOrExit();
    const pool = createPool(config.postgres, 1);
    try {
      const groups = flags.group ?? registryFor(config).map((p) => p.group);
      const now = new Date();
      const rows = await readFreshness(pool, groups);
      const report = Object.fromEntries(
        groups.map((group) => {
          const { partitions, ...summary } = summariseFreshness(
            rows.filter((r) => r.group === group),
            now,
            freshnessStaleAfterMs,
          );
          return [group, { ...summary, partitions: partitions.length }];
        }),
      );
      const { partitions, ...overall } = summariseFreshness(rows, now, freshnessStaleAfterMs);
      say(
        JSON.stringify({ overall: { ...overall, partitions: partitions.length }, groups: report }, null, 2),
      );
    } finally {
      await pool.end();
    }
  });

program
  .command('classify')
  .description('classify the columns of a CSV file (header row, then rows as samples) and print JSON')
  .requiredOption('--csv <file>', 'a CSV file with a header row')
  .option(
    '--sample <n>',
    'rows to sample',
    (value) => {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
      return n;
    },
    100,
  )
  .action(async (flags: { csv: string; sample: number }) => {
    say(JSON.stringify(await classifyCsv(flags.csv, flags.sample), null, 2));
  });

const jobsCommand = program.command('jobs').description('the periodic jobs (timer ticks and their sweeps)');

jobsCommand
  .command('list')
  .description('every job: schedule, time zone, catch-up policy, next slot and last run')
  .option('--json', 'print JSON')
  .action(async (flags: { json?: boolean }) => {
    const config = configOrExit();
    const pool = createPool(config.postgres, 1);
    try {
      const now = clockOf(config.scheduler.clock)();
      const runs = await jobRunSummaries(pool);
      const rows = configuredJobs(config).map((job) => {
        const run = runs.get(job.name);
        return {
          job: job.name,
          schedule: job.cron,
          timeZone: job.timeZone,
          catchUp: job.catchUp,
          enabled: job.enabled,
          nextSlot: job.enabled ? (nextSlot(job, now)?.toISOString() ?? null) : null,
          lastSlot: run?.lastSlot?.toISOString() ?? null,
          lastStatus: run?.lastStatus ?? null,
          lastSuccessAt: run?.lastSuccessAt?.toISOString() ?? null,
          runs: run?.runs ?? 0,
          ...(flags.json && { description: job.description, lastOutcome: run?.lastOutcome ?? null }),
        };
      });
      if (flags.json) return say(JSON.stringify(rows, null, 2));
      say(
        `${'job'.padEnd(18)} ${'schedule'.padEnd(14)} ${'zone'.padEnd(6)} ${'catch-up'.padEnd(8)} ${'next slot'.padEnd(24)} last run`,
      );
      for (const r of rows)
        say(
          `${r.job.padEnd(18)} ${r.schedule.padEnd(14)} ${r.timeZone.padEnd(6)} ${r.catchUp.padEnd(8)} ${(r.nextSlot ?? (r.enabled ? '-' : 'disabled')).padEnd(24)} ${r.lastSlot ? `${r.lastSlot} ${r.lastStatus ?? ''}` : 'never'}`,
        );
    } finally {
      await pool.end();
    }
  });

jobsCommand
  .command('run')
  .description('trigger a slot of a job now (the same (job, slot) dedupe as scheduled ticks)')
  .argument('<job>', 'a job name (see `steward jobs list`)')
  .action(async (name: string) => {
    const config = configOrExit();
    const job = configuredJobs(config).find((j) => j.name === name);
    if (!job) {
      process.stderr.write(`unknown job "${name}"; see \`steward jobs list\`\n`);
      process.exit(2);
    }
    const logger = createLogger({ level: config.log.level, name: 'steward' });
    const pool = createPool(config.postgres, 1);
    const producer = idempotentProducer(createKafka(config.kafka, logger));
    await producer.connect();
    try {
      const scheduler = new Scheduler({
        pool,
        producer,
        codec: new TopicCodec(createRegistry(config.schemaRegistry)),
        topic: timers,
        jobs: [job],
        clock: clockOf(config.scheduler.clock),
        schedulerId: `cli-${instanceId()}`,
        pollMs: config.scheduler.pollMs,
        lateToleranceMs: config.scheduler.lateToleranceMs,
        catchUpLimit: config.scheduler.catchUpLimit,
        logger,
        metrics: new TimerMetrics(createMetricsRegistry()),
      });
      const ref = await scheduler.trigger(job);
      say(
        ref
          ? `published ${job.name} slot ${ref.slot.toISOString()}; a sweeps instance runs it (steward jobs list shows the outcome)`
          : `${job.name} already has a slot this second; nothing published`,
      );
    } finally {
      await producer.disconnect();
      await pool.end();
    }
  });

registerGovernanceCommands(program, configOrExit);
registerApiKeyCommands(program, configOrExit);
registerDemoCommand(program, configOrExit);
registerDoctorCommand(program, configOrExit);
registerScanCommand(program, configOrExit);

program
  .command('config')
  .description('print the validated configuration, secrets redacted')
  .action(() => {
    say(JSON.stringify(redactedConfig(configOrExit()), null, 2));
  });

withExamples(program);

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof FatalError) {
    process.stderr.write(`${error.code}: ${error.message}\n`);
    process.exit(2);
  }
  // PostgreSQL's undefined_table: the database predates a migration this command needs.
  if ((error as { code?: unknown } | null)?.code === '42P01') {
    process.stderr.write(`${(error as Error).message}: run \`steward migrate\` first\n`);
    process.exit(2);
  }
  throw error;
}
