import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PolicySchema } from '../../src/domain/policy.ts';
import type { PolicyWrite } from '../../src/adapters/postgres/api-mutations.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { asJson, errorResponses } from '../schemas/common.ts';

const PolicyId = Type.String({ pattern: '^[a-z][a-z0-9-]{2,62}$' });

const StoredPolicy = Type.Object({
  policy: PolicySchema,
  builtin: Type.Boolean(),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

/** A policy as written by a client: its version is assigned by Steward (one above the current). */
const PolicyBody = Type.Object(
  {
    ...PolicySchema.properties,
    version: Type.Optional(Type.Integer({ minimum: 1, description: 'ignored' })),
  },
  { additionalProperties: false, title: 'PolicyInput' },
);

const Written = Type.Object({
  policy: PolicySchema,
  changed: Type.Boolean({ description: 'false: the same as the current version, nothing stored' }),
});

function answer(result: PolicyWrite): { policy: PolicyWrite & { ok: true } } {
  if (result.ok) return { policy: result };
  const [first] = result.errors;
  const field = first ? `body${first.path === '/' ? '' : first.path.replaceAll('/', '.')}` : 'body';
  const message = result.errors.map((e) => `${e.path} ${e.message}`).join('; ');
  if (result.status === 409) throw new ApiError(409, 'STW_CONFLICT', message, field);
  if (result.status === 404) throw new ApiError(404, 'STW_NOT_FOUND', message, field);
  throw new ApiError(400, 'STW_BAD_REQUEST', `not a valid policy: ${message}`, field);
}

/**
 * Compliance policies (admin): versioned in PostgreSQL — a change stores the next version, keeps every
 * earlier one, is audited, and asks compliance to re-evaluate every live asset.
 */
export const policyRoutes: FastifyPluginCallbackTypebox<{ deps: ApiDeps }> = (app, { deps }, done) => {
  const admin = { role: 'admin' as const };

  app.get(
    '/policies',
    {
      config: admin,
      schema: {
        summary: 'The current version of every policy',
        tags: ['policies'],
        response: {
          200: Type.Object({ policies: Type.Array(StoredPolicy) }),
          ...errorResponses(401, 403, 503),
        },
      },
    },
    async () => asJson({ policies: await deps.governance.policies() }),
  );

  app.get(
    '/policies/:id',
    {
      config: admin,
      schema: {
        summary: 'One policy with every version, newest first',
        tags: ['policies'],
        params: Type.Object({ id: PolicyId }),
        response: {
          200: Type.Object({ current: StoredPolicy, versions: Type.Array(StoredPolicy) }),
          ...errorResponses(400, 401, 403, 404, 503),
        },
      },
    },
    async (request) => {
      const versions = await deps.governance.policyVersions(request.params.id);
      const [current] = versions;
      if (!current) throw new ApiError(404, 'STW_NOT_FOUND', 'no such policy', 'params.id');
      return asJson({ current, versions });
    },
  );

  app.post(
    '/policies',
    {
      config: admin,
      schema: {
        summary: 'Create a policy (version 1); compliance re-evaluates every asset',
        tags: ['policies'],
        body: PolicyBody,
        response: { 201: Written, ...errorResponses(400, 401, 403, 409, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const { policy } = answer(await deps.mutations.putPolicy(request.principal.id, request.body, 'create'));
      return reply.code(201).send(asJson({ policy: policy.policy, changed: policy.changed }));
    },
  );

  app.put(
    '/policies/:id',
    {
      config: admin,
      schema: {
        summary: 'Store the next version of a policy; compliance re-evaluates every asset when it changed',
        tags: ['policies'],
        params: Type.Object({ id: PolicyId }),
        body: PolicyBody,
        response: { 200: Written, ...errorResponses(400, 401, 403, 404, 413, 415, 503) },
      },
    },
    async (request) => {
      if (request.body.id !== request.params.id)
        throw new ApiError(400, 'STW_BAD_REQUEST', 'body.id must be the id in the path', 'body.id');
      const { policy } = answer(await deps.mutations.putPolicy(request.principal.id, request.body, 'update'));
      return asJson({ policy: policy.policy, changed: policy.changed });
    },
  );

  app.delete(
    '/policies/:id',
    {
      config: admin,
      schema: {
        summary: 'Disable a policy: a next version with enabled false (its history and violations are kept)',
        tags: ['policies'],
        params: Type.Object({ id: PolicyId }),
        response: { 200: Written, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const result = await deps.mutations.disablePolicy(request.principal.id, request.params.id);
      if (!result) throw new ApiError(404, 'STW_NOT_FOUND', 'no such policy', 'params.id');
      const { policy } = answer(result);
      return asJson({ policy: policy.policy, changed: policy.changed });
    },
  );
  done();
};
