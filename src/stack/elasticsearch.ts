import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findJdk } from './java.ts';
import { layoutFor, loopback, ports } from './layout.ts';
import { fetchArtifact } from './maven.ts';
import type { StackService } from './service.ts';
import { versions } from './versions.ts';

const run = promisify(execFile);

/** Elasticsearch refuses to run as root; as root we run it as this unprivileged system user. */
export const elasticsearchUser = 'steward-es';

function ensureUser(): void {
  try {
    execFileSync('id', ['-u', elasticsearchUser], { stdio: 'ignore' });
  } catch {
    execFileSync(
      systemTool('useradd'),
      ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', elasticsearchUser],
      {
        stdio: 'inherit',
      },
    );
  }
}

const asRoot = (): boolean => process.getuid?.() === 0;

/**
 * Runs the launcher (which daemonizes the server with -d and exits) in a session of its own, like the
 * other stack servers: a Ctrl-C or a kill of the shell's process group that started the stack must not
 * take Elasticsearch down with it.
 */
function launchDaemon(command: string, args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`the launcher exited with ${code ?? 'a signal'}: ${stderr.slice(-2000)}`));
    });
  });
}

/** System tools live in sbin, which a minimal PATH (CI, cron) may lack. */
function systemTool(name: string): string {
  const dirs = [...(process.env['PATH'] ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  const found = dirs
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find((path) => existsSync(path));
  if (!found)
    throw new Error(`${name} is needed to run Elasticsearch as an unprivileged user and was not found`);
  return found;
}

export function elasticsearchService(home: string): StackService {
  const layout = layoutFor(home, 'elasticsearch');
  const runDir = join(home, 'run', 'elasticsearch');
  const logsDir = join(runDir, 'logs');
  const url = `http://${loopback}:${ports.elasticsearch}`;

  return {
    name: 'elasticsearch',
    layout: { ...layout, logFile: join(logsDir, 'steward-local.log') },
    endpoint: url,
    ports: [ports.elasticsearch, ports.elasticsearchTransport],
    // The server JVM loads its modules from its own lib directory.
    marker: `${layout.installDir}/lib`,
    startTimeoutMs: 120_000,
    stopGraceMs: 30_000,
    async install() {
      if (existsSync(join(layout.installDir, 'bin', 'elasticsearch'))) return;
      const zip = await fetchArtifact(
        `org.elasticsearch.distribution.integ-test-zip:elasticsearch:${versions.elasticsearch}:zip`,
        join(home, 'downloads'),
        `elasticsearch-${versions.elasticsearch}.zip`,
      );
      // unzip keeps the executable bits of bin/; the JDK's `jar` would drop them.
      await run('unzip', ['-q', '-o', zip, '-d', home]);
      // Heap: ES sizes it from total RAM otherwise (half of 24 GiB).
      writeFileSync(
        join(layout.installDir, 'config', 'jvm.options.d', 'steward.options'),
        '-Xms512m\n-Xmx512m\n',
      );
    },
    async start() {
      mkdirSync(layout.dataDir, { recursive: true });
      mkdirSync(logsDir, { recursive: true });
      const settings = [
        '-Ecluster.name=steward-local',
        '-Enode.name=steward-local',
        '-Ediscovery.type=single-node',
        `-Enetwork.host=${loopback}`,
        `-Ehttp.port=${ports.elasticsearch}`,
        `-Etransport.port=${ports.elasticsearchTransport}`,
        '-Expack.security.enabled=false',
        '-Ecluster.routing.allocation.disk.threshold_enabled=false',
        '-Eaction.destructive_requires_name=false',
        `-Epath.data=${layout.dataDir}`,
        `-Epath.logs=${logsDir}`,
      ];
      const launch = [
        'env',
        `ES_JAVA_HOME=${findJdk(17).home}`,
        join(layout.installDir, 'bin', 'elasticsearch'),
        '-d',
        '-p',
        layout.pidFile,
        ...settings,
      ];
      if (asRoot()) {
        ensureUser();
        for (const dir of [layout.installDir, runDir])
          await run(systemTool('chown'), ['-R', `${elasticsearchUser}:`, dir]);
        await launchDaemon(
          systemTool('runuser'),
          ['-u', elasticsearchUser, '--', ...launch],
          layout.installDir,
        );
      } else {
        const [command = 'env', ...args] = launch;
        await launchDaemon(command, args, layout.installDir);
      }
    },
    async healthy() {
      const response = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`, {
        signal: AbortSignal.timeout(3000),
      });
      const body = (await response.json()) as { status?: string };
      return response.ok && (body.status === 'green' || body.status === 'yellow');
    },
  };
}
