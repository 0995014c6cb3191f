import { day, type TopicConfig } from '../src/domain/topic.ts';

/**
 * The two kinds of topic Steward declares. State topics are compacted: the latest value per URN is
 * kept forever, a tombstone is kept a day so every reader sees the delete. Event logs expire.
 * min.insync.replicas 2 with replication 3 survives one broker down without losing acknowledged writes.
 */
export function compactedState(maxMessageBytes: number): TopicConfig {
  return {
    'cleanup.policy': 'compact',
    'retention.ms': -1,
    'max.message.bytes': maxMessageBytes,
    'min.compaction.lag.ms': 60_000,
    'delete.retention.ms': day,
    'min.insync.replicas': 2,
  };
}

export function eventLog(retentionMs: number, maxMessageBytes: number): TopicConfig {
  return {
    'cleanup.policy': 'delete',
    'retention.ms': retentionMs,
    'max.message.bytes': maxMessageBytes,
    'min.insync.replicas': 2,
  };
}
