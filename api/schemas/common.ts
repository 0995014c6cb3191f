import { Type, type TSchema } from 'typebox';

type Mutable<T> = T extends readonly (infer U)[]
  ? Mutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Mutable<T[K]> }
    : T;

/**
 * The domain's types are deeply readonly; TypeBox's static response types are mutable. The serializer only
 * reads, so this is a type-level view, still checked structurally against the route's response schema.
 */
export const asJson = <T>(value: T): Mutable<T> => value as Mutable<T>;

/** Schemas every route group shares: the error body and the freshness block. */

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable error code (STW_*)' }),
      message: Type.String(),
      field: Type.Optional(Type.String({ description: 'the offending field, e.g. querystring.size' })),
    }),
    requestId: Type.Optional(Type.String()),
  },
  { $id: 'ErrorBody' },
);

/** The usual error answers of a route, to spread into its `response` schema. */
export const errorResponses = (...statuses: number[]): Record<number, TSchema> =>
  Object.fromEntries(statuses.map((status) => [status, ErrorBody]));

export const Freshness = Type.Union(
  [
    Type.Object({
      watermark: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
        description: 'everything the pipeline received before this instant is reflected (null: unknown)',
      }),
      caughtUp: Type.Boolean({ description: 'every partition had lag 0 at its last check' }),
      lag: Type.Integer({ description: 'records not yet processed, over all partitions' }),
      behindSeconds: Type.Union([Type.Number(), Type.Null()]),
      stalePartitions: Type.Integer({ description: 'partitions whose consumer group is not running' }),
    }),
    Type.Null(),
  ],
  { description: 'how current the index is; null when it could not be read' },
);
