/** Figures of the runtime benchmark, their summary, and the table printed at the end. */

/** One measurement of one mode. */
export interface Run {
  readonly events: number;
  /** From the consumer's group join to the last event (raw) or to its offset committed (runtime). */
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** From starting the consumer (or startProcessor) to its group join; not part of `seconds`. */
  readonly startupMs: number;
  /** This process's CPU time (user + system) over `seconds`, per 1,000 events. */
  readonly cpuMsPerThousand: number;
  /** Event-loop utilization over `seconds`: near 1, this process's one thread was the bottleneck. */
  readonly eventLoopUtilization: number;
  /** Runtime modes: batches handled, and their mean duration from steward_batch_duration_seconds. */
  readonly batches?: number;
  readonly meanBatchMs?: number;
}

export interface ModeSummary {
  readonly key: string;
  readonly label: string;
  readonly medianEventsPerSecond: number;
  readonly minEventsPerSecond: number;
  readonly maxEventsPerSecond: number;
  /** Median events/s divided by the median of the raw kafkajs mode. */
  readonly ratioToRaw: number;
  readonly medianCpuMsPerThousand: number;
  readonly medianEventLoopUtilization: number;
  readonly medianStartupMs: number;
  readonly medianBatchEvents?: number;
  readonly medianBatchMs?: number;
  readonly runs: readonly Run[];
}

export interface Machine {
  readonly cores: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly kafkajs: string;
  readonly commit: string;
  readonly dirty: boolean;
  /** 1-minute load average when the bench started: the stack's JVMs share these cores. */
  readonly loadAverage: number;
}

export interface Produced {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly mebibytes: number;
  readonly meanValueBytes: number;
  /** Of `seconds`, the time spent building and encoding (the rest overlaps or waits on the broker). */
  readonly encodeSeconds: number;
}

export interface BenchResult {
  readonly benchmark: 'runtime';
  readonly finishedAt: string;
  readonly machine: Machine;
  readonly workload: {
    readonly events: number;
    readonly repetitions: number;
    readonly warmup: number;
    readonly partitions: number;
    readonly urns: number;
    readonly columns: number;
    readonly partitionsConsumedConcurrently: number;
    readonly maxBytesPerPartition: number;
  };
  readonly produce: Produced;
  readonly modes: readonly ModeSummary[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const middle = Math.floor(sorted.length / 2);
  const at = (i: number): number => sorted[i] ?? NaN;
  return sorted.length % 2 ? at(middle) : (at(middle - 1) + at(middle)) / 2;
}

export function summarize(
  modes: readonly { key: string; label: string; runs: readonly Run[] }[],
  rawKey: string,
): ModeSummary[] {
  const rawRuns = modes.find((m) => m.key === rawKey)?.runs ?? [];
  const raw = median(rawRuns.map((r) => r.eventsPerSecond));
  return modes.map(({ key, label, runs }) => {
    const rates = runs.map((r) => r.eventsPerSecond);
    const rate = median(rates);
    const batched = runs.filter((r) => r.batches !== undefined && r.meanBatchMs !== undefined);
    return {
      key,
      label,
      medianEventsPerSecond: rate,
      minEventsPerSecond: Math.min(...rates),
      maxEventsPerSecond: Math.max(...rates),
      ratioToRaw: rate / raw,
      medianCpuMsPerThousand: median(runs.map((r) => r.cpuMsPerThousand)),
      medianEventLoopUtilization: median(runs.map((r) => r.eventLoopUtilization)),
      medianStartupMs: median(runs.map((r) => r.startupMs)),
      ...(batched.length && {
        medianBatchEvents: median(batched.map((r) => r.events / (r.batches ?? NaN))),
        medianBatchMs: median(batched.map((r) => r.meanBatchMs ?? NaN)),
      }),
      runs,
    };
  });
}

const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const fixed = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatResult(result: BenchResult): string {
  const { machine: m, workload: w, produce: p } = result;
  const modes = table(
    [
      'mode',
      'median ev/s',
      'min-max ev/s',
      'vs (a)',
      'CPU ms/1k ev',
      'ELU',
      'join ms',
      'ev/batch',
      'ms/batch',
    ],
    result.modes.map((mode) => [
      mode.label,
      int(mode.medianEventsPerSecond),
      `${int(mode.minEventsPerSecond)}-${int(mode.maxEventsPerSecond)}`,
      `${fixed(mode.ratioToRaw, 3)}x`,
      fixed(mode.medianCpuMsPerThousand, 1),
      fixed(mode.medianEventLoopUtilization, 2),
      int(mode.medianStartupMs),
      mode.medianBatchEvents === undefined ? '' : int(mode.medianBatchEvents),
      mode.medianBatchMs === undefined ? '' : fixed(mode.medianBatchMs, 1),
    ]),
  );
  return [
    `Steward runtime throughput: ${int(w.events)} events x ${w.repetitions} repetitions (warm-up ${int(w.warmup)}), ` +
      `${w.partitions} partitions, ${int(w.urns)} URNs, ${w.columns} columns per event`,
    `machine: ${m.cores} cores (${m.cpuModel}), load ${fixed(m.loadAverage, 2)} at start, Node ${m.node}, ` +
      `kafkajs ${m.kafkajs}, commit ${m.commit}${m.dirty ? ' (uncommitted changes)' : ''}`,
    `consumers: partitionsConsumedConcurrently ${w.partitionsConsumedConcurrently}, ` +
      `maxBytesPerPartition ${int(w.maxBytesPerPartition)}`,
    `produce: ${int(p.events)} events, ${fixed(p.mebibytes, 1)} MiB (mean value ${int(p.meanValueBytes)} B) ` +
      `in ${fixed(p.seconds, 1)} s = ${int(p.eventsPerSecond)} events/s ` +
      `(build + Avro encode ${fixed(p.encodeSeconds, 1)} s of it; idempotent producer, acks=all)`,
    '',
    modes,
    '',
    'median of the repetitions; vs (a) = median / median of (a); CPU and ELU are this process only.',
  ].join('\n');
}
