import { ContractError, type ContractProblem } from '../../src/producer/publish.ts';

export interface Item<T> {
  /** Its position in the request body. */
  readonly index: number;
  readonly event: T;
}

/**
 * Publishes the valid items of an ingest request. A publisher refuses a whole call when an event is too
 * large for the topic once encoded (ContractError naming it by position in the call): those are refused
 * alone, with the problem, and the rest is sent again. Any other failure propagates.
 */
export async function publishValid<T>(
  items: readonly Item<T>[],
  publish: (events: T[]) => Promise<void>,
): Promise<{ sent: Item<T>[]; refused: { item: Item<T>; problem: ContractProblem }[] }> {
  if (!items.length) return { sent: [], refused: [] };
  try {
    await publish(items.map((i) => i.event));
    return { sent: [...items], refused: [] };
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    const refused = error.errors.flatMap((problem) => {
      const item = items[problem.index];
      return item ? [{ item, problem }] : [];
    });
    const out = new Set(refused.map((r) => r.item));
    const sent = items.filter((i) => !out.has(i));
    if (sent.length) await publish(sent.map((i) => i.event));
    return { sent, refused };
  }
}
