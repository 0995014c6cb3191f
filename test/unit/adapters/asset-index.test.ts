import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  aliasName,
  assetIndexTemplate,
  newIndexName,
} from '../../../src/adapters/elasticsearch/asset-index.ts';
import { assetDocuments } from '../../fixtures/asset-documents.ts';

describe('asset index names', () => {
  it('should name the alias after the prefix and each index after its creation time in UTC', () => {
    assert.equal(aliasName('steward'), 'steward-assets');
    assert.equal(
      newIndexName('steward', new Date('2024-05-01T09:08:07.654+02:00')),
      'steward-assets-20240501070807',
    );
  });
});

describe('assetIndexTemplate', () => {
  const template = assetIndexTemplate('steward');

  it('should match only the prefix’s asset indices and refuse undeclared fields', () => {
    assert.deepEqual(template.index_patterns, ['steward-assets-*']);
    assert.equal(template.template.mappings.dynamic, 'strict');
  });

  it('should state the local defaults explicitly and let production override shards and replicas', () => {
    const { settings } = template.template;
    assert.equal(settings.number_of_shards, 1);
    assert.equal(settings.number_of_replicas, 0);
    assert.equal(settings.refresh_interval, '1s');
    assert.equal(settings['index.gc_deletes'], '1h');
    const production = assetIndexTemplate('steward', { shards: 3, replicas: 1 }).template.settings;
    assert.equal(production.number_of_shards, 3);
    assert.equal(production.number_of_replicas, 1);
  });

  it('should declare every field of the documents the indexer writes', () => {
    const declared = (path: string[]): boolean => {
      let properties = template.template.mappings.properties as Record<string, unknown> | undefined;
      for (const [i, key] of path.entries()) {
        const field = properties?.[key] as
          { properties?: Record<string, unknown>; dynamic?: boolean } | undefined;
        if (!field) return false;
        if (field.dynamic === true && i < path.length - 1) return true; // quality.dimensions
        properties = field.properties;
      }
      return true;
    };
    const paths = (value: unknown, path: string[] = []): string[][] =>
      Array.isArray(value)
        ? value.flatMap((v) => paths(v, path))
        : typeof value === 'object' && value !== null
          ? Object.entries(value).flatMap(([k, v]) => paths(v, [...path, k]))
          : [path];
    for (const document of assetDocuments(50, new Date()))
      for (const path of paths(document)) assert.ok(declared(path), path.join('.'));
  });
});
