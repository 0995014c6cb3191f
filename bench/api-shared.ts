/**
 * What `npm run bench:api` and `npm run bench` share: the API as `steward run api` in a child process on a
 * bench's schema and index, the seeded distinct requests per endpoint, the load generator in its own
 * process (bench/api-load.ts) and one phase of fixed-rate load over every endpoint.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Asset } from '../src/domain/change-event.ts';
import { projectRoot } from '../src/paths.ts';
import type { LoadRequest, LoadResult } from './api-load.ts';
import { killOnExit, progress, rate, withSearchPath } from './common.ts';
import type { Bench } from './harness.ts';
import { pick, prng } from './workload.ts';

/** Load-generator connections (autocannon). */
export const CONNECTIONS = 16;
export const WARMUP_SECONDS = 3;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** `steward run api` in a child process, on the bench's PostgreSQL schema and index. */
export async function startApi(
  bench: Bench & { readonly schema: string },
  pipeline: { readonly prefix: string },
): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--disable-warning=TimeoutNegativeWarning', 'src/bin/steward.ts', 'run', 'api'],
    {
      cwd: projectRoot(),
      env: {
        ...process.env,
        DATABASE_URL: withSearchPath(bench.config.postgres.url, bench.schema),
        ELASTICSEARCH_INDEX_PREFIX: pipeline.prefix,
        API_PORT: String(port),
        API_HOST: '127.0.0.1',
        API_AUTH: 'open',
        API_RATE_LIMIT_MAX: '1000000',
        METRICS_PORT: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  killOnExit(child);
  bench.cleanup.defer('stop the API', async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
  });
  const url = `http://127.0.0.1:${String(port)}`;
  for (let i = 0; i < 300; i++) {
    bench.signal.throwIfAborted();
    if (child.exitCode !== null) throw new Error(`the API exited with ${String(child.exitCode)}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, child };
    await sleep(200);
  }
  throw new Error('the API did not answer /healthz within 60 s');
}

/** Distinct requests per endpoint, seeded: searches with words, filters and sorts; prefixes; URNs. */
export function queries(
  catalog: { readonly assets: readonly Asset[] },
  count: number,
): Record<Endpoint, string[]> {
  const random = prng(7);
  const words = [
    ...new Set(
      catalog.assets.flatMap((a) => [
        ...a.name.split('_'),
        ...(a.columns ?? []).flatMap((c) => c.name.split('_')),
      ]),
    ),
  ].filter((w) => w.length > 2);
  const owners = [...new Set(catalog.assets.flatMap((a) => a.owners))];
  const filters = [
    () => '',
    () => `&owner=${encodeURIComponent(pick(owners, random))}`,
    () => '&tag=tier1',
    () => '&class=email',
    () => '&sensitivity=restricted&sensitivity=confidential',
    () => '&hasOpenViolations=true',
    () => '&type=table&platform=postgres',
  ];
  const sorts = ['', '&sort=name', '&sort=updated', '&sort=quality'];
  const distinct = (make: () => string): string[] => {
    const out = new Set<string>();
    for (let tries = 0; out.size < count && tries < count * 50; tries++) out.add(make());
    return [...out];
  };
  const search = distinct(() => {
    const terms = Array.from({ length: 1 + Math.floor(random() * 2) }, () => pick(words, random));
    if (random() < 0.15) terms.push(String(Math.floor(random() * catalog.assets.length)));
    return `/v1/search?q=${encodeURIComponent(terms.join(' '))}${pick(filters, random)()}${pick(sorts, random)}`;
  });
  const autocomplete = distinct(() => {
    const source = random() < 0.5 ? pick(catalog.assets, random).name : pick(words, random);
    return `/v1/autocomplete?prefix=${encodeURIComponent(source.slice(0, 2 + Math.floor(random() * 8)))}`;
  });
  const detail = distinct(() => `/v1/assets/${encodeURIComponent(pick(catalog.assets, random).urn)}`);
  return { search, autocomplete, detail };
}

export type Endpoint = 'search' | 'autocomplete' | 'detail';
export const ENDPOINTS: readonly Endpoint[] = ['search', 'autocomplete', 'detail'];

export function offer(request: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./api-load.ts', import.meta.url), {
      execArgv: ['--disable-warning=TimeoutNegativeWarning'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (result: LoadResult) => resolve(result));
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the load generator exited with ${String(code)}`));
    });
    child.send(request);
  });
}

export async function cacheCounts(url: string): Promise<{ hit: number; other: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let hit = 0;
  let other = 0;
  for (const match of text.matchAll(
    /^steward_api_cache_requests_total\{[^}]*result="(\w+)"[^}]*\} (\d+)/gm,
  )) {
    if (match[1] === 'hit') hit += Number(match[2]);
    else other += Number(match[2]);
  }
  return { hit, other };
}

export interface PhaseResult {
  readonly endpoints: Record<Endpoint, LoadResult>;
  /** Share of asset-detail reads served from the cache during the measured detail run. */
  readonly detailCacheHitRatio: number | null;
  /** Change events metadata-sync applied per second during the phase (0 when idle). */
  readonly ingestEventsPerSecond: number;
}

export async function phase(
  api: string,
  requests: Record<Endpoint, string[]>,
  options: { readonly rate: number; readonly seconds: number },
  during: { started(): void; stopped(): Promise<number> } | undefined,
): Promise<PhaseResult> {
  during?.started();
  const began = performance.now();
  const endpoints = {} as Record<Endpoint, LoadResult>;
  let detailCacheHitRatio: number | null = null;
  for (const endpoint of ENDPOINTS) {
    const request = { url: api, paths: requests[endpoint], connections: CONNECTIONS, rate: options.rate };
    await offer({ ...request, seconds: WARMUP_SECONDS });
    const before = await cacheCounts(api);
    endpoints[endpoint] = await offer({ ...request, seconds: options.seconds });
    const after = await cacheCounts(api);
    if (endpoint === 'detail') {
      const hits = after.hit - before.hit;
      const total = hits + after.other - before.other;
      detailCacheHitRatio = total ? hits / total : null;
    }
    progress(
      `  ${endpoint}: p50 ${endpoints[endpoint].p50Ms} ms, p99 ${endpoints[endpoint].p99Ms} ms at ` +
        `${rate(endpoints[endpoint].achievedRate)} req/s`,
    );
  }
  const applied = during ? await during.stopped() : 0;
  return {
    endpoints,
    detailCacheHitRatio,
    ingestEventsPerSecond: applied / ((performance.now() - began) / 1000),
  };
}
