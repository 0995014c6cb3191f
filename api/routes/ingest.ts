import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { validateChangeEvent, type ChangeEvent } from '../../src/domain/change-event.ts';
import type { ApiDeps } from '../deps.ts';
import { errorResponses } from '../schemas/common.ts';
import { publishValid } from './publish-valid.ts';

/** At most this many events per request, and this many bytes of body. */
export const INGEST_MAX_EVENTS = 500;
export const INGEST_BODY_LIMIT = 8 * 1024 * 1024;

const Problem = Type.Object({ path: Type.String(), message: Type.String() });

/**
 * POST /events: HTTP ingest for producers without a Kafka client. Each event of the batch is validated on
 * its own against the contract (schemas/change-event.schema.json); the valid ones are produced to
 * steward.changes.v1 as the producer module does (Avro via the registry, keyed by URN, idempotent, acks
 * all), the others are answered with their errors. Sending the same batch again is safe: consumers
 * deduplicate on the event id.
 */
export const ingestRoutes: FastifyPluginCallbackTypebox<{ deps: ApiDeps }> = (app, { deps }, done) => {
  app.post(
    '/events',
    {
      config: { role: 'steward' },
      bodyLimit: INGEST_BODY_LIMIT,
      schema: {
        summary: 'Publish a batch of change events (the JSON form of the contract)',
        tags: ['ingest'],
        body: Type.Array(Type.Unknown(), {
          minItems: 1,
          maxItems: INGEST_MAX_EVENTS,
          description: 'change events, each as in schemas/change-event.schema.json',
        }),
        response: {
          202: Type.Object({
            accepted: Type.Array(Type.Object({ index: Type.Integer(), id: Type.String() }), {
              description: 'published to steward.changes.v1',
            }),
            errors: Type.Array(
              Type.Object({
                index: Type.Integer(),
                id: Type.Union([Type.String(), Type.Null()]),
                errors: Type.Array(Problem),
              }),
              { description: 'refused, nothing of them sent' },
            ),
          }),
          ...errorResponses(400, 401, 403, 413, 415, 503),
        },
      },
    },
    async (request, reply) => {
      const valid: { index: number; event: ChangeEvent }[] = [];
      const errors: { index: number; id: string | null; errors: { path: string; message: string }[] }[] = [];
      for (const [index, value] of request.body.entries()) {
        const checked = validateChangeEvent(value);
        if (checked.ok) valid.push({ index, event: checked.event });
        else {
          const id = (value as { id?: unknown } | null)?.id;
          errors.push({
            index,
            id: typeof id === 'string' ? id.slice(0, 64) : null,
            errors: checked.errors.map(({ path, message }) => ({ path, message })),
          });
        }
      }
      const { sent, refused } = await publishValid(valid, (events) => deps.ingest.publish(events));
      for (const { item, problem } of refused)
        errors.push({
          index: item.index,
          id: item.event.id,
          errors: [{ path: problem.path, message: problem.message }],
        });
      errors.sort((a, b) => a.index - b.index);
      request.log.info({ accepted: sent.length, refused: errors.length }, 'ingested change events');
      return reply
        .code(202)
        .send({ accepted: sent.map(({ index, event }) => ({ index, id: event.id })), errors });
    },
  );
  done();
};
