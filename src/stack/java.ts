import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface Jdk {
  readonly home: string;
  readonly major: number;
}

const probed = new Map<string, Jdk | undefined>();

/** Asks a `java` binary for its home and feature version (-XshowSettings prints to stderr). */
function probe(javaCommand: string): Jdk | undefined {
  if (probed.has(javaCommand)) return probed.get(javaCommand);
  const result = spawnSync(javaCommand, ['-XshowSettings:properties', '-version'], { encoding: 'utf8' });
  const output = `${result.stderr}${result.stdout}`;
  const home = /java\.home = (.+)/.exec(output)?.[1]?.trim();
  const version = /java\.specification\.version = (\d+)/.exec(output)?.[1];
  const jdk = !result.error && home && version ? { home, major: Number(version) } : undefined;
  probed.set(javaCommand, jdk);
  return jdk;
}

/** JDKs installed in the conventional Linux location, besides the one on PATH. */
function installedJdks(): string[] {
  const root = '/usr/lib/jvm';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((name) => join(root, name, 'bin', 'java'))
    .filter((bin) => existsSync(bin));
}

/**
 * A JDK of at least `minMajor`: STEWARD_STACK_JAVA_HOME, then JAVA_HOME, then `java` on PATH, then the
 * other installed JDKs. Kafka and Elasticsearch run on 17; Apicurio Registry 3.3 is compiled for 21.
 */
export function findJdk(minMajor: number, env: NodeJS.ProcessEnv = process.env): Jdk {
  const candidates = [
    env['STEWARD_STACK_JAVA_HOME'] && join(env['STEWARD_STACK_JAVA_HOME'], 'bin', 'java'),
    env['JAVA_HOME'] && join(env['JAVA_HOME'], 'bin', 'java'),
    'java',
    ...installedJdks(),
  ].filter((c): c is string => Boolean(c));
  for (const candidate of candidates) {
    const jdk = probe(candidate);
    if (jdk && jdk.major >= minMajor) return jdk;
  }
  throw new Error(
    `no Java ${minMajor}+ found (tried ${candidates.join(', ')}): install a JDK ${minMajor}+ or set STEWARD_STACK_JAVA_HOME`,
  );
}

export function javaBin(jdk: Jdk): string {
  return join(jdk.home, 'bin', 'java');
}
