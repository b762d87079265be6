import type { CookBatch, Cooked, CookRequest, Order, OrderReady } from './generated/schemas.js';
import { cabinetItems, isOnMenu, portionsFor, type CabinetItem } from './menu.js';

/**
 * What a valid message is beyond what its Avro schema checks: the one declaration every reader applies
 * (the serde's decoders, in `@chippy/kafka`), so a message that breaks it is a dead letter with the reason
 * and nothing downstream has to trust it. docs/security.md says why each limit is what it is.
 */
export const limits = {
  /** Items in one order: the till's largest is 2; 10 leaves room and bounds what one order can ask for. */
  items: 10,
  /** Characters in a till, preparer or cook id (the defaults are the host name, up to 64, and the pid). */
  idLength: 100,
  /** Portions of one item in a batch: the fryer's capacity is at most this (FRYER_CAPACITY). */
  batchPortions: 10_000,
  /** Order ids in one CookBatch. */
  batchOrders: 10_000,
} as const;

/** The first thing wrong with a value, or undefined if it is valid. */
export type Check<T> = (value: T) => string | undefined;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// No control or format characters (a till id reaches terminals and pages), no surrogates or unassigned ones.
const controls = /\p{C}/u;
const payments = new Set(['cash', 'card']);
// The largest time Date can hold; 0 and negative times are no order's.
const maxTime = 8.64e15;

/** Why `id` is not a valid till, preparer or cook id, or undefined. */
export function idProblem(what: string, id: string): string | undefined {
  if (id.length === 0) return `${what} is empty`;
  if (id.length > limits.idLength) return `${what} is longer than ${limits.idLength} characters`;
  if (controls.test(id)) return `${what} holds a control character`;
  return undefined;
}

const timeProblem = (what: string, t: number) =>
  Number.isSafeInteger(t) && t > 0 && t <= maxTime ? undefined : `${what} ${t} is not a time`;

/** Checks an Order's fields, shared with OrderReady (which repeats them). */
function orderFieldsProblem(o: Pick<Order, 'order_id' | 'till' | 'count' | 'order_time' | 'items'>) {
  if (!uuid.test(o.order_id)) return `order_id ${JSON.stringify(o.order_id.slice(0, 40))} is not a UUID`;
  const till = idProblem('till', o.till);
  if (till) return till;
  if (o.count < 1) return `count ${o.count} is below 1`;
  const time = timeProblem('order_time', o.order_time);
  if (time) return time;
  if (o.items.length === 0) return 'items is empty';
  if (o.items.length > limits.items) return `${o.items.length} items, more than ${limits.items}`;
  const off = o.items.find((item) => !isOnMenu(item));
  if (off !== undefined) return `${JSON.stringify(off.slice(0, 40))} is not on the menu`;
  return undefined;
}

export const checkOrder: Check<Order> = (o) =>
  orderFieldsProblem(o) ??
  (o.payment == null || payments.has(o.payment)
    ? undefined
    : `payment ${JSON.stringify(o.payment.slice(0, 40))} is not cash or card`);

/** Why a map of portions is not one, or undefined: cabinet items only, each from 0 to `max(item)`. */
function portionsProblem(
  what: string,
  portions: Record<string, number>,
  max: (item: CabinetItem) => number,
): string | undefined {
  for (const key of Object.keys(portions)) {
    if (!(cabinetItems as readonly string[]).includes(key))
      return `${what} names ${JSON.stringify(key.slice(0, 40))}, not a cabinet item`;
    const n = portions[key]!;
    const most = max(key as CabinetItem);
    if (n < 0 || n > most) return `${what}.${key} ${n} is not from 0 to ${most}`;
  }
  // avsc decodes a map onto a plain object: a `__proto__` key sets its prototype instead of a key.
  if (Object.getPrototypeOf(portions) !== Object.prototype) return `${what} is not a plain map`;
  return undefined;
}

/** A request may ask for no more of an item than its order's items take. */
export const checkCookRequest: Check<CookRequest> = (r) => {
  const order = checkOrder(r.order);
  if (order) return `order: ${order}`;
  const need = portionsFor(r.order.items);
  return (
    portionsProblem('short', r.short, (item) => need[item]) ??
    idProblem('preparer', r.preparer) ??
    timeProblem('prepare_started', r.prepare_started) ??
    (r.attempt < 1 ? `attempt ${r.attempt} is below 1` : undefined)
  );
};

export const checkCooked: Check<Cooked> = (c) => {
  const order = checkOrder(c.order);
  if (order) return `order: ${order}`;
  return (
    portionsProblem('cooked', c.cooked, () => limits.batchPortions) ??
    idProblem('cook', c.cook) ??
    timeProblem('prepare_started', c.prepare_started) ??
    (c.attempt < 1 ? `attempt ${c.attempt} is below 1` : undefined)
  );
};

export const checkOrderReady: Check<OrderReady> = (r) =>
  orderFieldsProblem(r) ??
  idProblem('preparer', r.preparer) ??
  timeProblem('prepare_started', r.prepare_started) ??
  timeProblem('ready_time', r.ready_time);

export const checkCookBatch: Check<CookBatch> = (b) => {
  if (!uuid.test(b.batch_id)) return `batch_id ${JSON.stringify(b.batch_id.slice(0, 40))} is not a UUID`;
  if (b.orders.length > limits.batchOrders)
    return `${b.orders.length} orders, more than ${limits.batchOrders}`;
  const bad = b.orders.find((id) => !uuid.test(id));
  if (bad !== undefined) return `orders holds ${JSON.stringify(bad.slice(0, 40))}, not a UUID`;
  return (
    idProblem('cook', b.cook) ??
    portionsProblem('fried', b.fried, () => limits.batchPortions) ??
    timeProblem('started', b.started) ??
    timeProblem('finished', b.finished)
  );
};

/** Each record's check, by its Avro full name: what the serde's decoders look up. */
export const messageChecks: ReadonlyMap<string, Check<never>> = new Map<string, Check<never>>([
  ['chippy.Order', checkOrder],
  ['chippy.CookRequest', checkCookRequest],
  ['chippy.Cooked', checkCooked],
  ['chippy.OrderReady', checkOrderReady],
  ['chippy.CookBatch', checkCookBatch],
]);
