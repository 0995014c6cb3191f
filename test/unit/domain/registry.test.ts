import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { define } from '../../../src/domain/processor.ts';
import { register, registryProblems } from '../../../src/domain/registry.ts';
import type { TopicDeclaration } from '../../../src/domain/topic.ts';
import { processors } from '../../../processors/index.ts';
import { changes, quality, topics } from '../../../topics/index.ts';

const processor = (
  name: string,
  group: string,
  consumes: readonly TopicDeclaration[],
  produces: readonly TopicDeclaration[] = [],
) =>
  register(
    define({
      name,
      group,
      consumes,
      produces,
      idempotency: 'effects',
      accept: (value: unknown) => ({ ok: true, value }),
      handle: () => ({}),
    }),
  );

describe('registryProblems', () => {
  it('should accept the registry as it is in processors/index.ts', () => {
    assert.deepEqual(registryProblems(processors, topics), []);
  });

  it('should name duplicate processor names and consumer groups', () => {
    const problems = registryProblems(
      [processor('a', 'g', [changes]), processor('a', 'g', [changes])],
      topics,
    );
    assert.equal(problems.length, 2);
    assert.match(problems[0] ?? '', /two processors are named "a"/);
    assert.match(problems[1] ?? '', /consumer group "g"/);
  });

  it('should refuse a topic that topics/ does not declare, or a copy of a declared one', () => {
    const stray: TopicDeclaration = { ...changes, name: 'stray.topic' };
    const problems = registryProblems(
      [processor('a', 'g', [stray]), processor('b', 'h', [{ ...changes }])],
      topics,
    );
    assert.match(problems.join('\n'), /"stray.topic", which topics\/ does not declare/);
    assert.match(problems.join('\n'), /b consumes a copy of/);
  });

  it('should refuse a processor that writes a topic whose schema is pending', () => {
    const pending = {
      ...quality,
      name: 'pending.topic',
      value: { format: 'pending' as const, definedBy: 'a later issue' },
    };
    const problems = registryProblems([processor('a', 'g', [changes], [pending])], [...topics, pending]);
    assert.match(problems.join('\n'), /value schema is pending/);
  });

  it('should hand the typed definition to use()', () => {
    const registered = processor('a', 'g', [changes]);
    assert.equal(
      registered.use((d) => d.idempotency),
      'effects',
    );
  });
});
