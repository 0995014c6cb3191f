import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The scheduler's and the sweeps' Prometheus metrics, on the process's injected registry. */
export class TimerMetrics {
  readonly ticks: Counter<'job' | 'outcome'>;
  readonly passes: Counter<'outcome'>;
  readonly nextSlot: Gauge<'job'>;
  readonly runs: Counter<'job' | 'outcome'>;
  readonly runSeconds: Histogram<'job' | 'outcome'>;
  readonly lastSuccess: Gauge<'job'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.ticks = new Counter({
      name: 'steward_scheduler_ticks_total',
      help: 'Slots by outcome: published, republished (adopted from a scheduler that died), deduplicated (another scheduler had it), skipped (catch-up policy)',
      labelNames: ['job', 'outcome'],
      registers,
    });
    this.passes = new Counter({
      name: 'steward_scheduler_passes_total',
      help: 'Scheduler passes over the job list, by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.nextSlot = new Gauge({
      name: 'steward_scheduler_next_slot_timestamp_seconds',
      help: "Each job's next slot (scheduler clock)",
      labelNames: ['job'],
      registers,
    });
    this.runs = new Counter({
      name: 'steward_sweep_runs_total',
      help: 'Ticks handled by the sweeps, by outcome: succeeded, failed, deduplicated (the slot already ran)',
      labelNames: ['job', 'outcome'],
      registers,
    });
    this.runSeconds = new Histogram({
      name: 'steward_sweep_duration_seconds',
      help: 'Duration of one sweep run',
      labelNames: ['job', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900],
      registers,
    });
    this.lastSuccess = new Gauge({
      name: 'steward_sweep_last_success_timestamp_seconds',
      help: "When each job's latest successful run finished (wall clock)",
      labelNames: ['job'],
      registers,
    });
  }
}
