import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Polls probe until it resolves true or the timeout passes; the last error explains a failure. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; isAlive?: () => boolean },
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const deadline = Date.now() + options.timeoutMs;
  let reason = 'timed out';
  while (Date.now() < deadline) {
    if (options.isAlive && !options.isAlive()) return { ok: false, reason: 'the process exited' };
    try {
      if (await probe()) return { ok: true };
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    await sleep(options.intervalMs ?? 500);
  }
  return { ok: false, reason: `timed out after ${options.timeoutMs} ms (last: ${reason})` };
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function httpOk(url: string, timeoutMs = 2000): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await response.arrayBuffer();
  return response.ok;
}
