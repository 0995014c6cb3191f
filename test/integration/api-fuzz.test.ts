import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { createApiKey } from '../../src/adapters/postgres/api-keys.ts';
import { valueSubject } from '../../src/domain/topic.ts';
import { indexer } from '../../processors/indexer/processor.ts';
import { metadataSync } from '../../processors/metadata-sync/processor.ts';
import { commands } from '../../topics/index.ts';
import { exampleEvents } from '../fixtures/examples.ts';
import { apiFor } from '../helpers/api.ts';
import { catalogPipeline } from '../helpers/catalog.ts';
import { waitFor } from '../helpers/runtime.ts';
import { hostile, HOSTILE_STRINGS, type JsonSchema } from '../helpers/schema-arbitrary.ts';
import { deleteSubject } from '../helpers/services.ts';

/**
 * The fuzz pass: every operation of the committed OpenAPI document (docs/openapi.json) is called with
 * requests drawn from its own parameter and body schemas, mixed with hostile values (wrong types, huge
 * and binary strings, Elasticsearch query syntax, regexes, SQL, broken percent-encoding, malformed JSON),
 * against the real stack holding a real catalog. Every answer must be a 2xx or a 4xx with an error code:
 * never a 5xx.
 */

interface Parameter {
  readonly in: 'query' | 'path' | 'header';
  readonly name: string;
  readonly schema: JsonSchema;
}
interface Operation {
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly content: Record<string, { readonly schema: JsonSchema }> };
}
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface FuzzRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly payload?: string;
  readonly headers?: Record<string, string>;
}

const document = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Partial<Record<Method, Operation>>>;
};

const RUNS = Number(process.env.STEWARD_FUZZ_RUNS ?? 200);

/** Text for a query string or path: mostly encoded, sometimes raw (broken escapes, spaces, `&`). */
const asText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
/** Percent-encoded; a lone surrogate (no UTF-8 form) becomes an invalid UTF-8 byte sequence on the wire. */
function percentEncoded(text: string): string {
  return text.isWellFormed()
    ? encodeURIComponent(text)
    : `${encodeURIComponent(text.toWellFormed())}%ED%A0%80`;
}
const encoded = (value: unknown, raw: boolean): string =>
  raw ? asText(value).toWellFormed().replaceAll('#', '%23') : percentEncoded(asText(value));

function requestFor(
  path: string,
  method: Method,
  operation: Operation,
  known: { urn: string; column: string },
): fc.Arbitrary<FuzzRequest> {
  const parameters = operation.parameters ?? [];
  const pathParameters = parameters.filter((p) => p.in === 'path');
  const queryParameters = parameters.filter((p) => p.in === 'query');
  const knownValue = (name: string): readonly string[] =>
    name === 'urn' ? [known.urn] : name === 'column' ? [known.column] : name === 'class' ? ['email'] : [];
  const pathValues = fc.record(
    Object.fromEntries(
      pathParameters.map((p) => [
        p.name,
        fc.oneof(
          {
            weight: 2,
            arbitrary: knownValue(p.name).length ? fc.constantFrom(...knownValue(p.name)) : hostile(p.schema),
          },
          { weight: 3, arbitrary: hostile(p.schema) },
        ),
      ]),
    ),
  );
  const queryValues = fc.record(Object.fromEntries(queryParameters.map((p) => [p.name, hostile(p.schema)])), {
    requiredKeys: [],
  });
  const body = operation.requestBody?.content['application/json']?.schema;
  const bodies: fc.Arbitrary<{ payload?: string; contentType?: string }> = body
    ? fc.oneof(
        {
          weight: 6,
          arbitrary: hostile(body).map((value) => ({ payload: JSON.stringify(value) ?? 'null' })),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom('{', '[1,', '"', '{"a":}', '\u0000').map((payload) => ({ payload })),
        },
        { weight: 1, arbitrary: fc.constant({ payload: 'hello', contentType: 'text/plain' }) },
        { weight: 1, arbitrary: fc.constant({}) },
      )
    : fc.constant({});
  const extra = fc.option(
    fc.tuple(
      fc.constantFrom('unknown', 'size[]', '__proto__', 'constructor'),
      fc.constantFrom(...HOSTILE_STRINGS),
    ),
  );
  return fc
    .record({ pathValues, queryValues, bodies, extra, raw: fc.boolean() })
    .map(({ pathValues: values, queryValues: query, bodies: { payload, contentType }, extra: more, raw }) => {
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encoded(values[name], raw));
      const pairs = Object.entries(query).flatMap(([name, value]) =>
        Array.isArray(value) ? value.map((v) => [name, v] as const) : [[name, value] as const],
      );
      if (more) pairs.push(more);
      const search = pairs.map(([name, value]) => `${percentEncoded(name)}=${encoded(value, raw)}`).join('&');
      return {
        method: method.toUpperCase() as FuzzRequest['method'],
        url: search ? `${url}?${search}` : url,
        ...(payload !== undefined && {
          payload,
          headers: { 'content-type': contentType ?? 'application/json' },
        }),
      };
    });
}

