/**
 * A topic, declared once as data in topics/. The provisioner, the runtime, the producers and the API
 * import these declarations, so no topic name is ever a string literal elsewhere.
 */
export interface TopicDeclaration {
  readonly name: string;
  readonly description: string;
  /** Bounds consumer parallelism: instances beyond this count sit idle. Never decreased. */
  readonly partitions: number;
  /** Wanted replication; a smaller cluster (the single local broker) gets as many as it has brokers. */
  readonly replicationFactor: number;
  /** Every setting Steward cares about, so `topics apply` converges a topic to its declaration. */
  readonly config: TopicConfig;
  /** Keys are UTF-8 strings: an asset URN for every asset-scoped topic. */
  readonly key: 'urn' | 'job' | 'original';
  readonly value: TopicValue;
  /** Which parts of Steward write and read it: documentation, and checked by the registry at boot. */
  readonly writers: readonly string[];
  readonly readers: readonly string[];
}

export interface TopicConfig {
  readonly 'cleanup.policy': 'delete' | 'compact' | 'compact,delete';
  /** -1 keeps records forever (compacted topics). */
  readonly 'retention.ms': number;
  readonly 'max.message.bytes': number;
  readonly 'min.insync.replicas'?: number;
  readonly 'min.compaction.lag.ms'?: number;
  readonly 'delete.retention.ms'?: number;
  readonly 'compression.type'?: 'producer' | 'zstd' | 'lz4' | 'snappy' | 'gzip';
}

/**
 * How values are encoded. `avro`: Confluent wire format with the schema registered under
 * `<topic>-value` (TopicNameStrategy). `json`: JSON, its JSON Schema registered the same way; records
 * arrive in Confluent's JSON wire format or as plain JSON text (what OpenLineage's Kafka transport sends). `raw`: bytes carried as they are (the retry path re-delivers
 * original records). `pending`: the topic exists; its schema lands with the processor that writes it.
 */
export type TopicValue =
  | { readonly format: 'avro'; readonly schema: AvroSchema }
  | { readonly format: 'json'; readonly schema: JsonSchemaDocument }
  | { readonly format: 'raw' }
  | { readonly format: 'pending'; readonly definedBy: string };

/** An Avro schema as plain JSON. */
export type AvroSchema = Readonly<Record<string, unknown>>;

/** A JSON Schema document as plain JSON. */
export type JsonSchemaDocument = Readonly<Record<string, unknown>>;

/** TopicNameStrategy: the subject of a topic's value schema. */
export function valueSubject(topic: TopicDeclaration): string {
  return `${topic.name}-value`;
}

export const hour = 3_600_000;
export const day = 24 * hour;
export const mebibyte = 1024 * 1024;
