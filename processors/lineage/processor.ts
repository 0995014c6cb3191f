/**
 * lineage: builds the lineage graph in PostgreSQL from OpenLineage RunEvents (steward.lineage.v1).
 *
 * Per event: the run's row (status, times, what could not be mapped); the dataset and column edges the run
 * names, each with the job that produced it, first and last seen, and the run's status. A COMPLETE run
 * (the job's latest successful one) makes its edges the job's active set: edges of earlier runs it no
 * longer names become inactive (kept, with when). START and RUNNING add edges; FAIL and ABORT change no
 * edge. A COMPLETE older than the job's latest applied success changes nothing but its run row.
 * A dataset seen for the first time by a job is announced to metadata-sync as a placeholder (a `placeholder`
 * command, whose id derives from the URN alone, so the catalog applies it once whoever names it). An asset
 * whose incoming column edges changed gets a `re-evaluate` command for compliance, which then reads the
 * classes its columns inherit along the new edges (classification propagation).
 *
 * State per record key (a job, or the parent job several tasks share): per job, its active edges with when
 * each was first seen, its latest success, its recent runs, and the datasets announced. `handle` is pure.
 */
import { commandId, type Command } from '../../src/domain/command.ts';
import {
  define,
  type Emit,
  type HandleResult,
  type ProcessorDefinition,
  type RowWrite,
} from '../../src/domain/processor.ts';
import type { TopicDeclaration } from '../../src/domain/topic.ts';
import type { NamespaceInstances } from '../../src/lineage/identity.ts';
import { jobKey, validateRunEvent, type RunEvent } from '../../src/lineage/openlineage.ts';
import { commands, lineage } from '../../topics/index.ts';
import { runGraph, type RunGraph } from './edges.ts';

export const RUNS_TABLE = 'lineage_runs';
export const EDGES_TABLE = 'lineage_edges';
export const COLUMN_EDGES_TABLE = 'lineage_column_edges';
export const GRAPH_VERSION_TABLE = 'lineage_graph_version';
const RECENT_RUNS = 50;

export interface JobState {
  /** Active dataset edges (JSON `[upstream, downstream]`) → first seen. */
  readonly edges: Readonly<Record<string, string>>;
  /** Active column edges (JSON `[upstream, column, downstream, column]`) → first seen. */
  readonly columnEdges: Readonly<Record<string, string>>;
  readonly lastSuccessAt: string | null;
  /** Recent runs → their latest event type and time (out-of-order events do not regress a run). */
  readonly runs: Readonly<Record<string, { readonly status: string; readonly at: string }>>;
  readonly announced: readonly string[];
}

export interface LineageState {
  readonly jobs: Readonly<Record<string, JobState>>;
}

const EMPTY_JOB: JobState = { edges: {}, columnEdges: {}, lastSuccessAt: null, runs: {}, announced: [] };
const TERMINAL = new Set(['COMPLETE', 'FAIL', 'ABORT']);

const instant = (value: string): string => new Date(value).toISOString();

function runRow(event: RunEvent, job: string, at: string, graph: RunGraph): RowWrite {
  const status = event.eventType ?? 'OTHER';
  return {
    table: RUNS_TABLE,
    mode: 'upsert',
    key: { run_id: event.run.runId },
    values: {
      job,
      status,
      event_time: at,
      producer: event.producer,
      inputs: graph.inputs.length,
      outputs: graph.outputs.length,
      unmapped: JSON.stringify(graph.unmapped),
      ...(status === 'START' && { started_at: at }),
      ...(TERMINAL.has(status) && { ended_at: at }),
    },
  };
}

function placeholder(urn: string, name: string, at: string, job: string): Command {
  const last = name.split(/[./]/).filter(Boolean).pop() ?? name;
  return {
    id: commandId('lineage-placeholder', urn),
    kind: 'placeholder',
    target: 'metadata-sync',
    urn,
    issuedAt: at,
    issuedBy: 'lineage',
    reason: `named by job ${job}`,
    payload: JSON.stringify({ at, name: last, qualifiedName: name }),
  };
}

/** Asks compliance to re-read what `urn`'s columns inherit: the column lineage into it changed. */
function reclassify(urn: string, event: RunEvent, job: string, at: string): Command {
  return {
    id: commandId('lineage-reclassify', urn, event.run.runId, event.eventType ?? 'OTHER', at),
    kind: 're-evaluate',
    target: 'compliance',
    urn,
    issuedAt: at,
    issuedBy: 'lineage',
    reason: `column lineage from job ${job} changed`,
    payload: null,
  };
}

/** The rows that make `next` the job's active set as of `at`, given the previous active set. */
function edgeRows<K extends string>(
  previous: Readonly<Record<K, string>>,
  current: ReadonlyMap<K, Readonly<Record<string, string>>>,
  replace: boolean,
  at: string,
  row: (key: Readonly<Record<string, string>>, values: Readonly<Record<string, unknown>>) => RowWrite,
  split: (key: K) => Readonly<Record<string, string>>,
  extra: Readonly<Record<string, unknown>>,
): { rows: RowWrite[]; next: Record<string, string> } {
  const rows: RowWrite[] = [];
  const next: Record<string, string> = replace ? {} : { ...previous };
  for (const [key, columns] of current) {
    const firstSeen = (previous as Record<string, string | undefined>)[key] ?? at;
    next[key] = firstSeen;
    rows.push(
      row(columns, { active: true, first_seen: firstSeen, last_seen: at, removed_at: null, ...extra }),
    );
  }
  if (replace)
    for (const key of Object.keys(previous) as K[])
      if (!current.has(key)) rows.push(row(split(key), { active: false, removed_at: at }));
  return { rows, next };
}

