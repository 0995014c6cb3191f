/**
 * Every failure Steward reports has a stable code and a retry verdict (docs/errors.md has a resolution
 * per code). The runtime routes on the verdict: retriable → back off and retry, pausing the partition;
 * otherwise → the dead-letter topic, and the consumer moves on. A poison message never loops.
 */
export const errorCodes = {
  STW_CONFIG_INVALID: 'configuration variables are invalid',
  STW_DECODE_FAILED: 'the record bytes could not be decoded (not Confluent wire format, or not the schema)',
  STW_SCHEMA_UNKNOWN: 'the record names a schema id the registry does not know',
  STW_CONTRACT_INVALID: 'the decoded value violates the event contract',
  STW_HANDLER_FAILED: "the processor's handle threw for this input",
  STW_KEY_MISMATCH: "the record key is not the event's asset URN",
  STW_DOCUMENT_REJECTED: 'Elasticsearch refused the document built from this input for its content',
  STW_DEPENDENCY_UNAVAILABLE:
    'a dependency (Kafka, registry, PostgreSQL, Elasticsearch, Redis) is unavailable',
  STW_VERSION_CONFLICT: 'the state changed under us (another instance wrote it); the batch is retried',
  STW_DELIVERY_FAILED: 'a webhook endpoint refused or did not answer an alert through every attempt',
  STW_TOPIC_INVALID: 'a topic cannot be converged to its declaration',
  STW_REGISTRY_INVALID: 'the processor registry is inconsistent',
  STW_INTERNAL: 'a bug: an unexpected error in Steward itself',
} as const;

export type ErrorCode = keyof typeof errorCodes;

const brand = Symbol.for('steward.error');

export class StewardError extends Error {
  readonly [brand] = true;
  override readonly name: string = 'StewardError';
  readonly code: ErrorCode;
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** Works across copies of this module (e.g. src/ and dist/ loaded in one process). */
export function isStewardError(value: unknown): value is StewardError {
  return typeof value === 'object' && value !== null && brand in value;
}

/** Bad input: dead-letter it now. */
export class InputError extends StewardError {
  override readonly name = 'InputError';
  constructor(
    code: 'STW_DECODE_FAILED' | 'STW_SCHEMA_UNKNOWN' | 'STW_CONTRACT_INVALID' | 'STW_KEY_MISMATCH',
    message: string,
    cause?: unknown,
  ) {
    super(code, message, { retriable: false, cause });
  }
}

/** A dependency is down or slow: back off and retry. */
export class TransientError extends StewardError {
  override readonly name = 'TransientError';
  constructor(
    message: string,
    cause?: unknown,
    code: 'STW_DEPENDENCY_UNAVAILABLE' | 'STW_VERSION_CONFLICT' = 'STW_DEPENDENCY_UNAVAILABLE',
  ) {
    super(code, message, { retriable: true, cause });
  }
}

/** Cannot continue: stop the process with the message. */
export class FatalError extends StewardError {
  override readonly name = 'FatalError';
  constructor(
    code: 'STW_TOPIC_INVALID' | 'STW_REGISTRY_INVALID' | 'STW_CONFIG_INVALID' | 'STW_INTERNAL',
    message: string,
    cause?: unknown,
  ) {
    super(code, message, { retriable: false, cause });
  }
}

const transientNetworkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  // PostgreSQL: connection exceptions (08xxx), serialization failure, deadlock, too many connections, shutdown.
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  '40001',
  '40P01',
  '53300',
  '57P01',
  '57P03',
]);

/**
 * The retry verdict for any error thrown while applying effects. Unknown errors from drivers are treated
 * as transient when they look like network or availability failures; a TypeError (a bug) never is.
 */
export function isRetriable(error: unknown): boolean {
  if (isStewardError(error)) return error.retriable;
  if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError) return false;
  if (typeof error !== 'object' || error === null) return false;
  const { code, name, retriable, statusCode, meta } = error as {
    code?: unknown;
    name?: unknown;
    retriable?: unknown;
    statusCode?: unknown;
    meta?: { statusCode?: unknown };
  };
  if (typeof code === 'string' && transientNetworkCodes.has(code)) return true;
  if (retriable === true) return true; // kafkajs marks its own transient errors
  if (name === 'ConnectionError' || name === 'TimeoutError' || name === 'NoLivingConnectionsError')
    return true;
  const status = typeof statusCode === 'number' ? statusCode : meta?.statusCode;
  if (status === 429 || status === 502 || status === 503 || status === 504) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isRetriable(cause);
}

export function errorCodeOf(error: unknown): ErrorCode {
  if (isStewardError(error)) return error.code;
  return isRetriable(error) ? 'STW_DEPENDENCY_UNAVAILABLE' : 'STW_INTERNAL';
}
