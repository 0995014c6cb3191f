/**
 * The API benchmark's load generator, run as its own process (bench/api.ts forks it) so that generating
 * load never competes with the API or the pipeline for one event loop. It offers `rate` requests per
 * second for `seconds` (autocannon, latencies corrected for coordinated omission), cycling through
 * `paths`, and sends the summary back over IPC.
 */
import autocannon from 'autocannon';

export interface LoadRequest {
  readonly url: string;
  readonly paths: readonly string[];
  readonly rate: number;
  readonly seconds: number;
  readonly connections: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly achievedRate: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

async function run(request: LoadRequest): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url: request.url,
    connections: request.connections,
    overallRate: request.rate,
    duration: request.seconds,
    timeout: 10,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => {
          const path = request.paths[next++ % request.paths.length] ?? '/healthz';
          return { ...req, path };
        },
      },
    ],
  });
  return {
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    achievedRate: result.requests.total / request.seconds,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
  };
}

process.once('message', (message: LoadRequest) => {
  run(message)
    .then((result) => {
      process.send?.(result);
      process.disconnect();
    })
    .catch((error: unknown) => {
      process.stderr.write(`load failed: ${String(error)}\n`);
      process.exit(1);
    });
});
