import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatFindings, pendingMigrations, topicFinding } from '../../../src/doctor/doctor.ts';
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
