import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * What the proxy does to traffic now:
 * - `pass`: forwards both ways.
 * - `latency`: forwards, each chunk delayed by `ms` (order kept).
 * - `blackhole`: nothing moves: open connections stall (their bytes wait in the proxy, as TCP would
 *   retransmit them), new connections are accepted and never answered; `pass` lets everything through.
 * - `reset`: open connections are reset (RST) and new ones reset on arrival: the server "crashed".
 */
export type FaultMode =
  | { readonly kind: 'pass' }
  | { readonly kind: 'latency'; readonly ms: number }
  | { readonly kind: 'blackhole' }
  | { readonly kind: 'reset' };

interface Link {
  readonly client: Socket;
  upstream: Socket | undefined;
  /** Chunks held while black-holed, per direction. */
  readonly held: { toUpstream: Buffer[]; toClient: Buffer[] };
  /** When the last delayed chunk per direction leaves (keeps order under latency). */
  readonly due: { toUpstream: number; toClient: number };
}

/**
 * A loopback TCP proxy in front of a real server (PostgreSQL, Redis, Elasticsearch), so a test can take a
 * dependency away from Steward's processes — or slow it down — without touching the shared server.
 */
export class FaultProxy {
  readonly #links = new Set<Link>();
  readonly #target: { readonly host: string; readonly port: number };
  #server: Server | undefined;
  #mode: FaultMode = { kind: 'pass' };
  #port = 0;

  private constructor(target: { readonly host: string; readonly port: number }) {
    this.#target = target;
  }

  /** Listens on 127.0.0.1 (`port`, or any free one) and forwards to `target`. */
  static async start(target: { host: string; port: number }, port = 0): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    await proxy.#listen(port);
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  get mode(): FaultMode {
    return this.#mode;
  }

  /** How many client connections are open through the proxy. */
  get connections(): number {
    return this.#links.size;
  }

  set(mode: FaultMode): void {
    this.#mode = mode;
    for (const link of [...this.#links]) {
      if (mode.kind === 'reset') this.#reset(link);
      else if (mode.kind !== 'blackhole') this.#release(link);
    }
  }

  async close(): Promise<void> {
    for (const link of [...this.#links]) this.#drop(link);
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #listen(port: number): Promise<void> {
    const server = createServer((client) => this.#accept(client));
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        this.#port = typeof address === 'object' && address ? address.port : port;
        resolve();
      });
    });
  }

  #accept(client: Socket): void {
    if (this.#mode.kind === 'reset') {
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    const link: Link = {
      client,
      upstream: undefined,
      held: { toUpstream: [], toClient: [] },
      due: { toUpstream: 0, toClient: 0 },
    };
    this.#links.add(link);
    client.on('error', () => this.#drop(link));
    client.on('close', () => this.#drop(link));
    client.on('data', (chunk: Buffer) => this.#forward(link, 'toUpstream', chunk));
    // Black-holed: the connection is accepted (the kernel would have) but nothing answers it yet.
    if (this.#mode.kind !== 'blackhole') this.#connect(link);
  }

  #connect(link: Link): void {
    if (link.upstream) return;
    const upstream = createConnection(this.#target);
    link.upstream = upstream;
    upstream.on('error', () => this.#drop(link));
    upstream.on('close', () => this.#drop(link));
    upstream.on('data', (chunk: Buffer) => this.#forward(link, 'toClient', chunk));
  }

  #forward(link: Link, direction: 'toUpstream' | 'toClient', chunk: Buffer): void {
    const mode = this.#mode;
    if (mode.kind === 'blackhole' || !link.upstream) {
      link.held[direction].push(chunk);
      return;
    }
    if (mode.kind === 'reset') return;
    const target = direction === 'toUpstream' ? link.upstream : link.client;
    if (mode.kind === 'pass') {
      target.write(chunk);
      return;
    }
    const at = Math.max(Date.now() + mode.ms, link.due[direction]);
    link.due[direction] = at;
    setTimeout(() => {
      if (!target.destroyed) target.write(chunk);
    }, at - Date.now()).unref();
  }

  /** After a black-hole: connect what waited, then deliver what was held, in order. */
  #release(link: Link): void {
    this.#connect(link);
    for (const direction of ['toUpstream', 'toClient'] as const) {
      const held = link.held[direction].splice(0);
      for (const chunk of held) this.#forward(link, direction, chunk);
    }
  }

  #reset(link: Link): void {
    this.#links.delete(link);
    link.client.resetAndDestroy();
    link.upstream?.resetAndDestroy();
  }

  #drop(link: Link): void {
    if (!this.#links.delete(link)) return;
    link.client.destroy();
    link.upstream?.destroy();
  }
}
