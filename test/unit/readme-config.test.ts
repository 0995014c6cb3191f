import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

/** The README's configuration table names every variable the configuration reads (src/config.ts). */
test('the README configuration table should document every environment variable', () => {
  const config = readFileSync(new URL('../../src/config.ts', import.meta.url), 'utf8');
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const schema = config.slice(
    config.indexOf('const variables'),
    config.indexOf('\n});', config.indexOf('const variables')),
  );
  const declared = [...schema.matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1] ?? '');
  assert.ok(declared.length > 30, `found ${String(declared.length)} variables`);
  const table = readme.slice(
    readme.indexOf('## Configuration'),
    readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5),
  );
  const missing = declared.filter((name) => !table.includes(`\`${name}\``));
  assert.deepEqual(missing, [], 'add these to the README configuration table');
});
