import { randomUUID } from 'node:crypto';
import { sleep } from '@chippy/runtime';
import { scaledDelay, type Cabinet, type CookRequest, type Portions } from '@chippy/shop';
import { levelsFor, planBatch, type StockLevels, type StockPolicy } from './stock-policy.js';
import { createDemand } from './demand.js';

/** A cook request the consumer hands to the kitchen, with the portions its order will take. */
export interface Ticket {
  request: CookRequest;
  need: Portions;
}

/** One turn at the fryer, as it is served: the batch, and the requests it answers. */
export interface Fried {
  batchId: string;
  started: number;
  finished: number;
  /** What went into the cabinet (all zeros: the requests were answered without frying). */
  batch: Portions;
  answered: CookRequest[];
  /** Per answered request: false when its plaice was in the cabinet already (a redelivered request). */
  fresh: boolean[];
}

export interface KitchenDeps {
  cabinet: Pick<Cabinet, 'add' | 'totals'>;
  policy: StockPolicy;
  timeScale: number;
  /** Puts the batch's answers and its record on Kafka; resolves once Kafka has acknowledged them. */
  serve(fried: Fried): Promise<void>;
  /** Each look at the cabinet: the levels seen, the levels aimed for, and the requests waiting. */
  onLook?(
    levels: Portions,
    stock: StockLevels,
    demand: { cod: number; chips: number },
    waiting: number,
  ): void;
  /** A turn that failed (Redis or Kafka trouble): its requests are rejected, the next look tries again. */
  onError(error: unknown): void;
  now?: () => number;
  random?: () => number;
}

export interface Kitchen {
  /** Resolves once every ticket is answered (its Cooked acknowledged by Kafka); rejects if its turn failed. */
  submit(tickets: readonly Ticket[]): Promise<void>;
  /** Finishes the batch in the fryer, then stops; tickets not yet at the fryer are rejected. */
  close(): Promise<void>;
}

/** Thrown to the tickets still waiting when the kitchen closes, so their offsets are not committed. */
export class KitchenClosed extends Error {
  constructor() {
    super('the kitchen closed before this request was cooked');
  }
}

const DEMAND_WINDOW_MS = 30_000;
const MAX_BACKOFF_MS = 10_000;

interface Queued extends Ticket {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The cook at the fryer: one loop, one batch at a time. Each turn looks at the cabinet and at every request
 * waiting, and fries one batch for all of them (plaice to order, cod and chips up to the levels the
 * observed demand calls for) — or none, when the cabinet already covers them. Between turns it looks
 * again every `policy.lookSeconds`, or as soon as a request arrives.
 */
export function openKitchen(deps: KitchenDeps): Kitchen {
  const { policy, now = Date.now } = deps;
  const queue: Queued[] = [];
  const demand = createDemand(DEMAND_WINDOW_MS);
  const closing = new AbortController();
  let wake = new AbortController();

  async function turn(): Promise<boolean> {
    const { levels, taken } = await deps.cabinet.totals();
    demand.observe(now(), taken);
    const rate = demand.rate();
    const stock = levelsFor(policy, rate);
    deps.onLook?.(levels, stock, rate, queue.length);
    // Plaice is fried for what the order's items take, never for what a request says it lacks: a request
    // may ask for less (some plaice is in the cabinet already), never more (docs/security.md).
    const waiting = queue.map(({ request, need }) => ({
      need,
      plaice: Math.min(need.plaice, Math.max(0, request.short.plaice ?? 0)),
    }));
    const plan = planBatch(levels, waiting, stock, policy.capacity);
    const frying = Object.values(plan.batch).some((n) => n > 0);
    if (!frying && plan.answers === 0) return false;

    const tickets = queue.splice(0, plan.answers);
    try {
      const started = now();
      let fresh = tickets.map(() => false);
      if (frying) {
        // A batch in the fryer is finished even during shutdown: at most one batch's cooking time.
        await sleep(scaledDelay(3.0, 3.2, deps.timeScale, deps.random));
        fresh = await deps.cabinet.add(
          plan.batch,
          tickets.map(({ request }, i) => ({
            orderId: request.order.order_id,
            attempt: request.attempt,
            plaice: waiting[i]!.plaice,
          })),
        );
      }
      await deps.serve({
        batchId: randomUUID(),
        started,
        finished: now(),
        batch: plan.batch,
        answered: tickets.map((t) => t.request),
        fresh,
      });
      for (const ticket of tickets) ticket.resolve();
    } catch (error) {
      for (const ticket of tickets) ticket.reject(error);
      throw error;
    }
    return true;
  }

  const running = (async () => {
    let failures = 0;
    while (!closing.signal.aborted) {
      let busy = false;
      try {
        busy = await turn();
        failures = 0;
      } catch (error) {
        failures++;
        deps.onError(error);
      }
      if (busy || closing.signal.aborted) continue;
      // Redis or Kafka away: look again less and less often (one log line each time), not every look.
      const waitMs = Math.min(
        policy.lookSeconds * 1000 * 2 ** failures,
        Math.max(policy.lookSeconds * 1000, MAX_BACKOFF_MS),
      );
      await sleep(waitMs, AbortSignal.any([wake.signal, closing.signal]));
      if (wake.signal.aborted) wake = new AbortController();
    }
    for (const ticket of queue.splice(0)) ticket.reject(new KitchenClosed());
  })();

  return {
    submit(tickets) {
      if (closing.signal.aborted) return Promise.reject(new KitchenClosed());
      const answered = tickets.map(
        (ticket) => new Promise<void>((resolve, reject) => queue.push({ ...ticket, resolve, reject })),
      );
      wake.abort();
      return Promise.all(answered).then(() => undefined);
    },
    close() {
      closing.abort();
      return running;
    },
  };
}