async function neverFails(app: FastifyInstance, request: FuzzRequest): Promise<void> {
  let response;
  try {
    response = await app.inject(request);
  } catch (error) {
    // light-my-request refuses some raw URLs itself (e.g. characters Node's HTTP parser rejects): no server answer.
    if (error instanceof TypeError && /Invalid|path|URL/i.test(error.message)) return;
    throw error;
  }
  const what = `${request.method} ${request.url.slice(0, 300)} → ${response.statusCode} ${response.body.slice(0, 300)}`;
  if (response.statusCode >= 500) process.stderr.write(`fuzz: ${what}\n`);
  assert.ok(response.statusCode < 500, what);
  if (response.statusCode >= 400) {
    const body = response.json<{ error?: { code?: string } }>();
    assert.match(body.error?.code ?? '', /^STW_/, what);
  }
}

test('every API operation should answer 2xx or 4xx, never 5xx, to requests drawn from its schema and hostile input', async (t) => {
  const p = await catalogPipeline(t, { partitions: 1 });
  const commandsTopic = { ...commands, name: await p.kafka.topic(1) };
  t.after(() => deleteSubject(valueSubject(commandsTopic)));
  await p.start(metadataSync({ input: p.input, output: p.output, commands: commandsTopic }));
  await p.start(indexer({ input: p.output }, p.alias));
  const examples = exampleEvents();
  await p.produce(examples);
  const urn = examples[0]?.asset.urn ?? assert.fail('no example');
  const app = await apiFor(t, {
    pool: p.pool,
    client: p.client,
    alias: p.alias,
    codec: p.codec,
    topics: { changes: p.input, commands: commandsTopic },
    rateLimit: { max: 1_000_000, windowMs: 60_000 },
  });
  await waitFor(
    async () => {
      await p.client.indices.refresh({ index: p.alias });
      return (await app.inject({ url: `/v1/assets/${encodeURIComponent(urn)}` })).statusCode;
    },
    (status) => status === 200,
    60_000,
    'the example asset indexed',
  );

  let operations = 0;
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods) as [Method, Operation][]) {
      operations += 1;
      await fc.assert(
        fc.asyncProperty(requestFor(path, method, operation, { urn, column: 'email' }), (request) =>
          neverFails(app, request),
        ),
        { numRuns: RUNS, endOnFailure: true },
      );
    }
  }
  assert.ok(operations >= 23, `every operation fuzzed (${operations})`);

  // With authentication required, hostile credentials are 401s, never 5xx.
  const secured = await apiFor(t, { pool: p.pool, client: p.client, alias: p.alias, auth: 'required' });
  const { key } = await createApiKey(p.pool, { name: 'fuzz', role: 'viewer', by: 'test' });
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.constantFrom(...HOSTILE_STRINGS),
        fc.string({ unit: 'binary-ascii', maxLength: 200 }),
        fc.constant(key.slice(0, -1) + 'A'),
        fc.constant(`${key}x`),
      ),
      fc.constantFrom('authorization', 'x-api-key'),
      fc.constantFrom('/v1/search', `/v1/assets/${encodeURIComponent(urn)}`, '/v1/audit'),
      async (credential, header, url) => {
        const value = header === 'authorization' ? `Bearer ${credential}` : credential;
        // Header values Node refuses to send never reach the server.
        if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) return;
        await neverFails(secured, { method: 'GET', url, headers: { [header]: value } });
      },
    ),
    { numRuns: RUNS * 3 },
  );
});