export function handleRunEvent(
  event: RunEvent,
  state: LineageState | undefined,
  instances: NamespaceInstances,
  commandTopic: TopicDeclaration,
): HandleResult<LineageState> {
  const job = jobKey(event);
  const at = instant(event.eventTime);
  const status = event.eventType ?? 'OTHER';
  const graph = runGraph(event, instances);
  const current = state?.jobs[job] ?? EMPTY_JOB;
  const known = current.runs[event.run.runId];
  const rows: RowWrite[] = [];
  if (!known || known.at <= at) rows.push(runRow(event, job, at, graph));
  const runs = Object.fromEntries(
    Object.entries({ ...current.runs, [event.run.runId]: known && known.at > at ? known : { status, at } })
      .sort(([, a], [, b]) => b.at.localeCompare(a.at))
      .slice(0, RECENT_RUNS),
  );
  let next: JobState = { ...current, runs };
  const staleSuccess = status === 'COMPLETE' && current.lastSuccessAt !== null && at < current.lastSuccessAt;
  const emit: Emit[] = [];
  if (status !== 'FAIL' && status !== 'ABORT' && !staleSuccess) {
    const replace = status === 'COMPLETE';
    const datasetEdges = new Map(
      graph.edges.map((e) => [JSON.stringify([e.upstream, e.downstream]), e] as const),
    );
    const dataset = edgeRows(
      current.edges,
      new Map([...datasetEdges].map(([k, e]) => [k, { upstream: e.upstream, downstream: e.downstream }])),
      replace,
      at,
      (key, values) => ({ table: EDGES_TABLE, mode: 'upsert', key: { job, ...key }, values }),
      (key) => {
        const [upstream = '', downstream = ''] = JSON.parse(key) as string[];
        return { upstream, downstream };
      },
      { run_id: event.run.runId, run_status: status },
    );
    const column = edgeRows(
      current.columnEdges,
      new Map(
        graph.columnEdges.map((e) => [
          JSON.stringify([e.upstream, e.upstreamColumn, e.downstream, e.downstreamColumn]),
          {
            upstream: e.upstream,
            upstream_column: e.upstreamColumn,
            downstream: e.downstream,
            downstream_column: e.downstreamColumn,
          },
        ]),
      ),
      replace,
      at,
      (key, values) => ({ table: COLUMN_EDGES_TABLE, mode: 'upsert', key: { job, ...key }, values }),
      (key) => {
        const [upstream = '', upstreamColumn = '', downstream = '', downstreamColumn = ''] = JSON.parse(
          key,
        ) as string[];
        return { upstream, upstream_column: upstreamColumn, downstream, downstream_column: downstreamColumn };
      },
      { run_id: event.run.runId },
    );
    rows.push(...dataset.rows, ...column.rows);
    // Columns whose inputs changed may inherit other classes now: their assets' compliance reads again.
    const changed = new Set<string>();
    for (const key of new Set([...Object.keys(current.columnEdges), ...Object.keys(column.next)]))
      if (key in current.columnEdges !== key in column.next)
        changed.add((JSON.parse(key) as string[])[2] ?? '');
    for (const downstream of [...changed].filter(Boolean).sort())
      emit.push({ topic: commandTopic, key: downstream, value: reclassify(downstream, event, job, at) });
    const announced = new Set(current.announced);
    for (const d of [...graph.inputs, ...graph.outputs]) {
      if (announced.has(d.urn)) continue;
      announced.add(d.urn);
      emit.push({ topic: commandTopic, key: d.urn, value: placeholder(d.urn, d.name, at, job) });
    }
    next = {
      ...next,
      edges: dataset.next,
      columnEdges: column.next,
      lastSuccessAt: replace ? at : current.lastSuccessAt,
      announced: [...announced],
    };
  }
  // Last, after the edges: readers holding the graph in memory reload when this moves.
  if (rows.some((r) => r.table === EDGES_TABLE))
    rows.push({
      table: GRAPH_VERSION_TABLE,
      mode: 'upsert',
      key: { id: 1 },
      values: {},
      increment: ['version'],
    });
  return {
    state: { jobs: { ...(state?.jobs ?? {}), [job]: next } },
    effects: { rows, ...(emit.length && { emit }) },
  };
}

export function lineageProcessor(
  options: {
    readonly instances?: NamespaceInstances;
    readonly input?: TopicDeclaration;
    readonly commands?: TopicDeclaration;
  } = {},
): ProcessorDefinition<RunEvent, LineageState> {
  const input = options.input ?? lineage;
  const commandTopic = options.commands ?? commands;
  const instances = options.instances ?? {};
  return define<RunEvent, LineageState>({
    name: 'lineage',
    group: 'steward.lineage',
    consumes: [input],
    produces: [commandTopic],
    tables: [RUNS_TABLE, EDGES_TABLE, COLUMN_EDGES_TABLE, GRAPH_VERSION_TABLE],
    idempotency: 'ledger',
    accept: (value) => {
      const result = validateRunEvent(value);
      if (result.ok) return { ok: true, value: result.event };
      const [first] = result.errors;
      return {
        ok: false,
        reason: `not an OpenLineage RunEvent: ${result.errors.length} problem(s); first: ${first?.path} ${first?.message}`,
      };
    },
    eventId: (e) => `${e.run.runId}:${e.eventType ?? 'OTHER'}:${instant(e.eventTime)}`,
    handle: (event, state) => handleRunEvent(event.value, state, instances, commandTopic),
  });
}
