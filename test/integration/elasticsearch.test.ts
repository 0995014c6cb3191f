import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elasticsearchFor, endpoints } from '../helpers/services.ts';

test('elasticsearch should answer with its product header so the official client works unmodified', async () => {
  const response = await fetch(`${endpoints().elasticsearchUrl}/_cluster/health`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-elastic-product'), 'Elasticsearch');
  const body = (await response.json()) as { status: string };
  assert.ok(['green', 'yellow'].includes(body.status));
});

test('elasticsearch should index a bulk of documents and find them by full text and filter', async (t) => {
  const { client, newIndex } = elasticsearchFor(t);
  const index = newIndex();
  await client.indices.create({
    index,
    mappings: {
      properties: { name: { type: 'text' }, platform: { type: 'keyword' }, score: { type: 'float' } },
    },
  });
  const docs = [
    { id: 'a', name: 'customer emails', platform: 'postgres', score: 0.9 },
    { id: 'b', name: 'order lines', platform: 'postgres', score: 0.5 },
    { id: 'c', name: 'customer addresses', platform: 'mysql', score: 0.7 },
  ];
  const bulk = await client.bulk({
    refresh: 'wait_for',
    operations: docs.flatMap(({ id, ...doc }) => [{ index: { _index: index, _id: id } }, doc]),
  });
  assert.equal(bulk.errors, false);
  const result = await client.search<{ name: string }>({
    index,
    query: {
      bool: { must: [{ match: { name: 'customer' } }], filter: [{ term: { platform: 'postgres' } }] },
    },
    aggs: { platforms: { terms: { field: 'platform' } } },
  });
  assert.deepEqual(
    result.hits.hits.map((hit) => hit._id),
    ['a'],
  );
});
