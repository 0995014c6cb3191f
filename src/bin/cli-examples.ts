import type { Command } from 'commander';

/**
 * Examples for every command of the `steward` CLI, shown at the end of its `--help`. `withExamples` adds
 * them to the whole command tree and refuses a command that has none, so a new command cannot ship
 * without them (test/unit/cli-help.test.ts runs `steward --help`).
 */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  steward: ['steward start', 'steward doctor', 'steward run compliance', 'steward <command> --help'],
  'steward start': [
    'steward start                                  # the local stack, migrations, topics, every part',
    'KAFKA_BROKERS=kafka:9092 DATABASE_URL=postgres://db/steward steward start   # your servers, none started',
  ],
  'steward run': [
    'steward run metadata-sync                      # one part; run it again to add an instance',
    'METRICS_PORT=0 steward run compliance          # a second instance on the same host',
    'API_PORT=3001 METRICS_PORT=0 steward run api',
    'steward run all                                # every part in one process, on the configured servers',
  ],
  'steward migrate': ['steward migrate', 'DATABASE_URL=postgres://steward@db/steward steward migrate'],
  'steward topics': ['steward topics apply'],
  'steward topics apply': [
    'steward topics apply     # create or converge every topic in topics/, register schemas',
  ],
  'steward dlq': [
    'steward dlq list --group steward.compliance',
    'steward dlq replay --group steward.compliance',
  ],
  'steward dlq list': [
    'steward dlq list',
    'steward dlq list --group steward.metadata-sync --code STW_CONTRACT_INVALID',
    'steward dlq list --topic steward.changes.v1 --id 3f2a…',
  ],
  'steward dlq replay': [
    'steward dlq replay --group steward.metadata-sync --dry-run',
    'steward dlq replay --group steward.metadata-sync --code STW_HANDLER_FAILED',
  ],
  'steward produce': [
    'steward produce --file examples/events.ndjson',
    'steward produce --file export.ndjson --skip-invalid',
  ],
  'steward reindex': ['steward reindex          # new index from PostgreSQL, alias moved atomically'],
  'steward reconcile': ['steward reconcile        # repair drift between PostgreSQL and the index'],
  'steward freshness': ['steward freshness', 'steward freshness --group steward.indexer --json'],
  'steward classify': ['steward classify --csv customers.csv', 'steward classify --csv big.csv --sample 500'],
  'steward jobs': ['steward jobs list', 'steward jobs run kpi-aggregate'],
  'steward jobs list': ['steward jobs list', 'steward jobs list --json'],
  'steward jobs run': ['steward jobs run index-reconcile', 'steward jobs run compliance-rescan'],
  'steward policies': ['steward policies list', 'steward policies apply my-policy.json --by ana'],
  'steward policies list': ['steward policies list', 'steward policies list --json'],
  'steward policies apply': [
    'steward policies apply my-policy.json --by ana      # one policy or an array; each stored as its next version',
  ],
  'steward policies reevaluate': ['steward policies reevaluate'],
  'steward endpoints': ['steward endpoints list'],
  'steward endpoints add': [
    'steward endpoints add --id crm-hook --owner team-crm --url https://hooks.example/steward --min-severity high',
    'CRM_HOOK_SECRET=… steward endpoints add --id crm --owner team-crm --url https://hooks.example/s --secret-env CRM_HOOK_SECRET',
  ],
  'steward endpoints list': ['steward endpoints list'],
  'steward endpoints remove': ['steward endpoints remove crm-hook'],
  'steward classification': [
    "steward classification reject 'urn:steward:dataset:postgres:prod:shop.public.payments' cvv card_security_code --by ana",
  ],
  'steward classification confirm': [
    "steward classification confirm 'urn:steward:dataset:postgres:prod:shop.public.customers' email email --by ana",
  ],
  'steward classification reject': [
    "steward classification reject 'urn:steward:dataset:postgres:prod:shop.public.payments' cvv card_security_code --by ana --reason 'fraud score'",
  ],
  'steward classification clear': [
    "steward classification clear 'urn:steward:dataset:postgres:prod:shop.public.customers' email email --by ana",
  ],
  'steward apikey': ['steward apikey create --role viewer --name dashboards', 'steward apikey list'],
  'steward apikey create': [
    'steward apikey create --role viewer --name dashboards      # prints the key once',
    'steward apikey create --role admin --name ops',
  ],
  'steward apikey list': ['steward apikey list'],
  'steward apikey revoke': ['steward apikey revoke 0123456789abcdef'],
  'steward demo': [
    'steward demo                       # the catalog, then 7 changes over 2 minutes',
    'steward demo --duration 0          # everything at once',
    "curl -s 'http://127.0.0.1:3000/v1/search?q=email&class=email' | jq '.hits[].asset.urn'",
  ],
  'steward scan': [
    'steward scan --list                 # declared sources (SCAN_SOURCES_FILE) and their last scan',
    'steward scan shop                   # scan one source now',
    'steward scan shop --dry-run --json  # what would change, nothing published',
    'steward scan hr --allow-mass-delete # apply deletes the mass-delete guard withheld',
  ],
  'steward doctor': [
    'steward doctor',
    'KAFKA_BROKERS=kafka-1:9092 DATABASE_URL=postgres://steward@db/steward steward doctor --timeout 2000',
  ],
  'steward config': ['steward config         # the validated configuration, secrets redacted'],
};

/** The path of a command from the root: `steward jobs run`. */
function pathOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Adds the examples to `program` and every subcommand; throws naming any command without examples. */
export function withExamples(program: Command): Command {
  const missing: string[] = [];
  const visit = (command: Command): void => {
    const path = pathOf(command);
    const examples = EXAMPLES[path];
    if (!examples?.length) missing.push(path);
    else command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}`);
    for (const sub of command.commands) visit(sub);
  };
  visit(program);
  if (missing.length)
    throw new Error(`commands without examples in src/bin/cli-examples.ts: ${missing.join(', ')}`);
  return program;
}
