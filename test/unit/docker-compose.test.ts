/**
 * docker-compose.yml is for users with Docker and is not run in CI; CI runs the servers pinned in
 * src/stack/versions.ts. These tests keep the two in step: bumping one without the other fails here.
 * The file is read as text (the repo has no YAML dependency): only `image:` lines are inspected.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { versions } from '../../src/stack/versions.ts';

const composeText = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');

/** Every `image:` reference in the compose file, e.g. `apache/kafka:3.9.2`. */
const imageRefs: string[] = [...composeText.matchAll(/^\s*image:\s*['"]?([^'"\s#]+)['"]?\s*(?:#.*)?$/gm)].map(
  (match) => match[1] ?? '',
);

/** The tag of the one image whose repository is `repository`; fails unless there is exactly one. */
function tagOf(repository: string): string {
  const tags = imageRefs.flatMap((ref) => {
    const colon = ref.lastIndexOf(':');
    if (colon <= ref.lastIndexOf('/')) return []; // no tag: never acceptable for the pinned servers
    return ref.slice(0, colon) === repository ? [ref.slice(colon + 1)] : [];
  });
  assert.equal(
    tags.length,
    1,
    `expected exactly one tagged image ${repository}:<tag> in docker-compose.yml, found ${tags.length} (images: ${imageRefs.join(', ')})`,
  );
  return tags[0] ?? '';
}

/** True when `tag` is the major itself (`15`, `7.0`) or a more precise tag of it (`15.8`, `7.0.15`). */
function isWithinMajor(tag: string, major: string): boolean {
  return tag === major || tag.startsWith(`${major}.`);
}

test('docker-compose.yml should be found and reference images', () => {
  assert.ok(imageRefs.length > 0, 'no image: lines found in docker-compose.yml');
});

test('docker-compose should pin the Kafka version the local stack runs', () => {
  assert.equal(tagOf('apache/kafka'), versions.kafka);
});

test('docker-compose should pin the Elasticsearch version the local stack runs', () => {
  assert.equal(tagOf('docker.elastic.co/elasticsearch/elasticsearch'), versions.elasticsearch);
});

test('docker-compose should pin the Apicurio Registry version the local stack runs', () => {
  assert.equal(tagOf('apicurio/apicurio-registry'), versions.apicurio);
});

test('docker-compose should pin the PostgreSQL major the local stack runs', () => {
  const tag = tagOf('postgres');
  assert.ok(
    isWithinMajor(tag, versions.postgresMajor),
    `postgres:${tag} is not PostgreSQL ${versions.postgresMajor}`,
  );
});

test('docker-compose should pin the Redis major the local stack runs', () => {
  const tag = tagOf('redis');
  assert.ok(isWithinMajor(tag, versions.redisMajor), `redis:${tag} is not Redis ${versions.redisMajor}`);
});
