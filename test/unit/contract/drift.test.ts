import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import * as prettier from 'prettier';
import { generatedArtifacts } from '../../../src/contract/artifacts.ts';
import { findDrift, writeArtifacts } from '../../../src/contract/drift.ts';
import { projectRoot } from '../../../src/paths.ts';

const root = projectRoot();
const paths = generatedArtifacts().map((artifact) => artifact.path);
const avroPath = paths.find((path) => path.endsWith('.avsc'))!;
const jsonSchemaPath = paths.find((path) => path.endsWith('.schema.json'))!;

/** A temp dir holding a copy of the committed generated files, removed after the test. */
function copyOfArtifacts(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'steward-drift-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const path of paths) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    cpSync(join(root, path), join(dir, path));
  }
  return dir;
}

describe('findDrift', () => {
  it('should report nothing when the files are an exact copy', (t) => {
    assert.deepEqual(findDrift(copyOfArtifacts(t)), []);
  });

  it('should report a stale and a missing file, with the fix, when one is edited and one deleted', (t) => {
    const dir = copyOfArtifacts(t);
    const edited = join(dir, avroPath);
    writeFileSync(edited, readFileSync(edited, 'utf8').replace('"doc"', '"docs"'));
    unlinkSync(join(dir, jsonSchemaPath));
    assert.deepEqual(findDrift(dir), [
      `${avroPath} is stale: run npm run generate`,
      `${jsonSchemaPath} is missing: run npm run generate`,
    ]);
  });

  it('should report a file as stale when only its trailing newline is missing', (t) => {
    const dir = copyOfArtifacts(t);
    const file = join(dir, jsonSchemaPath);
    writeFileSync(file, readFileSync(file, 'utf8').trimEnd());
    assert.deepEqual(findDrift(dir), [`${jsonSchemaPath} is stale: run npm run generate`]);
  });

  it('should report nothing for the committed files when they were regenerated (run npm run generate)', () => {
    assert.deepEqual(findDrift(root), []);
  });
});

describe('writeArtifacts', () => {
  it('should write what is missing and then nothing when it runs twice', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-generate-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    assert.deepEqual(writeArtifacts(dir), paths);
    assert.deepEqual(writeArtifacts(dir), []);
    assert.deepEqual(findDrift(dir), []);
  });
});

describe('generatedArtifacts', () => {
  for (const { path, content } of generatedArtifacts()) {
    it(`should lay out ${path} as prettier does when it is generated`, async () => {
      const options = await prettier.resolveConfig(join(root, path));
      assert.equal(await prettier.format(content, { ...options, parser: 'json' }), content);
      assert.doesNotThrow(() => JSON.parse(content) as unknown);
    });
  }

  it('should give the JSON Schema its $schema, $id and title', () => {
    const schema = JSON.parse(readFileSync(join(root, jsonSchemaPath), 'utf8')) as Record<string, unknown>;
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.equal(schema.$id, 'https://steward.dev/schemas/change-event.schema.json');
    assert.equal(typeof schema.title, 'string');
    assert.doesNotMatch(JSON.stringify(schema), /~kind|~optional/);
  });
});
