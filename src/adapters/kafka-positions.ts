import type { Admin } from 'kafkajs';

/** Where a consumer group stands on one partition. */
export interface PartitionPosition {
  readonly topic: string;
  readonly partition: number;
  /** The group's committed offset (the next record it will process); 0 when it has none. */
  readonly committed: number;
  /** The partition's end offset (high watermark). */
  readonly end: number;
  /** When the end offset was requested: what was produced before this instant is below `end`. */
  readonly readAt: Date;
}

/**
 * The group's positions on every partition of `topics`. End offsets are read before committed offsets,
 * so `committed >= end` means everything produced before `readAt` has been processed.
 */
export async function groupPositions(
  admin: Admin,
  group: string,
  topics: readonly string[],
): Promise<PartitionPosition[]> {
  const positions: PartitionPosition[] = [];
  for (const topic of topics) {
    const readAt = new Date();
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const byPartition = new Map(committed?.partitions.map((p) => [p.partition, Number(p.offset)]));
    for (const { partition, high } of ends) {
      const offset = byPartition.get(partition) ?? -1;
      positions.push({ topic, partition, committed: Math.max(0, offset), end: Number(high), readAt });
    }
  }
  return positions;
}

/** A consumer group's total lag per topic it has committed offsets on. */
export interface GroupLag {
  readonly group: string;
  readonly topics: Readonly<Record<string, number>>;
  readonly total: number;
  /** Why this group's lag could not be read (its figures are then empty). */
  readonly error?: string;
}

/**
 * The lag of every consumer group whose id starts with `prefix`, on every topic it has committed offsets
 * on (end offset − committed offset, summed over partitions). End offsets are read once per topic.
 */
export async function consumerLag(admin: Admin, prefix: string): Promise<GroupLag[]> {
  const { groups } = await admin.listGroups();
  const ends = new Map<string, Promise<Map<number, number>>>();
  const endsOf = (topic: string): Promise<Map<number, number>> => {
    let found = ends.get(topic);
    if (!found) {
      found = admin
        .fetchTopicOffsets(topic)
        .then((offsets) => new Map(offsets.map((o) => [o.partition, Number(o.high)])));
      ends.set(topic, found);
    }
    return found;
  };
  const lags: GroupLag[] = [];
  const chosen = groups.filter((g) => g.groupId.startsWith(prefix)).map((g) => g.groupId);
  for (const group of chosen.sort()) {
    try {
      const committed = await admin.fetchOffsets({ groupId: group });
      const topics: Record<string, number> = {};
      for (const { topic, partitions } of committed) {
        const high = await endsOf(topic);
        topics[topic] = partitions.reduce((sum, { partition, offset }) => {
          const end = high.get(partition) ?? 0;
          return sum + Math.max(0, end - Math.max(0, Number(offset)));
        }, 0);
      }
      lags.push({ group, topics, total: Object.values(topics).reduce((a, b) => a + b, 0) });
    } catch (error) {
      // A group deleted or rebalancing meanwhile, or a topic gone: that group's lag is unknown.
      lags.push({ group, topics: {}, total: 0, error: String(error).slice(0, 200) });
    }
  }
  return lags;
}
