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
