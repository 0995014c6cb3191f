import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import {
  formatFindings,
  pendingMigrations,
  sourceFindings,
  topicFinding,
} from '../../../src/doctor/doctor.ts';
import type { SourceReader } from '../../../src/scanner/model.ts';
import { SourceConfigError } from '../../../src/scanner/sources.ts';
import { changes } from '../../../topics/index.ts';

describe('doctor', () => {
  it('should list the migration files not yet applied, in order', () => {
    assert.deepEqual(pendingMigrations(['1_a.sql', '2_b.sql', '3_c.sql'], ['1_a', '3_c']), ['2_b']);
    assert.deepEqual(pendingMigrations(['1_a.sql'], ['1_a']), []);
  });

  it('should judge a topic against its declaration: missing, too few partitions, drifted settings, ok', () => {
    assert.equal(topicFinding(changes, 1, undefined).verdict, 'fail');
    const live = (partitions: number, config: Record<string, string>) => ({
      partitions,
      config: new Map(Object.entries(config)),
    });
    const few = topicFinding(changes, 1, live(changes.partitions - 1, {}));
    assert.equal(few.verdict, 'fail');
    assert.match(few.fix ?? '', /topics apply/);
    const declared = Object.fromEntries(
      Object.entries(changes.config)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, k === 'min.insync.replicas' ? '1' : String(v)]),
    );
    assert.equal(topicFinding(changes, 1, live(changes.partitions, declared)).verdict, 'ok');
    const drifted = topicFinding(changes, 1, live(changes.partitions, { ...declared, 'retention.ms': '1' }));
    assert.equal(drifted.verdict, 'warn');
    assert.match(drifted.detail, /retention\.ms=1/);
  });

  it('should print one line per finding, with the fix only for problems', () => {
    const lines = formatFindings([
      { check: 'kafka reachable', verdict: 'ok', detail: 'answers', fix: 'unused' },
      { check: 'redis reachable', verdict: 'fail', detail: 'refused', fix: 'check REDIS_URL' },
    ]);
    assert.deepEqual(lines, [
      'ok    kafka reachable  answers',
      'FAIL  redis reachable  refused  → check REDIS_URL',
    ]);
  });
});

describe('doctor: scan sources', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steward-doctor-'));
  const file = join(dir, 'sources.json');
  writeFileSync(
    file,
    JSON.stringify({
      sources: [
        { name: 'shop', platform: 'postgres', connection: { env: 'SHOP_URL' }, include: ['public.*'] },
        { name: 'hr', platform: 'mariadb', connection: { env: 'HR_URL' } },
        { name: 'down', platform: 'postgres', connection: { env: 'DOWN_URL' } },
      ],
    }),
  );
  const config = loadConfig({ SCAN_SOURCES_FILE: file });
  const reader = (schemas: () => Promise<string[]>): SourceReader => ({
    database: null,
    schemas,
    listSchema: () => Promise.resolve([]),
    sample: () => Promise.reject(new Error('not sampled by the doctor')),
    close: () => Promise.resolve(),
  });

  it('should check each source: its URL is where it says, it answers, and something is in scope', async () => {
    const findings = await sourceFindings(
      config,
      (source) => {
        if (source.name === 'hr') throw new SourceConfigError('source hr: HR_URL holds no connection URL');
        if (source.name === 'down')
          return reader(() => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.9:5432')));
        return reader(() => Promise.resolve(['audit', 'public']));
      },
      1000,
    );
    assert.deepEqual(
      findings.map((f) => [f.check, f.verdict, f.detail]),
      [
        ['scan sources', 'ok', `3 declared in ${file}`],
        ['source shop', 'ok', 'answers; schemas in scope: public'],
        ['source hr', 'fail', 'source hr: HR_URL holds no connection URL'],
        ['source down', 'fail', 'connect ECONNREFUSED 10.0.0.9:5432'],
      ],
    );
    assert.equal(findings[2]?.fix, 'set HR_URL to the mariadb URL');
  });

  it('should fail on an invalid declaration and say nothing without one', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"sources": [{"name": "x"}]}');
    const [bad] = await sourceFindings(
      loadConfig({ SCAN_SOURCES_FILE: join(dir, 'bad.json') }),
      () => assert.fail(),
      1000,
    );
    assert.equal(bad?.verdict, 'fail');
    assert.match(bad?.detail ?? '', /sources\.0\.platform/);
    assert.deepEqual(await sourceFindings(loadConfig({}), () => assert.fail(), 1000), []);
  });
});
