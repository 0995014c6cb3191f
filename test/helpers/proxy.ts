import { createServer, createConnection, type Server, type Socket } from 'node:net';
import type { TestContext } from 'node:test';

export interface Proxy {
  readonly port: number;
  /** Drops every connection and refuses new ones: the dependency is "down". */
  cut(): Promise<void>;
  /** Accepts connections again on the same port. */
  restore(): Promise<void>;
}

/**
 * A loopback TCP proxy in front of a real server, so a test can take that dependency away from a
 * processor and give it back, without stopping the shared server itself.
 */
export async function proxyFor(t: TestContext, targetHost: string, targetPort: number): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const makeServer = (): Server =>
    createServer((client) => {
      const upstream = createConnection({ host: targetHost, port: targetPort });
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  const listen = (server: Server, port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  let server = makeServer();
  const port = await listen(server, 0);
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  t.after(close);
  return {
    port,
    cut: close,
    async restore() {
      server = makeServer();
      await listen(server, port);
    },
  };
}
