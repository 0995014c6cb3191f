import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { deliver } from '../../../src/notifier/deliver.ts';
import { SIGNATURE_HEADER, TRANSITION_HEADER, sign, verify } from '../../../src/notifier/signature.ts';

const secret = 'a-test-signing-secret-of-some-length';

describe('webhook signatures', () => {
  const body = JSON.stringify({ id: 't1', kind: 'opened' });
  const now = 1_800_000_000;
  it('should verify its own signature, and refuse another body, secret or an old timestamp', () => {
    const header = sign(secret, body, now);
    assert.match(header, /^t=1800000000,v1=[0-9a-f]{64}$/);
    const check = (s: string, b: string, h: string, at = now) =>
      verify(s, b, h, { nowSeconds: at, toleranceSeconds: 300 });
    assert.equal(check(secret, body, header), true);
    assert.equal(check(secret, `${body} `, header), false);
    assert.equal(check(`${secret}x`, body, header), false);
    assert.equal(check(secret, body, header, now + 301), false);
    assert.equal(check(secret, body, 't=abc,v1=00'), false);
  });
});

describe('deliver', () => {
  let server: Server;
  let url = '';
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  let failuresLeft = 0;
  let status = 500;
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          res.writeHead(status).end();
        } else res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const options = { maxAttempts: 4, backoffMs: 10, timeoutMs: 2000 };

  it('should post the signed body with the transition id, retrying server errors with back-off', async () => {
    received.length = 0;
    failuresLeft = 2;
    status = 503;
    const body = '{"id":"t-42"}';
    const outcome = await deliver(url, body, 't-42', secret, options);
    assert.deepEqual(outcome, { ok: true, attempts: 3, status: 204 });
    assert.equal(received.length, 3);
    const last = received[2]!;
    assert.equal(last.body, body);
    assert.equal(last.headers[TRANSITION_HEADER], 't-42');
    const signature = String(last.headers[SIGNATURE_HEADER]);
    assert.ok(
      verify(secret, body, signature, { nowSeconds: Math.floor(Date.now() / 1000), toleranceSeconds: 60 }),
    );
  });

  it('should give up at once on a client error, and after every attempt on a dead endpoint', async () => {
    received.length = 0;
    failuresLeft = 10;
    status = 410;
    const gone = await deliver(url, '{}', 't-1', secret, options);
    assert.equal(gone.ok, false);
    assert.equal(gone.attempts, 1);
    const dead = await deliver('http://127.0.0.1:9/unreachable', '{}', 't-2', secret, options);
    assert.equal(dead.ok, false);
    assert.equal(dead.attempts, 4);
    assert.equal(dead.ok ? '' : dead.status, null);
  });
});
