/**
 * `npm run bench:lineage`: latency of lineage graph queries (src/adapters/postgres/lineage-reader.ts, what
 * GET /v1/assets/{urn}/lineage runs) over a graph of `--edges` active edges in PostgreSQL.
 *
 * The graph: `--layers` layers of assets, each asset with `--fanout` edges to random assets of the next
 * layer (a warehouse's staging → intermediate → mart → report chain, many times over), written straight to
 * lineage_edges in a fresh schema. Queries start at random assets; each walks `--depth` hops downstream,
 * upstream and both ways (node limit 10,000, edges between the found nodes included), `--queries` times
 * per direction after a warm-up. See bench/README.md.
 */
import { Command } from 'commander';
import { lineageGraphSource } from '../src/adapters/postgres/lineage-graph.ts';
import { lineageReader, type Direction } from '../src/adapters/postgres/lineage-reader.ts';
import { integer, machine, progress, rate, runBench, writeResult } from './common.ts';
import { withBench } from './harness.ts';

interface Options {
  readonly edges: number;
  readonly layers: number;
  readonly fanout: number;
  readonly depth: number;
  readonly queries: number;
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function main(): Promise<void> {
  const options = new Command('bench:lineage')
    .option('--edges <n>', 'active edges in the graph', integer(1000), 100_000)
    .option('--layers <n>', 'layers of assets', integer(2), 10)
    .option('--fanout <n>', 'edges from each asset to the next layer', integer(1), 5)
    .option('--depth <n>', 'hops each query walks', integer(1), 5)
    .option('--queries <n>', 'measured queries per direction', integer(10), 1000)
    .parse()
    .opts<Options>();
  await withBench('lineage', async (bench) => {
    const perLayer = Math.ceil(options.edges / options.fanout / (options.layers - 1));
    progress(
      `writing ${rate(options.edges)} edges: ${options.layers} layers of ${rate(perLayer)} assets, fan-out ${options.fanout}`,
    );
    const began = performance.now();
    // Asset i of layer l is urn:steward:dataset:postgres:bench:db.l<l>.t<i>; each links to `fanout` assets of layer l+1.
    await bench.pool.query(
      `INSERT INTO lineage_edges (job, upstream, downstream, active, first_seen, last_seen, run_id, run_status)
       SELECT 'bench/job_l' || l, 'urn:steward:dataset:postgres:bench:db.l' || l || '.t' || i,
              'urn:steward:dataset:postgres:bench:db.l' || (l + 1) || '.t' || ((i * 7919 + k * 104729 + l * 31) % $1),
              true, now(), now(), 'run', 'COMPLETE'
         FROM generate_series(0, $2 - 2) l, generate_series(0, $1 - 1) i, generate_series(1, $3) k
        LIMIT $4
       ON CONFLICT DO NOTHING`,
      [perLayer, options.layers, options.fanout, options.edges],
    );
    // Every asset in the catalog too, so the walk's catalog read is not of an empty table.
    await bench.pool.query(
      `INSERT INTO assets (urn, platform, instance, type, name, qualified_name, owners, revision, updated_stamp)
       SELECT urn, 'postgres', 'bench', 'table', split_part(urn, '.', 3), split_part(urn, ':', 6),
              ARRAY['team-' || split_part(urn, '.', 2)], 1, '{}'::jsonb
         FROM (SELECT upstream AS urn FROM lineage_edges UNION SELECT downstream FROM lineage_edges) found`,
    );
    // What autovacuum does after a bulk load: statistics, and the visibility map index-only scans need.
    for (const table of ['lineage_edges', 'assets']) await bench.pool.query(`VACUUM ANALYZE ${table}`);
    const { rows } = await bench.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM lineage_edges WHERE active',
    );
    const edges = Number(rows[0]?.n);
    progress(`  ${rate(edges)} edges written in ${((performance.now() - began) / 1000).toFixed(1)} s`);

    // As the API reads: walks over the in-memory graph (loaded once here: nothing changes it meanwhile);
    // and, for comparison, the recursive SQL walk the API falls back to past LINEAGE_GRAPH_MAX_EDGES.
    const readers = {
      memory: lineageReader(bench.pool, lineageGraphSource(bench.pool, { maxEdges: 50_000_000 })),
      sql: lineageReader(bench.pool),
    };
    const randomAsset = (): string => {
      const layer = Math.floor(Math.random() * options.layers);
      return `urn:steward:dataset:postgres:bench:db.l${layer}.t${Math.floor(Math.random() * perLayer)}`;
    };
    const measure = async (mode: keyof typeof readers, directions: Direction[]) => {
      const reader = readers[mode];
      const latencies: number[] = [];
      let nodes = 0;
      let truncated = 0;
      for (let q = 0; q < options.queries + 50; q++) {
        const started = performance.now();
        const graph = await reader.graph(randomAsset(), {
          directions,
          depth: options.depth,
          limit: 10_000,
          columns: false,
        });
        if (q < 50) continue; // warm-up
        latencies.push(performance.now() - started);
        nodes += graph.nodes.length;
        if (graph.truncated) truncated++;
      }
      latencies.sort((a, b) => a - b);
      return {
        mode,
        directions: directions.join('+'),
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        max: latencies.at(-1) ?? NaN,
        meanNodes: nodes / options.queries,
        truncated,
      };
    };
    const results = [];
    for (const mode of ['memory', 'sql'] as const)
      for (const directions of [['downstream'], ['upstream'], ['upstream', 'downstream']] as Direction[][]) {
        const result = await measure(mode, directions);
        results.push(result);
        progress(`  ${mode} ${result.directions}: p99 ${result.p99.toFixed(1)} ms`);
      }
    const facts = machine();
    const lines = [
      `Lineage graph queries, ms, depth ${options.depth}, over ${rate(edges)} active edges (${options.queries} queries per direction after 50 warm-up)`,
      `walk    direction               p50     p95     p99     max   mean nodes  truncated`,
      ...results.map(
        (r) =>
          `${r.mode.padEnd(7)} ${r.directions.padEnd(20)} ${r.p50.toFixed(1).padStart(6)}  ${r.p95.toFixed(1).padStart(6)}  ${r.p99.toFixed(1).padStart(6)}  ${r.max.toFixed(1).padStart(6)}  ${r.meanNodes.toFixed(0).padStart(10)}  ${String(r.truncated).padStart(9)}`,
      ),
      `machine: ${facts.cores} cores, node ${facts.node}, commit ${facts.commit}${facts.dirty ? ' (dirty)' : ''}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    writeResult('lineage', {
      benchmark: 'lineage',
      finishedAt: new Date().toISOString(),
      machine: facts,
      options,
      edges,
      results,
    });
  });
}

runBench(main);
