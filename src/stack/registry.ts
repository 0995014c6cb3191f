import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findJdk, javaBin } from './java.ts';
import { layoutFor, loopback, ports } from './layout.ts';
import { fetchArtifact } from './maven.ts';
import { startDetached } from './processes.ts';
import type { StackService } from './service.ts';
import { versions } from './versions.ts';

const run = promisify(execFile);

export const registryDatabase = 'steward_registry';
export const ccompatPath = '/apis/ccompat/v7';

export interface RegistryDatabase {
  readonly jdbcUrl: string;
  readonly username: string;
  readonly password: string;
}

/**
 * Apicurio Registry (Quarkus fast-jar) with its Confluent-compatible API. Its data lives in PostgreSQL so
 * schema ids survive restarts (the default in-memory H2 would renumber them and orphan every record).
 */
export function registryService(home: string, database: RegistryDatabase): StackService {
  const layout = layoutFor(home, 'registry');
  const marker = `-Dsteward.stack=registry@${home}`;
  const url = `http://${loopback}:${ports.registry}${ccompatPath}`;
  const properties: Record<string, string> = {
    'quarkus.http.host': loopback,
    'quarkus.http.port': String(ports.registry),
    // The management interface would take port 9000; the ccompat API is our health probe.
    'quarkus.management.enabled': 'false',
    'apicurio.storage.kind': 'sql',
    'apicurio.storage.sql.kind': 'postgresql',
    'apicurio.datasource.url': database.jdbcUrl,
    'apicurio.datasource.username': database.username,
    'apicurio.datasource.password': database.password,
    'apicurio.datasource.jdbc.initial-size': '2',
    'apicurio.datasource.jdbc.min-size': '2',
    'apicurio.datasource.jdbc.max-size': '10',
    'apicurio.rules.global.compatibility': 'BACKWARD',
    'apicurio.rest.deletion.group.enabled': 'true',
    'apicurio.rest.deletion.artifact.enabled': 'true',
    'apicurio.rest.deletion.artifact-version.enabled': 'true',
    'apicurio.ccompat.use-canonical-hash': 'true',
  };

  return {
    name: 'registry',
    layout,
    endpoint: url,
    ports: [ports.registry],
    marker,
    startTimeoutMs: 120_000,
    stopGraceMs: 20_000,
    async install() {
      if (existsSync(join(layout.installDir, 'quarkus-run.jar'))) return;
      const archive = await fetchArtifact(
        `io.apicurio:apicurio-registry-app:${versions.apicurio}:tar.gz:all`,
        join(home, 'downloads'),
        `apicurio-registry-app-${versions.apicurio}-all.tar.gz`,
      );
      mkdirSync(layout.installDir, { recursive: true });
      await run('tar', ['-xzf', archive, '-C', layout.installDir]);
    },
    start() {
      const args = [
        '-Xms128m',
        '-Xmx512m',
        marker,
        ...Object.entries(properties).map(([key, value]) => `-D${key}=${value}`),
        '-jar',
        join(layout.installDir, 'quarkus-run.jar'),
      ];
      startDetached(javaBin(findJdk(21)), args, {
        logFile: layout.logFile,
        pidFile: layout.pidFile,
        cwd: layout.installDir,
      });
      return Promise.resolve();
    },
    async healthy() {
      const response = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(3000) });
      await response.arrayBuffer();
      return response.ok;
    },
  };
}
