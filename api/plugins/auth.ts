import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { allows, type Principal, type Role } from '../../src/domain/principal.ts';
import { ApiError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; set by the auth plugin before any route handler runs. */
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** The least role a route needs; routes without one need none (health, readiness, metrics). */
    role?: Role;
  }
}

export type CredentialCheck =
  { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly reason: string };

export interface AuthOptions {
  /** `open`: every caller is an anonymous admin (local use only; config refuses it off loopback). */
  readonly mode: 'open' | 'required';
  /** An API key (`stw_…`), from `Authorization: Bearer` or `X-API-Key`. */
  readonly apiKey: (key: string) => Promise<Principal | undefined>;
  /** A bearer JWT. */
  readonly jwt: (token: string) => Promise<CredentialCheck>;
}

const anonymous: Principal = { id: 'anonymous', role: 'admin', via: 'open' };

function credential(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const authorization = request.headers.authorization;
  const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
  return match?.[1];
}

/**
 * Authentication for every route that names a role in its config, then the role check: 401 (with
 * WWW-Authenticate) without valid credentials, 403 when the role is too low. Credentials are never logged.
 */
export const auth = fp(
  (app: FastifyInstance, options: AuthOptions, done: (error?: Error) => void) => {
    app.decorateRequest('principal', null as unknown as Principal);
    // onRequest, before the body is read or the input validated: a caller without credentials learns
    // nothing about a route's parameters and costs no parsing.
    app.addHook('onRequest', async (request, reply) => {
      const needed = request.routeOptions.config.role;
      if (!needed) return;
      if (options.mode === 'open') {
        request.principal = anonymous;
        return;
      }
      const presented = credential(request);
      const unauthorized = (message: string): never => {
        void reply.header('www-authenticate', 'Bearer realm="steward"');
        throw new ApiError(401, 'STW_UNAUTHENTICATED', message, 'headers.authorization');
      };
      if (!presented) return unauthorized('credentials required: an API key or a bearer JWT');
      let principal: Principal | undefined;
      if (presented.startsWith('stw_')) {
        principal = await options.apiKey(presented);
        if (!principal) return unauthorized('unknown or revoked API key');
      } else {
        const checked = await options.jwt(presented);
        if (!checked.ok) return unauthorized(checked.reason);
        principal = checked.principal;
      }
      request.principal = principal;
      request.log = request.log.child({ principal: principal.id });
      if (!allows(principal.role, needed))
        throw new ApiError(
          403,
          'STW_FORBIDDEN',
          `this route needs the ${needed} role; yours is ${principal.role}`,
        );
    });
    done();
  },
  { name: 'steward-auth' },
);
