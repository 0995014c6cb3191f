/**
 * The deployment files (docker-compose.yml, deploy/) are not run in CI. These tests keep them in step with
 * the code: every part `steward run` offers is a compose service and a scrape target, and every metric
 * the alert rules and the dashboard query is one Steward exports.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { processors } from '../../processors/index.ts';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const parts = [...processors.map((p) => p.name), 'notifier', 'scheduler', 'sweeps', 'api'];

test('docker-compose should run every part as its own service, and Prometheus should scrape each', () => {
  const compose = read('docker-compose.yml');
  const commands = [...compose.matchAll(/command: \['run', '([a-z-]+)'\]/g)].map((m) => m[1]);
  assert.deepEqual([...commands].sort(), [...parts].sort());
  const targets = [
    ...read('deploy/prometheus/prometheus.yml').matchAll(/\b([a-z][a-z-]*):(?:9464|3000)\b/g),
  ].map((m) => m[1]);
  assert.deepEqual([...targets].sort(), [...parts].sort());
});

/** Every `name: 'steward_…'` a metric is declared with, in the code. */
function exportedMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(new URL(dir, root), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(`${path}/`);
      else if (entry.name.endsWith('.ts'))
        for (const m of read(path).matchAll(/name: '(steward_[a-z_]+)'/g)) names.add(m[1] ?? '');
    }
  };
  for (const dir of ['src/', 'api/', 'processors/']) walk(dir);
  return names;
}

test('alert rules and the dashboard should query only metrics Steward exports', () => {
  const exported = exportedMetrics();
  const queried = [
    ...read('deploy/prometheus/alerts.yml').matchAll(/steward_[a-z_]+/g),
    ...read('deploy/grafana/dashboards/steward.json').matchAll(/steward_[a-z_]+/g),
  ].map((m) => m[0].replace(/_(bucket|count|sum)$/, ''));
  assert.ok(queried.length > 10);
  for (const name of queried) assert.ok(exported.has(name), `${name} is not a metric Steward exports`);
});
