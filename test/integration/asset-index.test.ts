import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errors, type estypes } from '@elastic/elasticsearch';
import { ensureAssetIndex, type AssetDocument } from '../../src/adapters/elasticsearch/asset-index.ts';
import {
  assetByUrn,
  autocomplete,
  countsBy,
  facetFields,
  searchAssets,
  staleAssets,
  type Facet,
  type Request,
  type SearchParams,
} from '../../src/adapters/elasticsearch/asset-queries.ts';
import {
  facetCounts,
  suggestions,
  type AutocompleteSource,
} from '../../src/adapters/elasticsearch/asset-results.ts';
import { writeDocuments } from '../../src/adapters/elasticsearch/document-sink.ts';
import { splitIdentifier } from '../../src/domain/identifiers.ts';
import { assetDocuments } from '../fixtures/asset-documents.ts';
import { assetIndexFor, indexAll } from '../helpers/catalog.ts';

/**
 * The asset template, alias and every query shape of the API against the real Elasticsearch (core modules
 * only). Nothing is mocked. Each test has its own prefix; its template, indices and alias are deleted after.
 */

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const byName = (a: AssetDocument, b: AssetDocument) =>
  byBytes(a.name.toLowerCase(), b.name.toLowerCase()) || byBytes(a.urn, b.urn);
const urns = (docs: readonly AssetDocument[]) => docs.map((d) => d.urn).sort(byBytes);
const hitUrns = (hits: readonly estypes.SearchHit<AssetDocument>[]) =>
  hits.map((h) => h._source?.urn ?? '').sort(byBytes);
const total = (response: estypes.SearchResponse) =>
  typeof response.hits.total === 'number' ? response.hits.total : (response.hits.total?.value ?? -1);
const valuesOf = (doc: AssetDocument, facet: Facet): readonly string[] => {
  const value: unknown = facetFields[facet]
    .split('.')
    .reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], doc);
  return Array.isArray(value) ? (value as string[]) : [String(value)];
};

