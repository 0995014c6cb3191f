import { spawnSync } from 'node:child_process';
import { ports, loopback } from '../../src/stack/layout.ts';
import { ccompatPath } from '../../src/stack/registry.ts';
import { localStack, up } from '../../src/stack/stack.ts';
import { ensureDatabases, systemServices } from '../../src/stack/system.ts';
import { dockerAvailable, startContainers, stopContainers } from './containers.ts';
import { resolveEndpoints, toEnv, type Endpoints } from './endpoints.ts';

export const testDatabase = 'steward_test';

function onPath(command: string, args: string[]): boolean {
  return !spawnSync(command, args, { stdio: 'ignore' }).error;
}

async function startLocalStack(): Promise<Endpoints> {
  await up(localStack(), (line) => process.stderr.write(`[stack] ${line}\n`));
  const system = systemServices();
  await ensureDatabases(system.postgresUrl, [testDatabase]);
  const database = new URL(system.postgresUrl);
  database.pathname = `/${testDatabase}`;
  return {
    kafkaBrokers: [`${loopback}:${ports.kafka}`],
    schemaRegistryUrl: `http://${loopback}:${ports.registry}${ccompatPath}`,
    elasticsearchUrl: `http://${loopback}:${ports.elasticsearch}`,
    databaseUrl: database.toString(),
    redisUrl: system.redisUrl,
  };
}

/** Runs once in the test runner's process; test files inherit the environment it sets. */
export async function globalSetup(): Promise<void> {
  const resolved = await resolveEndpoints(process.env, {
    localStackAvailable: () => Promise.resolve(onPath('java', ['-version']) && onPath('mvn', ['-v'])),
    startLocalStack,
    dockerAvailable,
    startContainers,
  });
  Object.assign(process.env, toEnv(resolved.endpoints), { STEWARD_TEST_SOURCE: resolved.source });
  process.stderr.write(`[test] endpoints from ${resolved.source}\n`);
}

export async function globalTeardown(): Promise<void> {
  // The local stack stays up for the next run (`npm run stack:down` stops it); containers do not.
  await stopContainers();
}
