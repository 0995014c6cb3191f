import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { TopicCodec, createRegistry } from '../../../src/adapters/registry.ts';
import { errorCodeOf, isRetriable } from '../../../src/errors.ts';

/** Confluent wire format naming schema id 7, with a body that never gets read. */
const record = Buffer.from([0, 0, 0, 0, 7, 2, 4]);

async function registryAnswering(status: number): Promise<string> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error_code: status * 100 + 1, message: `answered ${status}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function decodeError(url: string): Promise<unknown> {
  const codec = new TopicCodec(createRegistry({ url }));
  return codec.decode(record).then(
    () => assert.fail('decode should have failed'),
    (error: unknown) => error,
  );
}

describe('TopicCodec.decode when the registry cannot give the schema', () => {
  it('should call an unknown schema id (404) a permanent input error', async () => {
    const error = await decodeError(await registryAnswering(404));
    assert.equal(errorCodeOf(error), 'STW_SCHEMA_UNKNOWN');
    assert.equal(isRetriable(error), false);
  });

  it('should retry, never dead-letter, when the registry answers 5xx', async () => {
    const error = await decodeError(await registryAnswering(503));
    assert.equal(isRetriable(error), true);
  });

  it('should retry, never dead-letter, when the connection is refused (the client reports it as status 400)', async () => {
    // A port nothing listens on: the registry client turns the refused connection into a 400 response.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await decodeError(`http://127.0.0.1:${port}`);
    assert.equal((error as { cause?: { status?: number } }).cause?.status, 400);
    assert.equal(isRetriable(error), true);
    assert.equal(errorCodeOf(error), 'STW_DEPENDENCY_UNAVAILABLE');
  });
});
