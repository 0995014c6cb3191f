import { ChangeEventSchema } from '../domain/change-event.ts';
import { avroSchemaOf } from './avro.ts';

/** Namespace of Steward's Avro types; the `v1` follows the topics' own version suffix. */
export const AVRO_NAMESPACE = 'steward.v1';

/**
 * The Avro value schema of the changes topic (topics/changes.ts), generated from the TypeBox contract.
 * `npm run generate` writes the committed copy, topics/schemas/<its value subject>.avsc.
 */
export const changeEventAvroSchema = avroSchemaOf(ChangeEventSchema, AVRO_NAMESPACE);
