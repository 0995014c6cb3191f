import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { EXAMPLES, withExamples } from '../../src/bin/cli-examples.ts';

const cli = fileURLToPath(new URL('../../src/bin/steward.ts', import.meta.url));
const help = (...args: string[]): string =>
  execFileSync(process.execPath, [cli, ...args, '--help'], { encoding: 'utf8', env: { ...process.env } });

test('every steward command should print examples with --help (the CLI refuses to build otherwise)', () => {
  const root = help();
  assert.match(root, /Examples:\n {2}steward start/);
  for (const path of ['jobs run', 'dlq replay', 'apikey create', 'doctor', 'demo'])
    assert.match(help(...path.split(' ')), /\nExamples:\n {2}\S/, path);
  assert.ok(Object.keys(EXAMPLES).length >= 35);
});

test('withExamples should name every command that has no examples', () => {
  const program = new Command('steward');
  program.command('start');
  program.command('brand-new').command('sub');
  assert.throws(() => withExamples(program), /steward brand-new, steward brand-new sub/);
});