test('the asset index should serve every query shape of the API from the real server', async (t) => {
  const { client, prefix, alias } = assetIndexFor(t);
  const now = new Date();
  const docs = assetDocuments(200, now);
  const live = docs.filter((d) => !d.deleted);
  assert.deepEqual(await ensureAssetIndex(client, prefix, { now }), { alias, created: true });
  await indexAll(client, alias, docs);
  const search = (request: Request) => client.search<AssetDocument>({ index: alias, ...request });
  const find = async (params: SearchParams) => search(searchAssets({ size: 100, ...params }));
  /** Every hit's id, page after page, in order; `page` builds the request for a cursor. */
  const walk = async (page: (searchAfter?: unknown[]) => Request) => {
    const seen: string[] = [];
    let searchAfter: unknown[] | undefined;
    for (;;) {
      const { hits } = await search(page(searchAfter));
      const last = hits.hits.at(-1);
      if (!last) return seen;
      seen.push(...hits.hits.map((h) => h._id ?? ''));
      searchAfter = last.sort;
    }
  };
  const walkAll = (params: SearchParams) =>
    walk((searchAfter) => searchAssets({ ...params, size: 17, ...(searchAfter && { searchAfter }) }));

  await t.test(
    'ensureAssetIndex should create one write index from the template, then change nothing',
    async () => {
      const aliases = await client.indices.getAlias({ name: alias });
      const [index, ...others] = Object.keys(aliases);
      assert.equal(others.length, 0);
      assert.match(index ?? '', new RegExp(`^${alias}-\\d{14}$`));
      assert.equal(aliases[index ?? '']?.aliases[alias]?.is_write_index, true);
      const settings = await client.indices.getSettings({ index: alias, flat_settings: true });
      const own = settings[index ?? '']?.settings ?? {};
      assert.equal(own['index.gc_deletes'], '1h');
      assert.equal(own['index.refresh_interval'], '1s');
      assert.equal(own['index.number_of_shards'], '1');
      assert.deepEqual(await ensureAssetIndex(client, prefix), { alias, created: false });
    },
  );

  await t.test('the mapping should refuse a field it does not declare', async () => {
    const write = client.index({ index: alias, id: 'x', document: { ...docs[0], surprise: 1 } });
    await assert.rejects(write, (e: unknown) => e instanceof errors.ResponseError && e.statusCode === 400);
  });

  await t.test(
    'full text should find the column cust_phone_no by the word "phone", and mark it',
    async () => {
      const hasPhone = (d: AssetDocument) =>
        [d.nameWords, ...d.columns.map((c) => c.words)].some((w) => w.split(' ').includes('phone'));
      assert.deepEqual((await walkAll({ text: 'phone' })).sort(byBytes), urns(live.filter(hasPhone)));
      const response = await find({ text: 'phone' });
      const hit = response.hits.hits.find((h) => h._id === docs[42]?.urn);
      assert.ok(hit?.highlight?.['columns.words']?.includes('cust <mark>phone</mark> no'));
    },
  );

  await t.test('full text should find identifiers by their words in any style', async () => {
    for (const text of ['custPhone', 'cust_phone', 'CUST PHONE', 'cust_phone_no']) {
      const response = await find({ text });
      assert.deepEqual(hitUrns(response.hits.hits), [docs[42]?.urn], text);
    }
    const emails = await find({ text: 'emailaddr' });
    assert.ok(emails.hits.hits.length > 0);
    assert.ok(emails.hits.hits.every((h) => h._source?.classes.includes('email')));
  });

  await t.test('full text should rank a match in the name above matches only in columns', async () => {
    const response = await find({ text: 'customer' });
    const inName = live.filter((d) => d.nameWords.split(' ').includes('customer')).length;
    assert.ok(inName > 0 && total(response) > inName);
    const top = response.hits.hits.slice(0, inName);
    assert.ok(top.every((h) => splitIdentifier(h._source?.name ?? '').includes('customer')));
  });

  await t.test('filters should match any or all of their values', async () => {
    const cases: [SearchParams['filters'], (d: AssetDocument) => boolean][] = [
      [{ platform: { values: ['postgres', 'mysql'] } }, (d) => ['postgres', 'mysql'].includes(d.platform)],
      [
        { tag: { values: ['pii', 'finance'], mode: 'any' } },
        (d) => d.tags.some((x) => ['pii', 'finance'].includes(x)),
      ],
      [
        { tag: { values: ['pii', 'finance'], mode: 'all' } },
        (d) => d.tags.includes('pii') && d.tags.includes('finance'),
      ],
      [
        { class: { values: ['email', 'phone'], mode: 'all' } },
        (d) => d.classes.includes('email') && d.classes.includes('phone'),
      ],
      [
        { sensitivity: { values: ['confidential', 'restricted'] }, qualityBand: { values: ['critical'] } },
        (d) => ['confidential', 'restricted'].includes(d.sensitivity) && d.quality.band === 'critical',
      ],
      [{ hasOpenViolations: true }, (d) => d.violations.open > 0],
      [
        { hasOpenViolations: false, owner: { values: ['team:growth'] } },
        (d) => !d.violations.open && d.owners.includes('team:growth'),
      ],
      [{ violationStatus: { values: ['acknowledged'] } }, (d) => d.violations.status === 'acknowledged'],
      [{ stale: true }, (d) => d.freshUntil !== undefined && d.freshUntil < now.toISOString()],
      [{ stale: false }, (d) => d.freshUntil === undefined || d.freshUntil >= now.toISOString()],
      [
        { schemaChangedSince: new Date(now.getTime() - 7 * 86_400_000).toISOString() },
        (d) => (d.schemaChangedAt ?? '') >= new Date(now.getTime() - 7 * 86_400_000).toISOString(),
      ],
    ];
    for (const [filters, holds] of cases) {
      const expected = live.filter(holds);
      assert.ok(expected.length > 0 && expected.length < live.length, JSON.stringify(filters));
      assert.deepEqual((await walkAll({ filters })).sort(byBytes), urns(expected), JSON.stringify(filters));
    }
  });

  await t.test('facets should count with the other filters applied but not their own', async () => {
    const filters = {
      platform: { values: ['postgres'] },
      tag: { values: ['pii', 'gold'], mode: 'all' as const },
    };
    const onPlatform = (d: AssetDocument) => d.platform === 'postgres';
    const withTags = (d: AssetDocument) => d.tags.includes('pii') && d.tags.includes('gold');
    const response = await find({ filters, facetSize: 50 });
    assert.deepEqual(hitUrns(response.hits.hits), urns(live.filter((d) => onPlatform(d) && withTags(d))));
    const counted = facetCounts(response.aggregations);
    const expect = (facet: Facet, docsIn: AssetDocument[]) => {
      const counts = new Map<string, number>();
      for (const d of docsIn)
        for (const v of new Set(valuesOf(d, facet))) counts.set(v, (counts.get(v) ?? 0) + 1);
      return new Map([...counts].sort());
    };
    const got = (facet: Facet) => new Map(counted[facet].map((b) => [b.value, b.count] as const).sort());
    assert.deepEqual(got('platform'), expect('platform', live.filter(withTags)));
    assert.ok(got('platform').size > 1, 'other platforms stay visible');
    assert.deepEqual(got('tag'), expect('tag', live.filter(onPlatform)));
    assert.deepEqual(
      got('sensitivity'),
      expect(
        'sensitivity',
        live.filter((d) => onPlatform(d) && withTags(d)),
      ),
    );
  });

  await t.test('sorts should follow name, quality and update time, then the URN', async () => {
    const orders: [SearchParams['sort'], (a: AssetDocument, b: AssetDocument) => number][] = [
      ['name', byName],
      [
        'quality',
        (a, b) => (b.quality.score ?? -Infinity) - (a.quality.score ?? -Infinity) || byBytes(a.urn, b.urn),
      ],
      ['updated', (a, b) => byBytes(b.updatedAt, a.updatedAt) || byBytes(a.urn, b.urn)],
    ];
    for (const [sort, compare] of orders) {
      const response = await find({ sort });
      const expected = [...live]
        .sort(compare)
        .slice(0, 100)
        .map((d) => d.urn);
      assert.deepEqual(
        response.hits.hits.map((h) => h._id),
        expected,
        sort,
      );
    }
  });

  await t.test('search_after should walk every asset once, past the result window', async () => {
    const [index] = Object.keys(await client.indices.getAlias({ name: alias }));
    const window = (size: number | null) =>
      client.indices.putSettings({ index: index ?? '', settings: { 'index.max_result_window': size } });
    await window(50);
    try {
      await assert.rejects(search({ ...searchAssets({ size: 20 }), from: 40 }), errors.ResponseError);
      const named = await walkAll({ sort: 'name' });
      assert.deepEqual(
        named,
        [...live].sort(byName).map((d) => d.urn),
      );
      const text = 'customer | orders';
      const words = (d: AssetDocument) =>
        [d.nameWords, ...d.columns.map((c) => c.words)].join(' ').split(' ');
      const matching = live.filter((d) => words(d).some((w) => w === 'customer' || w === 'orders'));
      const byScore = await walkAll({ text, sort: 'relevance' });
      assert.equal(new Set(byScore).size, byScore.length, 'no duplicates');
      assert.deepEqual(byScore.sort(byBytes), urns(matching));
    } finally {
      await window(null);
    }
  });

  await t.test(
    'autocomplete should find assets and columns by the prefix of any of their words',
    async () => {
      const suggest = async (prefix: string) => {
        const response = await client.search<AutocompleteSource>({
          index: alias,
          ...autocomplete({ prefix }),
        });
        return suggestions(response.hits.hits, prefix);
      };
      const phone = await suggest('custPh');
      assert.deepEqual(
        phone.map((s) => [s.kind, s.text, s.urn]),
        [['column', 'cust_phone_no', docs[42]?.urn]],
      );
      const cust = await suggest('cust');
      assert.equal(cust.length, 10);
      assert.equal(cust[0]?.kind, 'asset', 'asset names rank first');
      assert.ok(cust.every((s) => splitIdentifier(s.text).some((w) => w.startsWith('cust'))));
      for (const [prefix, column] of [
        ['HTTPSe', 'HTTPServerError'],
        ['addr', 'address2'],
        ['date of b', 'date_of_birth'],
      ]) {
        const found = await suggest(prefix ?? '');
        assert.ok(
          found.some((s) => s.kind === 'column' && s.text === column),
          prefix,
        );
      }
      assert.deepEqual(await suggest('zzqx'), []);
    },
  );

  await t.test('hostile text should give results or nothing, never an error', async () => {
    const hostile = [
      'name:* OR (((',
      '\\',
      '*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*',
      '/.*a.*/',
      '"unterminated phrase',
      'a~99 b~ -( +| ) ||| && !!!',
      '_id:1 AND urn:*',
      '{"match_all":{}}',
      '<script>alert(1)</script>',
    ];
    for (const text of hostile) {
      const response = await find({ text });
      assert.ok(total(response) < live.length, text);
      const prefixed = await client.search({ index: alias, ...autocomplete({ prefix: text.slice(0, 64) }) });
      assert.equal(prefixed.timed_out, false);
    }
  });

  await t.test('highlights should escape the data, so only the marks are markup', async () => {
    const response = await find({ text: 'phone' });
    const hit = response.hits.hits.find((h) => h._id === docs[42]?.urn);
    const [description] = hit?.highlight?.description ?? [];
    assert.match(
      description ?? '',
      /^<mark>Phone<\/mark> numbers as typed, &lt;b&gt;unverified&lt;&#x2F;b&gt; &amp; raw$/,
    );
  });

  await t.test('assetByUrn, countsBy and staleAssets should answer for the whole catalog', async () => {
    const one = await search(assetByUrn(docs[42]?.urn ?? ''));
    assert.deepEqual(one.hits.hits[0]?._source, docs[42]);
    assert.equal(one.hits.hits[0]?._version, docs[42]?.revision);
    assert.equal((await search(assetByUrn('urn:steward:dataset:postgres:x:nope'))).hits.hits.length, 0);

    const counts = await search(countsBy('platform'));
    assert.equal(total(counts), live.length);
    const buckets = facetCounts({
      platform: { values: (counts.aggregations as Record<string, unknown>).counts },
    });
    const expected = new Map<string, number>();
    for (const d of live) expected.set(d.platform, (expected.get(d.platform) ?? 0) + 1);
    assert.deepEqual(new Map(buckets.platform.map((b) => [b.value, b.count])), expected);

    for (const unflaggedOnly of [false, true]) {
      const seen: string[] = [];
      let searchAfter: unknown[] | undefined;
      for (;;) {
        const page = await search(
          staleAssets(now, { size: 7, unflaggedOnly, ...(searchAfter && { searchAfter }) }),
        );
        const last = page.hits.hits.at(-1);
        if (!last) break;
        seen.push(...page.hits.hits.map((h) => h._id ?? ''));
        searchAfter = last.sort;
      }
      const stale = live.filter((d) => d.freshUntil !== undefined && d.freshUntil < now.toISOString());
      assert.deepEqual(seen.sort(byBytes), urns(unflaggedOnly ? stale.filter((d) => !d.stale) : stale));
    }
  });
});

