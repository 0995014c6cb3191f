import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { Config } from '../config.ts';
import { valueSubject, type TopicDeclaration } from '../domain/topic.ts';
import { InputError, TransientError, isRetriable } from '../errors.ts';

export function createRegistry(config: Config['schemaRegistry']): SchemaRegistry {
  // JSON Schema topics are validated on encode and decode by ajv, with the standard formats.
  const ajv = new Ajv({ strict: false, allErrors: false });
  addFormats.default(ajv);
  return new SchemaRegistry(
    {
      host: config.url,
      ...(config.auth && { auth: { username: config.auth.username, password: config.auth.password } }),
    },
    { [SchemaType.JSON]: { ajvInstance: ajv } },
  );
}

/** The registry's schema type and text of a topic's value, or undefined when it has none. */
export function registeredForm(
  topic: TopicDeclaration,
): { type: 'AVRO' | 'JSON'; schema: string } | undefined {
  if (topic.value.format === 'avro') return { type: 'AVRO', schema: JSON.stringify(topic.value.schema) };
  if (topic.value.format === 'json') return { type: 'JSON', schema: JSON.stringify(topic.value.schema) };
  return undefined;
}

/** Registers the topic's value schema under `<topic>-value` (idempotent: same schema, same id). */
export async function registerValueSchema(
  registry: SchemaRegistry,
  topic: TopicDeclaration,
): Promise<number | undefined> {
  const form = registeredForm(topic);
  if (!form) return undefined;
  const { id } = await registry.register(
    { type: form.type === 'AVRO' ? SchemaType.AVRO : SchemaType.JSON, schema: form.schema },
    { subject: valueSubject(topic) },
  );
  return id;
}

/** The status code of a registry HTTP error, if it is one. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Encodes and decodes topic values in the Confluent wire format (magic byte, schema id, Avro body).
 * Each topic's schema id is resolved once, by registering its declared schema (a no-op when present).
 */
export class TopicCodec {
  readonly #registry: SchemaRegistry;
  readonly #ids = new Map<string, Promise<number>>();

  constructor(registry: SchemaRegistry) {
    this.#registry = registry;
  }

  async #idFor(topic: TopicDeclaration): Promise<number> {
    let id = this.#ids.get(topic.name);
    if (!id) {
      id = registerValueSchema(this.#registry, topic).then((found) => {
        if (found === undefined) throw new Error(`${topic.name} has no value schema`);
        return found;
      });
      id.catch(() => this.#ids.delete(topic.name));
      this.#ids.set(topic.name, id);
    }
    return id;
  }

  async encode(topic: TopicDeclaration, value: unknown): Promise<Buffer | null> {
    if (value === null) return null;
    if (topic.value.format === 'raw') {
      if (!Buffer.isBuffer(value)) throw new TypeError(`${topic.name} carries raw bytes: pass a Buffer`);
      return value;
    }
    if (topic.value.format === 'pending') throw new Error(`${topic.name}: value schema is not defined yet`);
    return this.#registry.encode(await this.#idFor(topic), value);
  }

  /**
   * Bytes that are not Confluent wire format, name an unknown schema id (404) or do not decode with their
   * schema are permanent input errors; a registry that does not answer, or answers anything but the
   * schema or 404, is transient (the record is fine, retry later).
   */
  async decode(bytes: Buffer): Promise<unknown> {
    if (bytes.length < 5 || bytes[0] !== 0) {
      throw new InputError(
        'STW_DECODE_FAILED',
        'not in Confluent wire format (magic byte 0 and a schema id)',
      );
    }
    try {
      return await this.#registry.decode(bytes);
    } catch (error) {
      const status = statusOf(error);
      if (status === 404)
        throw new InputError(
          'STW_SCHEMA_UNKNOWN',
          `schema id ${bytes.readInt32BE(1)} is not registered`,
          error,
        );
      // Any other status is about the registry or the request, never the bytes: the registry's HTTP client
      // (mappersmith) reports its own failures — a timeout, a refused or reset connection — as a status 400
      // response. Dead-lettering on those would throw away valid records whenever the registry is slow.
      if (status !== undefined)
        throw new TransientError(`schema registry did not answer the lookup (status ${status})`, error);
      if (isRetriable(error)) throw new TransientError('schema registry unavailable', error);
      throw new InputError(
        'STW_DECODE_FAILED',
        `cannot decode with schema ${bytes.readInt32BE(1)}: ${(error as Error).message}`,
        error,
      );
    }
  }
}
