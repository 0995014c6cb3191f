import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { isRetriable } from '../src/errors.ts';

/**
 * The API's error answers: `{ error: { code, message, field? } }` with a stable code. Client mistakes are
 * 4xx and name the field; a dependency outage is 503; anything else is a bug and stays 500, logged with
 * its stack (the client sees only the request id to quote).
 */
export const apiErrorCodes = {
  STW_BAD_REQUEST: 'the request does not match the route schema (the field is named)',
  STW_BAD_CURSOR: 'the cursor is not one this API issued for the same sort',
  STW_UNAUTHENTICATED: 'no valid credentials: send an API key or a bearer JWT',
  STW_FORBIDDEN: "the caller's role is below the one the route needs",
  STW_NOT_FOUND: 'no such route or resource',
  STW_CONFLICT: 'the resource exists already (create) or changed meanwhile',
  STW_RATE_LIMITED: 'too many requests from this principal in the window; retry after Retry-After seconds',
  STW_PAYLOAD_TOO_LARGE: 'the request body is larger than the route accepts',
  STW_UNSUPPORTED_MEDIA_TYPE: 'the request body is not in a content type the route accepts',
  STW_DEPENDENCY_UNAVAILABLE: 'a dependency the route needs is unavailable; retry later',
  STW_INTERNAL: 'a bug: quote the request id when reporting it',
} as const;

export type ApiErrorCode = keyof typeof apiErrorCodes;

export interface ErrorBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string; readonly field?: string };
  readonly requestId?: string;
}

/** A client mistake found by a handler (beyond what the schema catches). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly statusCode: number;
  readonly code: ApiErrorCode;
  readonly field: string | undefined;

  constructor(statusCode: number, code: ApiErrorCode, message: string, field?: string) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
    this.field = field;
  }
}

interface AjvIssue {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

/** `querystring.size`, `body[3].asset.urn`: where the first schema violation is. */
function fieldOf(context: string | undefined, issue: AjvIssue | undefined): string | undefined {
  if (!issue) return context;
  const path = issue.instancePath
    .split('/')
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('');
  const missing = typeof issue.params.missingProperty === 'string' ? `.${issue.params.missingProperty}` : '';
  const extra =
    typeof issue.params.additionalProperty === 'string' ? `.${issue.params.additionalProperty}` : '';
  return `${context ?? 'request'}${path}${missing}${extra}`;
}

const statusCodes: Partial<Record<number, ApiErrorCode>> = {
  404: 'STW_NOT_FOUND',
  413: 'STW_PAYLOAD_TOO_LARGE',
  415: 'STW_UNSUPPORTED_MEDIA_TYPE',
};

export function classify(error: FastifyError | Error): { status: number; body: ErrorBody['error'] } {
  if (error instanceof ApiError)
    return {
      status: error.statusCode,
      body: { code: error.code, message: error.message, ...(error.field && { field: error.field }) },
    };
  const fastifyError = error as FastifyError & { validation?: AjvIssue[] };
  if (fastifyError.validation) {
    const field = fieldOf(fastifyError.validationContext, fastifyError.validation[0]);
    return {
      status: 400,
      body: { code: 'STW_BAD_REQUEST', message: fastifyError.message, ...(field && { field }) },
    };
  }
  // Adapters wrap outages in TransientError; a raw driver error that looks like one (a refused or reset
  // connection, a timeout, PostgreSQL shutting down) is an outage too, not a bug.
  if (isRetriable(error))
    return { status: 503, body: { code: 'STW_DEPENDENCY_UNAVAILABLE', message: error.message } };
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500)
    return { status, body: { code: statusCodes[status] ?? 'STW_BAD_REQUEST', message: error.message } };
  return { status: 500, body: { code: 'STW_INTERNAL', message: apiErrorCodes.STW_INTERNAL } };
}

/** The error and not-found handlers for the whole app (a plugin without encapsulation). */
export const errorHandling = fp(
  (app: FastifyInstance, _options: object, done: (error?: Error) => void) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const { status, body } = classify(error);
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ code: body.code, field: body.field }, 'request refused');
      if (status === 503) void reply.header('retry-after', '5');
      return reply.status(status).send({ error: body, requestId: request.id } satisfies ErrorBody);
    });
    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({
        error: { code: 'STW_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` },
        requestId: request.id,
      } satisfies ErrorBody),
    );
    done();
  },
  { name: 'steward-errors' },
);
