import { DecodeError, type ConsumedMessage } from '@chippy/kafka';
import { OffMenuError, portionsFor, type CookRequest } from '@chippy/shop';
import type { Kitchen, Ticket } from './kitchen.js';

export interface CookDeps {
  decode(value: Buffer | null): Promise<CookRequest>;
  /** Parks a message that can never be cooked. */
  deadLetter(message: ConsumedMessage, reason: string, error: string): Promise<void>;
  kitchen: Pick<Kitchen, 'submit'>;
}

export interface Outcome {
  /** The requests answered (their Cooked acknowledged by Kafka). */
  cooked: CookRequest[];
  deadLettered: number;
}

/**
 * The cook requests of one fetch: each is checked, those that can never be cooked are parked, and the rest
 * go to the fryer together, so one batch answers them all. Resolves once every answer is on Kafka; the
 * caller commits the offsets only then, so a crash means redelivery (and the kitchen adds a redelivered
 * request's plaice only once).
 */
export async function cookRequests(messages: readonly ConsumedMessage[], deps: CookDeps): Promise<Outcome> {
  const tickets: Ticket[] = [];
  let deadLettered = 0;
  for (const message of messages) {
    try {
      const request = await deps.decode(message.value);
      tickets.push({ request, need: portionsFor(request.order.items) });
    } catch (error) {
      // Off the menu can never be cooked, like a request that cannot be decoded.
      const invalid = error instanceof OffMenuError ? new DecodeError('invalid-value', error.message) : error;
      if (!(invalid instanceof DecodeError)) throw error; // e.g. the registry is unreachable: retry, don't park
      await deps.deadLetter(message, invalid.reason, invalid.message);
      deadLettered++;
    }
  }
  if (tickets.length > 0) await deps.kitchen.submit(tickets);
  return { cooked: tickets.map((t) => t.request), deadLettered };
}
