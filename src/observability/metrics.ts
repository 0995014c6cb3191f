import { Registry, collectDefaultMetrics } from 'prom-client';

export type { Registry };

/** A registry per process, injected wherever metrics are recorded; never prom-client's global one. */
export function createMetricsRegistry(labels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry, prefix: 'steward_' });
  return registry;
}
