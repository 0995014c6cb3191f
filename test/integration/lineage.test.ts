import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { indexer } from '../../processors/indexer/processor.ts';
import { lineageProcessor } from '../../processors/lineage/processor.ts';
import { lineageGraphSource } from '../../src/adapters/postgres/lineage-graph.ts';
import { lineageReader } from '../../src/adapters/postgres/lineage-reader.ts';
import { metadataSync } from '../../processors/metadata-sync/processor.ts';
import { readDeadLetters } from '../../src/adapters/dead-letters.ts';
import { valueSubject, type TopicDeclaration } from '../../src/domain/topic.ts';
import { lineage } from '../../topics/index.ts';
import { upsertEvent } from '../fixtures/events.ts';
import { runEvent, table } from '../fixtures/openlineage.ts';
import { catalogPipeline } from '../helpers/catalog.ts';
import { waitFor } from '../helpers/runtime.ts';
import { deleteSubject } from '../helpers/services.ts';
import { commandsFor } from '../helpers/timers.ts';
import { apiFor } from '../helpers/api.ts';

/**
 * Lineage on the real stack: RunEvents in both encodings a producer may use (Confluent's JSON wire format
 * through the registry, and plain JSON text as OpenLineage's Kafka transport sends) go through the lineage
 * processor into the graph in PostgreSQL; datasets named only by lineage become placeholder assets through
 * metadata-sync, and a reported asset is left as its source reported it; malformed events are
 * dead-lettered with the reason.
 */
