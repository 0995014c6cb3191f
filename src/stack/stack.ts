import { existsSync } from 'node:fs';
import { elasticsearchService } from './elasticsearch.ts';
import { kafkaService } from './kafka.ts';
import { loopback, stackHome } from './layout.ts';
import { ownedPid, readPid, removePidFile, stopProcess, commandLine } from './processes.ts';
import { registryDatabase, registryService } from './registry.ts';
import type { StackService } from './service.ts';
import { checkRedis, ensureDatabases, jdbcFor, systemServices } from './system.ts';
import { portOpen, waitUntil } from './wait.ts';

/** The project's own database, next to the registry's. */
export const projectDatabase = 'steward';

export interface Stack {
  readonly home: string;
  readonly services: readonly StackService[];
}

export function localStack(env: NodeJS.ProcessEnv = process.env): Stack {
  const home = stackHome(env);
  const system = systemServices(env);
  return {
    home,
    services: [
      kafkaService(home),
      elasticsearchService(home),
      registryService(home, jdbcFor(system.postgresUrl, registryDatabase)),
    ],
  };
}

export type Say = (line: string) => void;

export class StackError extends Error {
  override readonly name = 'StackError';
}

async function startOne(service: StackService, say: Say): Promise<number> {
  const began = Date.now();
  let pid = ownedPid(service.layout.pidFile, service.marker);
  if (pid === undefined) {
    if (existsSync(service.layout.pidFile)) {
      say(
        `${service.name}: stale pid file (pid ${readPid(service.layout.pidFile) ?? '?'} is not ours), ignoring it`,
      );
      removePidFile(service.layout.pidFile);
    }
    for (const port of service.ports) {
      if (await portOpen(loopback, port)) {
        throw new StackError(
          `${service.name}: port ${port} is already in use by a process this stack did not start; stop it or point Steward at it with the endpoint variables`,
        );
      }
    }
    try {
      await service.start();
    } catch (error) {
      throw new StackError(
        `${service.name} failed to start: ${(error as Error).message}; log: ${service.layout.logFile}`,
        {
          cause: error,
        },
      );
    }
  } else {
    say(`${service.name}: already running (pid ${pid})`);
  }
  const result = await waitUntil(() => service.healthy(), {
    timeoutMs: service.startTimeoutMs,
    // The ES launcher writes its pid file once the server JVM runs; until then there is nothing to check.
    isAlive: () => {
      const current = readPid(service.layout.pidFile);
      return current === undefined || commandLine(current) !== undefined;
    },
  });
  if (!result.ok) {
    throw new StackError(
      `${service.name} did not become healthy: ${result.reason}; log: ${service.layout.logFile}`,
    );
  }
  pid = ownedPid(service.layout.pidFile, service.marker);
  say(
    `${service.name}: healthy at ${service.endpoint} (pid ${pid ?? '?'}, ${((Date.now() - began) / 1000).toFixed(1)} s)`,
  );
  return Date.now() - began;
}

/** Idempotent: installs what is missing, starts what is not running, waits until all are healthy. */
export async function up(stack: Stack, say: Say, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const system = systemServices(env);
  await checkRedis(system.redisUrl);
  const created = await ensureDatabases(system.postgresUrl, [projectDatabase, registryDatabase]);
  if (created.length) say(`postgres: created database ${created.join(', ')}`);
  for (const service of stack.services) {
    const began = Date.now();
    await service.install();
    const took = Date.now() - began;
    if (took > 1000)
      say(`${service.name}: installed into ${service.layout.installDir} (${(took / 1000).toFixed(1)} s)`);
  }
  const results = await Promise.allSettled(stack.services.map((service) => startOne(service, say)));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  if (failures.length) throw new StackError(failures.join('\n'));
}

/** Stops only processes this stack started, verified by their command line. */
export async function down(stack: Stack, say: Say): Promise<void> {
  await Promise.all(
    stack.services.map(async (service) => {
      const pid = ownedPid(service.layout.pidFile, service.marker);
      if (pid === undefined) {
        if (existsSync(service.layout.pidFile)) {
          say(`${service.name}: stale pid file removed; the process it names is not ours and was left alone`);
          removePidFile(service.layout.pidFile);
        } else {
          say(`${service.name}: not running`);
        }
        return;
      }
      const how = await stopProcess(pid, service.stopGraceMs);
      removePidFile(service.layout.pidFile);
      say(`${service.name}: ${how} (pid ${pid})`);
    }),
  );
}

export interface ServiceStatus {
  readonly name: string;
  readonly pid: number | undefined;
  readonly healthy: boolean;
  readonly endpoint: string;
  readonly log: string;
}

export async function status(stack: Stack): Promise<ServiceStatus[]> {
  return Promise.all(
    stack.services.map(async (service) => {
      const pid = ownedPid(service.layout.pidFile, service.marker);
      const healthy = pid !== undefined && (await service.healthy().catch(() => false));
      return { name: service.name, pid, healthy, endpoint: service.endpoint, log: service.layout.logFile };
    }),
  );
}

/** True when every server of the stack runs and answers. */
export async function isUp(stack: Stack): Promise<boolean> {
  return (await status(stack)).every((s) => s.healthy);
}
