/** Field helpers for the Avro schemas in topics/schemas. */

/** An optional field: `["null", T]` with a null default, so a schema can evolve BACKWARD. */
export const optional = (name: string, type: unknown, doc?: string) => ({
  name,
  type: ['null', type],
  default: null,
  ...(doc === undefined ? {} : { doc }),
});

/** A list of strings (owners, tags, reasons). */
export const labels = { type: 'array', items: 'string' };