test('ensureAssetIndex should leave exactly one write index when processes race', async (t) => {
  const { client, prefix, alias } = assetIndexFor(t);
  const at = (second: number) => new Date(Date.UTC(2024, 4, 1, 12, 0, second));
  // Same second: the same index name; different seconds: two names, one alias.
  const results = await Promise.all(
    [at(0), at(0), at(1), at(2)].map((now) => ensureAssetIndex(client, prefix, { now })),
  );
  assert.equal(results.filter((r) => r.created).length, 1);
  const aliases = await client.indices.getAlias({ name: alias });
  assert.equal(Object.keys(aliases).length, 1);
  const indices = await client.indices.get({ index: `${alias}-*` });
  assert.equal(Object.keys(indices).length, 1, 'the losers created no index');
});

test('a write of an older revision should be refused and never overwrite, even after a delete', async (t) => {
  const { client, prefix, alias } = assetIndexFor(t);
  await ensureAssetIndex(client, prefix);
  const [asset] = assetDocuments(1, new Date());
  assert.ok(asset);
  const get = () => client.search<AssetDocument>({ index: alias, ...assetByUrn(asset.urn) });
  const put = (revision: number, document: AssetDocument | null) =>
    writeDocuments(client, [{ index: alias, id: asset.urn, version: revision, document }]);

  assert.deepEqual(await put(5, { ...asset, revision: 5, name: 'current' }), []);
  const older = client.index({
    index: alias,
    id: asset.urn,
    version: 4,
    version_type: 'external_gte',
    document: { ...asset, revision: 4, name: 'older' },
  });
  await assert.rejects(older, (e: unknown) => e instanceof errors.ResponseError && e.statusCode === 409);
  assert.deepEqual(
    await put(3, { ...asset, revision: 3, name: 'older still' }),
    [],
    'the sink counts 409 as done',
  );
  await client.indices.refresh({ index: alias });
  assert.equal((await get()).hits.hits[0]?._source?.name, 'current');

  // The delete's version is remembered for index.gc_deletes, so a late older write cannot resurrect it.
  assert.deepEqual(await put(6, null), []);
  assert.deepEqual(await put(5, { ...asset, revision: 5, name: 'resurrected' }), []);
  await client.indices.refresh({ index: alias });
  assert.equal((await get()).hits.hits.length, 0);
  assert.deepEqual(await put(7, { ...asset, revision: 7, name: 'recreated' }), []);
  await client.indices.refresh({ index: alias });
  assert.equal((await get()).hits.hits[0]?._source?.name, 'recreated');
});
