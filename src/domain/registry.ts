import type { ProcessorDefinition } from './processor.ts';
import type { TopicDeclaration } from './topic.ts';

/**
 * A processor in the registry, its type parameters hidden so that processors with different event and
 * state types share one list. `use` hands the typed definition to code that works for any of them.
 */
export interface RegisteredProcessor {
  readonly name: string;
  readonly group: string;
  readonly consumes: readonly TopicDeclaration[];
  readonly produces: readonly TopicDeclaration[];
  use<R>(run: <V, S, C>(definition: ProcessorDefinition<V, S, C>) => R): R;
}

export function register<V, S, C>(definition: ProcessorDefinition<V, S, C>): RegisteredProcessor {
  return {
    name: definition.name,
    group: definition.group,
    consumes: definition.consumes,
    produces: definition.produces,
    use: (run) => run(definition),
  };
}

/**
 * What start-up refuses to run with, each problem naming its fix: duplicate processor names or groups,
 * a binding to a topic that topics/ does not declare (or declares differently), and a processor that
 * writes a topic whose value schema is not defined yet.
 */
export function registryProblems(
  processors: readonly RegisteredProcessor[],
  topics: readonly TopicDeclaration[],
): string[] {
  const problems: string[] = [];
  const declared = new Map(topics.map((t) => [t.name, t]));
  const seen = { names: new Set<string>(), groups: new Set<string>() };
  for (const p of processors) {
    if (seen.names.has(p.name))
      problems.push(`two processors are named "${p.name}": rename one in processors/`);
    if (seen.groups.has(p.group))
      problems.push(`two processors use consumer group "${p.group}": give each its own group`);
    seen.names.add(p.name);
    seen.groups.add(p.group);
    for (const [role, list] of [
      ['consumes', p.consumes],
      ['produces', p.produces],
    ] as const) {
      for (const topic of list) {
        const declaration = declared.get(topic.name);
        if (!declaration)
          problems.push(
            `${p.name} ${role} "${topic.name}", which topics/ does not declare: add it to topics/index.ts`,
          );
        else if (declaration !== topic)
          problems.push(`${p.name} ${role} a copy of "${topic.name}": import the declaration from topics/`);
      }
    }
    for (const topic of p.produces) {
      if (topic.value.format === 'pending') {
        problems.push(
          `${p.name} produces "${topic.name}", whose value schema is pending (${topic.value.definedBy}): define it in topics/`,
        );
      }
    }
  }
  return problems;
}
