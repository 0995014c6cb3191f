import type { Config } from '../config.ts';
import { validateJob, type JobDeclaration } from '../domain/schedule.ts';
import { loadSources, scanJobs } from '../scanner/sources.ts';

/**
 * The periodic jobs that replace the seed system's cron entries, declared as data. Each is a tick on the
 * timers topic; its sweep (src/scheduler/sweeps) runs once per slot in the sweeps consumer group.
 * SCHEDULER_JOBS overrides any field but the name, per job (a payload override replaces the payload).
 */
export const declaredJobs: readonly JobDeclaration[] = [
  {
    name: 'metadata-resync',
    description:
      'ask metadata-sync to mark stale the assets whose source has not reported them within the expected interval',
    cron: '0 * * * *',
    timeZone: 'UTC',
    catchUp: 'latest',
    // Hours; staleAfterHoursBy keys: tag:<tag>, instance:<instance>, platform:<platform> (most specific wins).
    payload: { staleAfterHours: 24, staleAfterHoursBy: {} },
    enabled: true,
  },
  {
    name: 'index-reconcile',
    description: 'reconcile Elasticsearch with PostgreSQL (the source of truth) and report the drift',
    cron: '*/30 * * * *',
    timeZone: 'UTC',
    catchUp: 'latest',
    payload: {},
    enabled: true,
  },
  {
    name: 'kpi-aggregate',
    description: 'snapshot governance KPIs into PostgreSQL as a daily time series',
    cron: '0 1 * * *',
    timeZone: 'UTC',
    catchUp: 'latest',
    payload: {},
    enabled: true,
  },
  {
    name: 'compliance-rescan',
    description:
      'ask compliance to re-evaluate every asset (expired waivers, new scopes), and a rescan where the rule set is outdated',
    cron: '0 2 * * *',
    timeZone: 'UTC',
    catchUp: 'latest',
    payload: {},
    enabled: true,
  },
  {
    name: 'violation-monitor',
    description: 'ask compliance to escalate open violations past their due time',
    cron: '0 */4 * * *',
    timeZone: 'UTC',
    catchUp: 'latest',
    payload: {},
    enabled: true,
  },
  {
    name: 'quality-sweep',
    description: 'ask quality to rescore every scored asset, so freshness decays without new reports',
    cron: '30 6 * * *',
    timeZone: 'UTC',
    catchUp: 'latest',
    payload: {},
    enabled: true,
  },
  {
    name: 'health-snapshot',
    description: 'record reachability of every server and the consumer lag of every group',
    cron: '*/15 * * * *',
    timeZone: 'UTC',
    catchUp: 'latest',
    payload: {},
    enabled: true,
  },
];

export type JobOverride = Partial<
  Pick<JobDeclaration, 'cron' | 'timeZone' | 'catchUp' | 'enabled' | 'payload'>
>;

/** The declared jobs with their overrides applied, validated; throws naming the job and the problem. */
export function resolveJobs(
  overrides: Readonly<Record<string, JobOverride>>,
  declared: readonly JobDeclaration[] = declaredJobs,
): JobDeclaration[] {
  const unknown = Object.keys(overrides).filter((name) => !declared.some((job) => job.name === name));
  if (unknown.length)
    throw new Error(
      `SCHEDULER_JOBS names unknown jobs: ${unknown.join(', ')} (known: ${declared.map((j) => j.name).join(', ')})`,
    );
  return declared.map((job) => {
    const resolved = { ...job, ...overrides[job.name] };
    validateJob(resolved);
    return resolved;
  });
}

/** Every job of this deployment: the declared ones and a `scan-<source>` job per scheduled source. */
export function configuredJobs(config: Pick<Config, 'scheduler' | 'scan'>): JobDeclaration[] {
  return resolveJobs(config.scheduler.jobs, [
    ...declaredJobs,
    ...scanJobs(loadSources(config.scan.sourcesFile)),
  ]);
}
