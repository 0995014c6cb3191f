/** `steward apikey create|list|revoke`: API keys for the query API (hash stored; the key shown once). */
import { userInfo } from 'node:os';
import { Option, type Command as Program } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey } from '../adapters/postgres/api-keys.ts';
import { createPool, type Pool } from '../adapters/postgres/pool.ts';
import type { Config } from '../config.ts';
import { ROLES, type Role } from '../domain/principal.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** Who ran the command, for the audit log: `cli:<os user>`. */
const operator = (): string => `cli:${userInfo().username}`;

async function withPool<T>(config: Config, fn: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = createPool(config.postgres, 1);
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

export function registerApiKeyCommands(program: Program, config: () => Config): void {
  const apikey = program.command('apikey').description('API keys for the query API');

  apikey
    .command('create')
    .description('create a key and print it once (only its hash is stored)')
    .addOption(new Option('--role <role>', 'what the key may do').choices(ROLES).makeOptionMandatory())
    .requiredOption('--name <name>', 'who or what the key is for')
    .action(async (flags: { role: Role; name: string }) => {
      const created = await withPool(config(), (pool) =>
        createApiKey(pool, { role: flags.role, name: flags.name, by: operator() }),
      );
      say(JSON.stringify({ id: created.id, role: flags.role, name: flags.name, key: created.key }));
      process.stderr.write('the key is shown once: store it now (send it as Authorization: Bearer <key>)\n');
    });

  apikey
    .command('list')
    .description('every key: id, name, role, creator, created and revoked times (never the secret)')
    .action(async () => {
      const keys = await withPool(config(), listApiKeys);
      for (const key of keys) say(JSON.stringify(key));
    });

  apikey
    .command('revoke')
    .description('revoke a key by id; it stops working at once')
    .argument('<id>', 'the key id (the part after stw_)')
    .action(async (id: string) => {
      const revoked = await withPool(config(), (pool) => revokeApiKey(pool, id, operator()));
      if (!revoked) {
        process.stderr.write(`no active key ${id}\n`);
        process.exit(1);
      }
      say(`revoked ${id}`);
    });
}
