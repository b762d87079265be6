import {
  DecodeError,
  portionsFor,
  type ConsumedMessage,
  type Cooked,
  type CookRequest,
  type Portions,
} from '@chippy/messaging';
import { nonZero, requestBatch, type Stock } from './batch.js';
import { fry, type Kitchen } from './kitchen.js';

export interface CookDeps extends Kitchen {
  cookId: string;
  target: Stock;
  decode(value: Buffer | null): Promise<CookRequest>;
  /** Puts the Cooked on `cooked`; resolves once Kafka has acknowledged it. */
  send(cooked: Cooked): Promise<void>;
  /** Parks a message that can never be cooked. */
  deadLetter(message: ConsumedMessage, reason: string, error: string): Promise<void>;
}

export type Outcome =
  | { outcome: 'dead-lettered' }
  /** `added` false: the batch was in the cabinet already (a redelivery), so only the reply was sent again. */
  | { outcome: 'cooked'; cooked: Cooked; added: boolean };

/**
 * A cook request: fry what the cabinet is short of, put it in, and tell the preparers. The caller commits
 * the offset only after this resolves; a redelivered request adds nothing (the batch is keyed by order and
 * attempt) but sends Cooked again, since the first reply may be what was lost.
 */
export async function cookOrder(message: ConsumedMessage, deps: CookDeps): Promise<Outcome> {
  let request: CookRequest;
  let need: Portions;
  try {
    request = await deps.decode(message.value);
    need = portionsFor(request.order.items); // an item not on the menu is a DecodeError too
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error; // e.g. the registry is unreachable: retry, don't park
    await deps.deadLetter(message, error.reason, error.message);
    return { outcome: 'dead-lettered' };
  }

  const { order, attempt } = request;
  const { batch, added } = await fry(
    deps,
    (levels) => requestBatch(request.short, need, levels, deps.target),
    {
      orderId: order.order_id,
      attempt,
    },
  );
  const cooked: Cooked = {
    order,
    cooked: nonZero(batch),
    cook: deps.cookId,
    prepare_started: request.prepare_started,
    attempt,
  };
  await deps.send(cooked);
  return { outcome: 'cooked', cooked, added };
}
