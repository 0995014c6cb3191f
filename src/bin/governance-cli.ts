/**
 * `steward policies …` and `steward classification …`: the operator's side of compliance until the API
 * serves the same (both write through the same store and commands).
 */
import { readFile } from 'node:fs/promises';
import { Argument, Option as CliOption, type Command as Program } from 'commander';
import { reevaluateAll } from '../commands/reevaluate.ts';
import { createKafka, idempotentProducer } from '../adapters/kafka.ts';
import { currentPolicies, putPolicy } from '../adapters/postgres/policy-store.ts';
import { createPool, type Pool } from '../adapters/postgres/pool.ts';
import { TopicCodec, createRegistry } from '../adapters/registry.ts';
import type { Config } from '../config.ts';
import { commandId, type Command } from '../domain/command.ts';
import { createLogger } from '../observability/logger.ts';
import { CLASS_IDS } from '../domain/classes.ts';
import { SEVERITIES } from '../domain/policy.ts';
import { commands } from '../../topics/index.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** Runs `fn` with a pool and a connected producer for the commands topic, then closes both. */
async function withCommandSink<T>(
  config: Config,
  fn: (sink: {
    pool: Pool;
    send: (command: Command) => Promise<void>;
    reevaluateAll: (reason: string) => Promise<number>;
  }) => Promise<T>,
): Promise<T> {
  const logger = createLogger({ level: config.log.level, name: 'steward' });
  const pool = createPool(config.postgres, 2);
  const producer = idempotentProducer(createKafka(config.kafka, logger));
  const codec = new TopicCodec(createRegistry(config.schemaRegistry));
  await producer.connect();
  try {
    return await fn({
      pool,
      async send(command) {
        await producer.send({
          topic: commands.name,
          messages: [{ key: command.urn, value: await codec.encode(commands, command) }],
          acks: -1,
        });
      },
      reevaluateAll: (reason) =>
        reevaluateAll({ pool, producer, codec, commands }, { issuedBy: 'steward policies', reason }),
    });
  } finally {
    await producer.disconnect();
    await pool.end();
  }
}

