import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER, TRANSITION_HEADER, verify } from '../../src/notifier/signature.ts';

export interface Received {
  readonly path: string;
  readonly transitionId: string;
  /** Whether the signature verifies with the secret the receiver was given. */
  readonly signed: boolean;
  readonly body: string;
}

/** A webhook endpoint on a free local port that keeps every delivery it receives (answering 204). */
export async function webhookReceiver(
  secret: string,
): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        transitionId: String(req.headers[TRANSITION_HEADER]),
        signed: verify(secret, body, String(req.headers[SIGNATURE_HEADER]), {
          nowSeconds: Math.floor(Date.now() / 1000),
          toleranceSeconds: 300,
        }),
        body,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}
