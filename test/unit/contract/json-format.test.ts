import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as prettier from 'prettier';
import { PRINT_WIDTH, formatJson } from '../../../src/contract/json-format.ts';
import { projectRoot } from '../../../src/paths.ts';

const options = await prettier.resolveConfig(join(projectRoot(), 'schemas', 'any.json'));

/** An array of strings whose one-line form, as the value of `key` at depth 1, is `width` characters long. */
function arrayOfWidth(width: number, key: string): string[] {
  const used = `  "${key}": `.length;
  const items = ['"aaaa"', '"bbbb"'];
  const flat = `[${items.join(', ')}]`.length;
  return ['aaaa', 'b'.repeat(4 + width - used - flat)];
}

describe('formatJson', () => {
  it('should use the repository print width when it lays out JSON', () => {
    assert.equal(options?.printWidth, PRINT_WIDTH);
  });

  const cases: [string, unknown][] = [
    ['empty containers', { a: {}, b: [], c: [{}], d: [[]] }],
    ['scalars of every kind', { s: 'é "q" \\ \n', n: -1.5, i: 9007199254740991, t: true, f: false, z: null }],
    [
      'an array of objects',
      { fields: [{ name: 'a', type: ['null', 'string'], default: null }, { name: 'b' }] },
    ],
    ['a union holding a record', { type: ['null', { type: 'record', name: 'R', fields: [] }] }],
    [
      'nested arrays of primitives',
      {
        a: [[1, 2], [3]],
        b: [['x']],
        c: [
          [1, 2],
          [3, 4],
        ],
        d: [[], [1]],
      },
    ],
    ['arrays holding empty and non-empty objects', { a: [{}, {}], b: [{ x: 1 }], c: ['s', { x: [] }] }],
    ['a top-level array', [1, 'two', null]],
  ];
  for (const width of [PRINT_WIDTH - 1, PRINT_WIDTH, PRINT_WIDTH + 1]) {
    cases.push([`a last array ${width} wide`, { k: arrayOfWidth(width, 'k') }]);
    cases.push([`a non-last array ${width} wide`, { k: arrayOfWidth(width, 'k'), after: 1 }]);
  }
  it('should refuse a number array too long for one line when asked to print one', () => {
    assert.throws(
      () => formatJson({ n: Array.from({ length: 60 }, (_, i) => i) }),
      /fills long number arrays/,
    );
  });

  for (const [title, value] of cases) {
    it(`should print what prettier prints when the value has ${title}`, async () => {
      const text = formatJson(value);
      assert.equal(await prettier.format(text, { ...options, parser: 'json' }), text);
      assert.deepEqual(JSON.parse(text), value);
    });
  }
});
