import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { isRole, type Principal } from '../domain/principal.ts';
import { TransientError } from '../errors.ts';

export interface JwtOptions {
  /** HS256 shared secret. */
  readonly secret?: string;
  /** Or a JWKS endpoint (RS256/ES256/EdDSA keys, cached and refreshed by jose). */
  readonly jwksUrl?: string;
  readonly issuer?: string;
  readonly audience?: string;
  /** The claim that holds the role (a string, or an array whose highest role counts). */
  readonly roleClaim: string;
}

export type JwtResult = { ok: true; principal: Principal } | { ok: false; reason: string };

function roleOf(payload: JWTPayload, claim: string): Principal['role'] | undefined {
  const value = payload[claim];
  const candidates = Array.isArray(value) ? value : [value];
  const roles = candidates.filter(isRole);
  if (roles.includes('admin')) return 'admin';
  if (roles.includes('steward')) return 'steward';
  return roles.includes('viewer') ? 'viewer' : undefined;
}

/** A verifier of bearer JWTs: signature, expiry, issuer and audience, then the role claim. */
export function jwtVerifier(options: JwtOptions): (token: string) => Promise<JwtResult> {
  const key: Uint8Array | JWTVerifyGetKey | undefined = options.secret
    ? new TextEncoder().encode(options.secret)
    : options.jwksUrl
      ? createRemoteJWKSet(new URL(options.jwksUrl))
      : undefined;
  return async (token) => {
    if (!key) return { ok: false, reason: 'JWT authentication is not configured' };
    try {
      const claims = {
        ...(options.secret && { algorithms: ['HS256'] }),
        ...(options.issuer && { issuer: options.issuer }),
        ...(options.audience && { audience: options.audience }),
      };
      const { payload } =
        typeof key === 'function' ? await jwtVerify(token, key, claims) : await jwtVerify(token, key, claims);
      const role = roleOf(payload, options.roleClaim);
      if (!role) return { ok: false, reason: `the token's ${options.roleClaim} claim names no role` };
      return { ok: true, principal: { id: `jwt:${payload.sub ?? 'unknown'}`, role, via: 'jwt' } };
    } catch (error) {
      if (error instanceof errors.JWKSTimeout)
        throw new TransientError('the JWKS endpoint did not answer', error);
      if (error instanceof errors.JOSEError) return { ok: false, reason: `invalid token (${error.code})` };
      if (error instanceof TypeError) return { ok: false, reason: 'invalid token' };
      throw new TransientError('the JWKS endpoint is unavailable', error);
    }
  };
}
