import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.ts';

/** A readiness check resolves when the dependency answers and rejects with the reason otherwise. */
export type Check = () => Promise<void>;

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function runChecks(
  checks: Record<string, Check>,
  timeoutMs: number,
): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs).unref(),
          ),
        ]);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * Every Steward process serves, at the root of METRICS_PORT: /metrics (Prometheus), /healthz (the process
 * is alive) and /readyz (each dependency answers; 503 naming those that do not). Port 0 is ephemeral.
 */
export async function startHealthServer(options: {
  host: string;
  port: number;
  registry: Registry;
  checks: Record<string, Check>;
  logger: Logger;
  checkTimeoutMs?: number;
}): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const reply = (status: number, body: string, type = 'application/json'): void => {
      response.writeHead(status, { 'content-type': type }).end(body);
    };
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') return reply(405, JSON.stringify({ error: 'method not allowed' }));
    if (path === '/healthz') return reply(200, JSON.stringify({ status: 'ok' }));
    if (path === '/readyz') {
      void runChecks(options.checks, options.checkTimeoutMs ?? 3000).then((results) => {
        const ready = Object.values(results).every((r) => r === 'ok');
        reply(ready ? 200 : 503, JSON.stringify({ status: ready ? 'ready' : 'not ready', checks: results }));
      });
      return;
    }
    if (path === '/metrics') {
      void options.registry.metrics().then(
        (text) => reply(200, text, options.registry.contentType),
        (error: unknown) => {
          options.logger.error({ err: error }, 'metrics collection failed');
          reply(500, JSON.stringify({ error: 'metrics collection failed' }));
        },
      );
      return;
    }
    reply(404, JSON.stringify({ error: 'not found', routes: ['/healthz', '/readyz', '/metrics'] }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  options.logger.info({ port, host: options.host }, 'health and metrics server listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
