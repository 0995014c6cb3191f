import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type Outcome = 'processed' | 'duplicate' | 'dead' | 'ignored';

/** The runtime's Prometheus metrics, on the process's injected registry. */
export class RuntimeMetrics {
  readonly events: Counter<'processor' | 'topic' | 'outcome'>;
  readonly batchSeconds: Histogram<'processor'>;
  readonly handleSeconds: Histogram<'processor'>;
  readonly endToEndSeconds: Histogram<'processor'>;
  readonly lag: Gauge<'processor' | 'topic' | 'partition'>;
  readonly deadLetters: Counter<'processor' | 'code'>;
  readonly retries: Counter<'processor'>;
  readonly paused: Gauge<'processor'>;
  readonly freshnessSeconds: Gauge<'processor' | 'topic' | 'partition'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.events = new Counter({
      name: 'steward_events_total',
      help: 'Input records by outcome',
      labelNames: ['processor', 'topic', 'outcome'],
      registers,
    });
    this.batchSeconds = new Histogram({
      name: 'steward_batch_duration_seconds',
      help: 'Time to process and apply one batch',
      labelNames: ['processor'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.handleSeconds = new Histogram({
      name: 'steward_handler_duration_seconds',
      help: "Time spent in the processor's pure handle, per batch",
      labelNames: ['processor'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers,
    });
    this.endToEndSeconds = new Histogram({
      name: 'steward_end_to_end_latency_seconds',
      help: 'From the input record timestamp to its effects being applied',
      labelNames: ['processor'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.lag = new Gauge({
      name: 'steward_consumer_lag',
      help: 'Records behind the high watermark after the last batch',
      labelNames: ['processor', 'topic', 'partition'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'steward_dlq_total',
      help: 'Records sent to the dead-letter topic, by error code',
      labelNames: ['processor', 'code'],
      registers,
    });
    this.retries = new Counter({
      name: 'steward_retries_total',
      help: 'Batch retries after transient failures',
      labelNames: ['processor'],
      registers,
    });
    this.freshnessSeconds = new Gauge({
      name: 'steward_freshness_seconds',
      help: 'Seconds from the input partition watermark (caught-up time, or event time of the last record applied while lagging) to now',
      labelNames: ['processor', 'topic', 'partition'],
      registers,
    });
    this.paused = new Gauge({
      name: 'steward_paused_partitions',
      help: 'Partitions paused while a dependency is unavailable',
      labelNames: ['processor'],
      registers,
    });
  }
}
