import { SIGNATURE_HEADER, TRANSITION_HEADER, sign } from './signature.ts';

export interface DeliveryOptions {
  readonly maxAttempts: number;
  /** First back-off; doubled per attempt, with jitter, capped at 30 s. */
  readonly backoffMs: number;
  readonly timeoutMs: number;
  /** Called between attempts (keeps the consumer in its group while it waits). */
  readonly heartbeat?: () => Promise<void>;
}

export type DeliveryOutcome =
  | { readonly ok: true; readonly attempts: number; readonly status: number }
  | { readonly ok: false; readonly attempts: number; readonly status: number | null; readonly error: string };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** 2xx is delivered; 4xx other than 408 and 429 will not get better by retrying. */
const permanent = (status: number): boolean =>
  status >= 400 && status < 500 && status !== 408 && status !== 429;

/**
 * POSTs one signed alert to one endpoint, retrying failures with exponential back-off and jitter. Each
 * attempt is signed afresh (its timestamp is the attempt's). The transition id header lets the receiver
 * dedupe: the notifier may post an id twice after a crash between delivering and recording it.
 */
export async function deliver(
  url: string,
  body: string,
  transitionId: string,
  secret: string,
  options: DeliveryOptions,
): Promise<DeliveryOutcome> {
  let last: { status: number | null; error: string } = { status: null, error: 'not attempted' };
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'steward-notifier',
          [TRANSITION_HEADER]: transitionId,
          [SIGNATURE_HEADER]: sign(secret, body, Math.floor(Date.now() / 1000)),
        },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      await response.body?.cancel();
      if (response.ok) return { ok: true, attempts: attempt, status: response.status };
      last = { status: response.status, error: `HTTP ${response.status}` };
      if (permanent(response.status)) return { ok: false, attempts: attempt, ...last };
    } catch (error) {
      last = {
        status: null,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      };
    }
    if (attempt < options.maxAttempts) {
      const base = Math.min(30_000, options.backoffMs * 2 ** (attempt - 1));
      await sleep(base / 2 + Math.random() * (base / 2));
      await options.heartbeat?.();
    }
  }
  return { ok: false, attempts: options.maxAttempts, ...last };
}
