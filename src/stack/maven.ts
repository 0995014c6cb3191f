import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { versions } from './versions.ts';

const run = promisify(execFile);
const plugin = `org.apache.maven.plugins:maven-dependency-plugin:${versions.mavenDependencyPlugin}`;

async function mvn(args: readonly string[], cwd: string): Promise<void> {
  try {
    await run('mvn', ['-B', '-q', ...args], { cwd, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const detail = (error as { stdout?: string; stderr?: string }).stdout ?? '';
    throw new Error(`mvn ${args.slice(0, 2).join(' ')} failed: ${detail.slice(-2000)}`, { cause: error });
  }
}

/** Downloads one artifact (g:a:v:type[:classifier]) into dir, once; later calls need no network. */
export async function fetchArtifact(coordinate: string, dir: string, fileName: string): Promise<string> {
  const file = join(dir, fileName);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  await mvn([`${plugin}:copy`, `-Dartifact=${coordinate}`, `-DoutputDirectory=${dir}`], dir);
  if (!existsSync(file)) throw new Error(`mvn did not produce ${fileName} for ${coordinate}`);
  return file;
}

/**
 * Kafka has no distribution on Maven Central, but the broker is the kafka_2.13 jar plus its runtime
 * dependencies; reload4j is compileOnly in that POM, so the slf4j binding is added for broker logs.
 */
function kafkaPom(): string {
  const dep = (g: string, a: string, v: string): string =>
    `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>steward.stack</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    ${dep('org.apache.kafka', `kafka_${versions.scala}`, versions.kafka)}
    ${dep('org.slf4j', 'slf4j-reload4j', versions.slf4jReload4j)}
  </dependencies>
</project>
`;
}

/** Copies the broker's runtime classpath into <installDir>/libs, once. */
export async function fetchKafka(installDir: string): Promise<string> {
  const libs = join(installDir, 'libs');
  const complete = join(installDir, '.complete');
  if (existsSync(complete)) return libs;
  mkdirSync(installDir, { recursive: true });
  writeFileSync(join(installDir, 'pom.xml'), kafkaPom());
  await mvn(
    [`${plugin}:copy-dependencies`, '-DincludeScope=runtime', `-DoutputDirectory=${libs}`],
    installDir,
  );
  writeFileSync(complete, new Date().toISOString());
  return libs;
}