export function registerGovernanceCommands(program: Program, config: () => Config): void {
  const policies = program.command('policies').description('compliance policies (versioned, in PostgreSQL)');

  policies
    .command('list')
    .description('the current version of every policy')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const pool = createPool(config().postgres, 1);
      try {
        const set = await currentPolicies(pool);
        if (flags.json)
          return say(JSON.stringify({ policies: [...set.policies.values()], invalid: set.invalid }));
        for (const p of set.policies.values())
          say(
            `${p.id.padEnd(30)} v${String(p.version).padEnd(4)} ${p.severity.padEnd(9)} ${p.enabled ? 'enabled ' : 'disabled'} ${p.title}`,
          );
        for (const line of set.invalid) say(`invalid: ${line}`);
      } finally {
        await pool.end();
      }
    });

  policies
    .command('apply')
    .description(
      'store each policy of a JSON file (one object or an array) as its next version, then re-evaluate',
    )
    .argument('<file>', 'JSON: a policy in schemas/policy.schema.json (its version is assigned)')
    .option('--by <name>', 'who changes them (recorded)', 'cli')
    .action(async (file: string, flags: { by: string }) => {
      const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
      const definitions: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
      await withCommandSink(config(), async ({ pool, reevaluateAll }) => {
        let changed = 0;
        for (const definition of definitions) {
          const result = await putPolicy(pool, definition, flags.by);
          if (!result.ok) {
            process.stderr.write(
              `refused: ${result.errors.map((e) => `${e.path} ${e.message}`).join('; ')}\n`,
            );
            process.exitCode = 2;
            continue;
          }
          say(`${result.policy.id} v${result.policy.version}: ${result.changed ? 'stored' : 'unchanged'}`);
          if (result.changed) changed += 1;
        }
        if (changed) say(`re-evaluation requested for ${await reevaluateAll('policies changed')} assets`);
      });
    });

  policies
    .command('reevaluate')
    .description('ask compliance to re-evaluate every live asset against the current policies')
    .action(async () => {
      await withCommandSink(config(), async ({ reevaluateAll }) => {
        say(`re-evaluation requested for ${await reevaluateAll('requested by an operator')} assets`);
      });
    });

  const endpoints = program
    .command('endpoints')
    .description("the notifier's routing: owners' webhook endpoints (owner `*` receives every alert)");
  endpoints
    .command('add')
    .description('add or replace an endpoint')
    .requiredOption('--id <id>', 'a name for the endpoint')
    .requiredOption('--owner <owner>', 'the owner it serves (as in asset owners), or *')
    .requiredOption('--url <url>', 'the webhook URL (http or https)')
    .option(
      '--secret-env <variable>',
      'the environment variable holding its signing secret (else NOTIFIER_SIGNING_SECRET)',
    )
    .addOption(
      new CliOption('--min-severity <severity>', 'the least severe alert it gets')
        .choices(SEVERITIES)
        .default('low'),
    )
    .action(
      async (flags: { id: string; owner: string; url: string; secretEnv?: string; minSeverity: string }) => {
        const url = URL.parse(flags.url);
        if (!url || !['http:', 'https:'].includes(url.protocol)) {
          process.stderr.write(`--url: expected an http or https URL\n`);
          process.exit(2);
        }
        const pool = createPool(config().postgres, 1);
        try {
          await pool.query(
            `INSERT INTO notification_endpoints (id, owner, url, secret_env, min_severity) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (id) DO UPDATE SET owner = EXCLUDED.owner, url = EXCLUDED.url,
             secret_env = EXCLUDED.secret_env, min_severity = EXCLUDED.min_severity, enabled = true`,
            [flags.id, flags.owner, url.href, flags.secretEnv ?? null, flags.minSeverity],
          );
          say(`endpoint ${flags.id} for ${flags.owner}: ${url.origin}`);
        } finally {
          await pool.end();
        }
      },
    );
  endpoints
    .command('list')
    .description('every endpoint (URLs shown without their path and query, which may carry tokens)')
    .action(async () => {
      const pool = createPool(config().postgres, 1);
      try {
        const { rows } = await pool.query<{
          id: string;
          owner: string;
          url: string;
          min_severity: string;
          enabled: boolean;
        }>('SELECT id, owner, url, min_severity, enabled FROM notification_endpoints ORDER BY owner, id');
        for (const r of rows)
          say(
            `${r.id.padEnd(24)} ${r.owner.padEnd(20)} ${r.min_severity.padEnd(9)} ${r.enabled ? 'enabled ' : 'disabled'} ${new URL(r.url).origin}`,
          );
      } finally {
        await pool.end();
      }
    });
  endpoints
    .command('remove')
    .argument('<id>')
    .description('disable an endpoint (its delivery history is kept)')
    .action(async (id: string) => {
      const pool = createPool(config().postgres, 1);
      try {
        const result = await pool.query('UPDATE notification_endpoints SET enabled = false WHERE id = $1', [
          id,
        ]);
        say(result.rowCount ? `endpoint ${id} disabled` : `no endpoint ${id}`);
      } finally {
        await pool.end();
      }
    });

  const classification = program
    .command('classification')
    .description("a steward's decision on a column's class (survives re-classification)");
  for (const decision of ['confirm', 'reject', 'clear'] as const) {
    classification
      .command(decision)
      .description(`${decision} a class on a column`)
      .argument('<urn>', 'the asset URN')
      .argument('<column>', 'the column name')
      .addArgument(new Argument('<class>', 'the class id').choices(CLASS_IDS))
      .requiredOption('--by <name>', 'who decides (recorded)')
      .option('--reason <text>', 'why')
      .action(async (urn: string, column: string, cls: string, flags: { by: string; reason?: string }) => {
        const at = new Date().toISOString();
        await withCommandSink(config(), async ({ send }) => {
          await send({
            id: commandId('classification', at, urn, column, cls, decision),
            kind: 'decide-classification',
            target: 'compliance',
            urn,
            issuedAt: at,
            issuedBy: flags.by,
            reason: flags.reason ?? null,
            payload: JSON.stringify({
              column,
              class: cls,
              decision,
              by: flags.by,
              reason: flags.reason ?? null,
            }),
          });
          say(`${decision} ${cls} on ${urn}#${column}: sent to compliance`);
        });
      });
  }
}
