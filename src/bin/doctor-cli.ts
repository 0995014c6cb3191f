import type { Command as Program } from 'commander';
import { createElasticsearch } from '../adapters/elasticsearch/client.ts';
import { createKafka } from '../adapters/kafka.ts';
import { createPool } from '../adapters/postgres/pool.ts';
import { dependencyChecks } from '../adapters/readiness.ts';
import type { Config } from '../config.ts';
import { formatFindings, runDoctor } from '../doctor/doctor.ts';
import { createLogger } from '../observability/logger.ts';
import { topics } from '../../topics/index.ts';

/** `steward doctor`: src/doctor/doctor.ts over this configuration's real clients; exit 1 on any failure. */
export function registerDoctorCommand(program: Program, config: () => Config): void {
  program
    .command('doctor')
    .description(
      'check configuration, reachability of every dependency, migrations, topics, schemas and the index',
    )
    .option('--timeout <ms>', 'how long each dependency may take to answer', '5000')
    .action(async (flags: { timeout: string }) => {
      const settings = config();
      const logger = createLogger({ level: 'silent', name: 'steward-doctor' });
      const dependencies = dependencyChecks(settings);
      const admin = createKafka(settings.kafka, logger, `${settings.kafka.clientId}-doctor`).admin();
      const pool = createPool(settings.postgres, 1);
      const elasticsearch = createElasticsearch(settings.elasticsearch);
      const auth = settings.schemaRegistry.auth;
      const headers: Record<string, string> = {
        'content-type': 'application/vnd.schemaregistry.v1+json',
        ...(auth && {
          authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
        }),
      };
      try {
        await admin.connect().catch(() => undefined); // reported by the kafka reachability check
        const findings = await runDoctor({
          config: settings,
          reachability: dependencies.checks,
          admin,
          pool,
          elasticsearch,
          registry: async (path, body) => {
            const response = await fetch(`${settings.schemaRegistry.url}${path}`, {
              method: body === undefined ? 'GET' : 'POST',
              headers,
              ...(body !== undefined && { body: JSON.stringify(body) }),
            });
            const text = await response.text();
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // not JSON: kept as text
            }
            return { status: response.status, body: parsed };
          },
          topics,
          timeoutMs: Number(flags.timeout) || 5000,
        });
        for (const line of formatFindings(findings)) process.stdout.write(`${line}\n`);
        const failed = findings.filter((f) => f.verdict === 'fail').length;
        const warned = findings.filter((f) => f.verdict === 'warn').length;
        process.stdout.write(
          `${String(findings.length)} checks: ${String(failed)} failed, ${String(warned)} warnings\n`,
        );
        process.exitCode = failed ? 1 : 0;
      } finally {
        await Promise.allSettled([
          dependencies.close(),
          admin.disconnect(),
          pool.end(),
          elasticsearch.close(),
        ]);
      }
    });
}