test('RunEvents build the graph, create placeholders and dead-letter what is malformed', async (t) => {
  const pipeline = await catalogPipeline(t, { partitions: 2 });
  const commands = await commandsFor(pipeline);
  // With the declared size limit, so an event too large for the real topic is refused as the API promises.
  const input: TopicDeclaration = {
    ...lineage,
    name: await pipeline.kafka.topic(2, { 'max.message.bytes': String(lineage.config['max.message.bytes']) }),
  };
  t.after(() => deleteSubject(valueSubject(input)));
  const PG = 'postgres://warehouse.internal:5432';
  await pipeline.start(metadataSync({ input: pipeline.input, output: pipeline.output, commands }));
  await pipeline.start(indexer({ input: pipeline.output }, pipeline.alias));
  // The source table was reported by its producer; the staging and mart tables only appear in lineage.
  const reported = upsertEvent(0);
  const [platform, instance = '', qualified] = reported.asset.urn
    .replace('urn:steward:dataset:', '')
    .split(':');
  assert.equal(platform, 'postgres');
  await pipeline.start(lineageProcessor({ instances: { [PG]: instance }, input, commands }));
  await pipeline.produce([reported]);
  const source = table(PG, qualified ?? '', 'id', 'email');
  const staging = table(PG, 'shop.staging.customers', 'id', 'email');
  const mart = table(PG, 'shop.mart.customers', 'customer_id', 'contact_email');
  const at = (minute: number) => new Date(Date.UTC(2024, 5, 1, 0, minute)).toISOString();
  const load = randomUUID();
  const model = randomUUID();
  const events = [
    runEvent({
      type: 'START',
      runId: load,
      job: 'load_staging',
      at: at(0),
      inputs: [source],
      outputs: [staging],
    }),
    runEvent({
      type: 'COMPLETE',
      runId: load,
      job: 'load_staging',
      at: at(1),
      inputs: [source],
      outputs: [staging],
      columns: { email: [[source, 'email']] },
    }),
    runEvent({
      type: 'START',
      runId: model,
      job: 'dbt.mart_customers',
      namespace: 'dbt://analytics',
      at: at(2),
      inputs: [staging],
      outputs: [mart],
    }),
    runEvent({
      type: 'COMPLETE',
      runId: model,
      job: 'dbt.mart_customers',
      namespace: 'dbt://analytics',
      at: at(3),
      inputs: [staging],
      outputs: [mart],
      columns: { contact_email: [[staging, 'email']], customer_id: [[staging, 'id']] },
    }),
  ];
  const producer = await pipeline.kafka.producer();
  const key = (e: (typeof events)[number]) => `${e.job.namespace}/${e.job.name}`;
  // Confluent JSON wire format (validated by the registry's JSON Schema) for the first job, plain JSON for the second.
  await producer.send({
    topic: input.name,
    messages: [
      ...(await Promise.all(
        events.slice(0, 2).map(async (e) => ({ key: key(e), value: await pipeline.codec.encode(input, e) })),
      )),
      ...events.slice(2).map((e) => ({ key: key(e), value: JSON.stringify(e) })),
      {
        key: 'airflow/broken',
        value: JSON.stringify({ eventType: 'COMPLETE', job: { namespace: 'airflow', name: 'broken' } }),
      },
      { key: 'airflow/garbage', value: '{"eventType": "COMPLETE", "run": ' },
    ],
  });

  const edges = async () =>
    (
      await pipeline.pool.query<{ job: string; upstream: string; downstream: string }>(
        `SELECT job, upstream, downstream FROM lineage_edges WHERE active ORDER BY job`,
      )
    ).rows;
  const urn = (name: string) => `urn:steward:dataset:postgres:${instance}:${name}`;
  await waitFor(edges, (rows) => rows.length === 2, 30_000, 'the two jobs edges');
  assert.deepEqual(await edges(), [
    { job: 'airflow/load_staging', upstream: reported.asset.urn, downstream: urn('shop.staging.customers') },
    {
      job: 'dbt://analytics/dbt.mart_customers',
      upstream: urn('shop.staging.customers'),
      downstream: urn('shop.mart.customers'),
    },
  ]);
  const { rows: columns } = await pipeline.pool.query<{ from: string; to: string }>(
    `SELECT upstream || '#' || upstream_column AS from, downstream || '#' || downstream_column AS to
       FROM lineage_column_edges WHERE active ORDER BY 1, 2`,
  );
  assert.deepEqual(columns, [
    { from: `${reported.asset.urn}#email`, to: `${urn('shop.staging.customers')}#email` },
    { from: `${urn('shop.staging.customers')}#email`, to: `${urn('shop.mart.customers')}#contact_email` },
    { from: `${urn('shop.staging.customers')}#id`, to: `${urn('shop.mart.customers')}#customer_id` },
  ]);
  const { rows: runs } = await pipeline.pool.query<{
    job: string;
    status: string;
    started: boolean;
    ended: boolean;
  }>(
    `SELECT job, status, started_at IS NOT NULL AS started, ended_at IS NOT NULL AS ended FROM lineage_runs ORDER BY job`,
  );
  assert.deepEqual(runs, [
    { job: 'airflow/load_staging', status: 'COMPLETE', started: true, ended: true },
    { job: 'dbt://analytics/dbt.mart_customers', status: 'COMPLETE', started: true, ended: true },
  ]);

  const assets = async () =>
    (
      await pipeline.pool.query<{ urn: string; name: string; placeholder: boolean }>(
        `SELECT urn, name, placeholder FROM assets ORDER BY urn`,
      )
    ).rows;
  await waitFor(assets, (rows) => rows.length === 3, 30_000, 'the placeholders');
  assert.deepEqual(await assets(), [
    { urn: urn('shop.mart.customers'), name: 'customers', placeholder: true },
    { urn: reported.asset.urn, name: reported.asset.name, placeholder: false },
    { urn: urn('shop.staging.customers'), name: 'customers', placeholder: true },
  ]);

  // The API: lineage both ways with column edges, impact, and a RunEvent posted over HTTP.
  const app = await apiFor(t, {
    pool: pipeline.pool,
    client: pipeline.client,
    alias: pipeline.alias,
    topics: { changes: pipeline.input, commands, lineage: input },
  });
  const get = async (path: string) => {
    const response = await app.inject({ method: 'GET', url: path });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<Record<string, unknown>>();
  };
  const enc = encodeURIComponent;
  const down = await get(
    `/v1/assets/${enc(reported.asset.urn)}/lineage?direction=downstream&depth=5&columns=true`,
  );
  assert.deepEqual(
    (down['nodes'] as { urn: string; depth: number; placeholder?: boolean }[]).map((n) => [
      n.urn,
      n.depth,
      n.placeholder,
    ]),
    [
      [reported.asset.urn, 0, false],
      [urn('shop.staging.customers'), 1, true],
      [urn('shop.mart.customers'), 2, true],
    ],
  );
  assert.equal((down['columns'] as unknown[]).length, 3);
  assert.equal(down['truncated'], false);
  const up = await get(`/v1/assets/${enc(urn('shop.mart.customers'))}/lineage?direction=upstream&depth=1`);
  assert.deepEqual(
    (up['nodes'] as { urn: string }[]).map((n) => n.urn),
    [urn('shop.mart.customers'), urn('shop.staging.customers')],
  );
  const impact = await get(`/v1/assets/${enc(reported.asset.urn)}/impact`);
  assert.deepEqual(
    [
      (impact['affected'] as { urn: string }[]).map((n) => n.urn),
      impact['unowned'],
      impact['breakingChange'],
    ],
    [
      [urn('shop.staging.customers'), urn('shop.mart.customers')],
      [urn('shop.staging.customers'), urn('shop.mart.customers')],
      null,
    ],
  );
  // Search, narrowed to what lineage reaches (resolved in PostgreSQL, then filtered in the index).
  const search = async (query: string) =>
    (await get(`/v1/search?${query}`))['hits'] as { asset: { urn: string } }[];
  await waitFor(
    () => search(`downstreamOf=${enc(reported.asset.urn)}`),
    (hits) => hits.length === 2,
    30_000,
    'the downstream assets in the index',
  );
  assert.deepEqual(
    (await search(`downstreamOf=${enc(reported.asset.urn)}&lineageDepth=1`)).map((h) => h.asset.urn),
    [urn('shop.staging.customers')],
  );
  assert.deepEqual(
    (
      await search(`upstreamOf=${enc(urn('shop.mart.customers'))}&downstreamOf=${enc(reported.asset.urn)}`)
    ).map((h) => h.asset.urn),
    [urn('shop.staging.customers')],
  );
  const missing = await app.inject({
    method: 'GET',
    url: `/v1/assets/${enc(urn('nowhere.at.all'))}/lineage`,
  });
  assert.equal(missing.statusCode, 404);
  const report = table(PG, 'shop.reporting.customer_kpis', 'customer_id');
  const posted = await app.inject({
    method: 'POST',
    url: '/v1/lineage',
    payload: [
      runEvent({
        type: 'COMPLETE',
        runId: randomUUID(),
        job: 'kpis',
        at: at(5),
        inputs: [mart],
        outputs: [report],
      }),
      { eventType: 'COMPLETE' },
    ],
  });
  assert.equal(posted.statusCode, 202, posted.body);
  const body = posted.json<{ accepted: { index: number }[]; errors: { index: number }[] }>();
  assert.deepEqual([body.accepted.map((a) => a.index), body.errors.map((e) => e.index)], [[0], [1]]);
  await waitFor(edges, (rows) => rows.length === 3, 30_000, 'the posted run');
  // The API walks an in-memory copy of the graph: the new edge is there as soon as it is committed.
  const fresh = await get(
    `/v1/assets/${enc(urn('shop.reporting.customer_kpis'))}/lineage?direction=upstream&depth=5`,
  );
  assert.deepEqual(
    (fresh['nodes'] as { urn: string; depth: number }[]).map((n) => [n.urn, n.depth]),
    [
      [urn('shop.reporting.customer_kpis'), 0],
      [urn('shop.mart.customers'), 1],
      [urn('shop.staging.customers'), 2],
      [reported.asset.urn, 3],
    ],
  );
  // And it answers what the recursive SQL walk (the fallback past LINEAGE_GRAPH_MAX_EDGES) answers.
  const options = { directions: ['upstream', 'downstream'] as const, depth: 5, limit: 100, columns: true };
  for (const start of [reported.asset.urn, urn('shop.mart.customers')])
    assert.deepEqual(
      await lineageReader(pipeline.pool, lineageGraphSource(pipeline.pool, { maxEdges: 1000 })).graph(start, {
        ...options,
        directions: [...options.directions],
      }),
      await lineageReader(pipeline.pool).graph(start, { ...options, directions: [...options.directions] }),
    );
  // An event valid but too large for the topic once encoded (a 4.5 MiB facet) is refused alone.
  const huge = runEvent({ type: 'COMPLETE', runId: randomUUID(), job: 'huge', at: at(6), outputs: [report] });
  const oversize = await app.inject({
    method: 'POST',
    url: '/v1/lineage',
    payload: [
      { ...huge, run: { ...huge.run, facets: { sql: { query: 'x'.repeat(4.5 * 1024 * 1024) } } } },
      runEvent({ type: 'START', runId: randomUUID(), job: 'small', at: at(7), outputs: [report] }),
    ],
  });
  assert.equal(oversize.statusCode, 202, oversize.body.slice(0, 500));
  const refusal = oversize.json<{
    accepted: { index: number }[];
    errors: { index: number; errors: { message: string }[] }[];
  }>();
  assert.deepEqual([refusal.accepted.map((a) => a.index), refusal.errors.map((e) => e.index)], [[1], [0]]);
  assert.match(refusal.errors[0]?.errors[0]?.message ?? '', /encodes to \d+ bytes; the topic accepts \d+/);

  const letters = await waitFor(
    () => readDeadLetters(pipeline.kafka.kafka, pipeline.codec, pipeline.dlqTopic),
    (found) => found.length >= 2,
    30_000,
    'the malformed events in the DLQ',
  );
  assert.deepEqual(letters.map((l) => [l.key?.toString(), l.errorCode, l.errorMessage]).sort(), [
    [
      'airflow/broken',
      'STW_CONTRACT_INVALID',
      'not an OpenLineage RunEvent: 4 problem(s); first: /eventTime required property',
    ],
    ['airflow/garbage', 'STW_DECODE_FAILED', 'not JSON: Unexpected end of JSON input'],
  ]);
});
