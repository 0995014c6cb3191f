import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveSettings } from '../../../src/adapters/topics-admin.ts';
import { dlq, topics } from '../../../topics/index.ts';

describe('effectiveSettings', () => {
  it('should cap replication and min.insync.replicas at the broker count so acks=all writes succeed', () => {
    const single = effectiveSettings(dlq, 1);
    assert.equal(single.replicationFactor, 1);
    assert.equal(single.config['min.insync.replicas'], '1');
    const cluster = effectiveSettings(dlq, 5);
    assert.equal(cluster.replicationFactor, 3);
    assert.equal(cluster.config['min.insync.replicas'], '2');
  });
});

describe('topic declarations', () => {
  it('should give the DLQ a max message size above every other topic', () => {
    for (const topic of topics.filter((t) => t !== dlq)) {
      assert.ok(topic.config['max.message.bytes'] <= dlq.config['max.message.bytes'], topic.name);
    }
  });

  it('should have unique names and at least as many partitions as the largest consumer group needs', () => {
    assert.equal(new Set(topics.map((t) => t.name)).size, topics.length);
    for (const topic of topics) assert.ok(topic.partitions >= 1, topic.name);
  });
});
