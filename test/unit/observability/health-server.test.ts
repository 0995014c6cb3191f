import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { startHealthServer } from '../../../src/observability/health-server.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { createMetricsRegistry } from '../../../src/observability/metrics.ts';

function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, lines };
}

describe('startHealthServer', () => {
  it('should answer /readyz 503 naming the failing dependency, and /healthz 200 regardless', async (t) => {
    const server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      registry: createMetricsRegistry(),
      checks: {
        postgres: () => Promise.resolve(),
        kafka: () => Promise.reject(new Error('connection refused')),
      },
      logger: createLogger({ level: 'silent', name: 'test' }),
    });
    t.after(() => server.close());
    const base = `http://127.0.0.1:${server.port}`;
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), {
      status: 'not ready',
      checks: { postgres: 'ok', kafka: 'connection refused' },
    });
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  });

  it('should time out a check that never answers instead of hanging /readyz', async (t) => {
    const server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      registry: createMetricsRegistry(),
      checks: { elasticsearch: () => new Promise(() => undefined) },
      logger: createLogger({ level: 'silent', name: 'test' }),
      checkTimeoutMs: 100,
    });
    t.after(() => server.close());
    const body = (await (await fetch(`http://127.0.0.1:${server.port}/readyz`)).json()) as { checks: object };
    assert.deepEqual(body.checks, { elasticsearch: 'no answer in 100 ms' });
  });

  it('should serve Prometheus text from the injected registry with its default labels', async (t) => {
    const server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      registry: createMetricsRegistry({ process: 'unit' }),
      checks: {},
      logger: createLogger({ level: 'silent', name: 'test' }),
    });
    t.after(() => server.close());
    const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    assert.match(text, /steward_process_cpu_user_seconds_total\{process="unit"\}/);
  });
});

describe('createLogger', () => {
  it('should redact secrets at any of the first three levels of a logged object', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ level: 'info', name: 'test' }, stream);
    logger.info({ password: 'p1', kafka: { sasl: { password: 'p2' } }, es: { apiKey: 'k1' } }, 'connecting');
    const line = lines.join('');
    for (const secret of ['p1', 'p2', 'k1']) assert.doesNotMatch(line, new RegExp(`"${secret}"`));
    assert.match(line, /\[redacted\]/);
  });
});
