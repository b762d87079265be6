import type { Redis, Result } from 'ioredis';
import { cabinetItems, noPortions, type CabinetItem, type Portions } from './menu.js';

/** Redis keys of one shop's cabinet (TOPIC_PREFIX names the shop, so two shops never share a key). */
export function cabinetKeys(prefix: string) {
  return {
    /** A hash: the portions in the cabinet now. */
    levels: `${prefix}cabinet`,
    /** Running totals, so that cooked = taken + left can be checked from Redis alone. */
    cooked: `${prefix}cabinet:cooked`,
    taken: `${prefix}cabinet:taken`,
    /**
     * Per-order record: whether the order's portions were taken (`taken`) and, for the preparers' ledger,
     * where its hand-over stands (`state`: sending | ready, `since`, `preparer`). One hash, so a single
     * script can check the hand-over, take the portions and record the take in one Redis round trip.
     */
    order: (orderId: string) => `${prefix}cabinet:order:${orderId}`,
    /** Per-cook-request record: whether the plaice fried for it went into the cabinet. */
    request: (orderId: string, attempt: number) => `${prefix}cabinet:request:${orderId}:${attempt}`,
  };
}

const ttlSeconds = 7 * 24 * 3600;

// Takes each order's portions, all or none, once per order, for a batch of orders in one step (one round
// trip however many orders). KEYS: levels, taken, then one order record per order. ARGV: ttl, ledger mode,
// since, preparer, lease, the number of items n, the n item names, then n counts per order. Ledger modes:
//   none  – take only;
//   check – an order already handed over (state ready) is not taken: {"handed-over"};
//   claim – as check, and an order left "sending" is reported ({"interrupted", since}) rather than taken, and
//           a take marks the order "sending" (since, preparer). "sending" is only ever set with "taken".
//           An order claimed less than `lease` ms before `since` is another preparer's still: then nothing
//           of the batch is taken, the held orders reply {"held", until} and the others {"deferred"}.
// Orders are served in the order given, from the levels as the earlier orders left them. Returns one reply
// per order: {"taken"} / {"already"} / {"short", item, missing, ...} / {"handed-over"} / {"interrupted", since}.
const takeScript = `
local ttl, mode, since, preparer, lease = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local n = tonumber(ARGV[6])
local replies = {}
if mode == 'claim' then
  local held = false
  for i = 3, #KEYS do
    local record = redis.call('HMGET', KEYS[i], 'state', 'since')
    if record[1] == 'sending' and tonumber(record[2]) + lease > tonumber(since) then
      replies[i - 2] = {'held', tostring(tonumber(record[2]) + lease)}
      held = true
    else
      replies[i - 2] = {'deferred'}
    end
  end
  if held then return replies end
  replies = {}
end
local items, have, took = {}, {}, {}
for j = 1, n do
  items[j] = ARGV[6 + j]
  have[j] = tonumber(redis.call('HGET', KEYS[1], items[j]) or '0')
  took[j] = 0
end
for i = 3, #KEYS do
  local base = 6 + n + (i - 3) * n
  local record = redis.call('HMGET', KEYS[i], 'state', 'since', 'taken')
  local reply
  if mode ~= 'none' and record[1] == 'ready' then
    reply = {'handed-over'}
  elseif mode == 'claim' and record[1] == 'sending' then
    reply = {'interrupted', record[2]}
  elseif record[3] == '1' then
    reply = {'already'}
  else
    reply = {'short'}
    for j = 1, n do
      local need = tonumber(ARGV[base + j])
      if have[j] < need then
        table.insert(reply, items[j])
        table.insert(reply, tostring(need - have[j]))
      end
    end
    if #reply == 1 then
      for j = 1, n do
        local need = tonumber(ARGV[base + j])
        have[j] = have[j] - need
        took[j] = took[j] + need
      end
      redis.call('HSET', KEYS[i], 'taken', '1')
      reply = {'taken'}
    end
  end
  if reply[1] == 'taken' or reply[1] == 'already' then
    if mode == 'claim' then redis.call('HSET', KEYS[i], 'state', 'sending', 'since', since, 'preparer', preparer) end
    redis.call('EXPIRE', KEYS[i], ttl)
  end
  replies[#replies + 1] = reply
end
for j = 1, n do
  if took[j] > 0 then
    redis.call('HINCRBY', KEYS[1], items[j], -took[j])
    redis.call('HINCRBY', KEYS[2], items[j], took[j])
  end
end
return replies
`;

// Claims orders whose hand-over was interrupted, for the preparer about to hand them over, if each is still
// as the take found it ("sending" since that time). KEYS: the orders' records. ARGV: now, preparer, then the
// since each order was found with. Returns 1, or 0 with nothing changed when any of them has moved on.
const reclaimScript = `
for i = 1, #KEYS do
  local record = redis.call('HMGET', KEYS[i], 'state', 'since')
  if record[1] ~= 'sending' or record[2] ~= ARGV[i + 2] then return 0 end
end
for i = 1, #KEYS do
  redis.call('HSET', KEYS[i], 'since', ARGV[1], 'preparer', ARGV[2])
end
return 1
`;

// Records orders' OrderReady messages as in Kafka (state ready). KEYS: the orders' records. ARGV: ttl.
const handedOverScript = `
for i = 1, #KEYS do
  redis.call('HSET', KEYS[i], 'state', 'ready')
  redis.call('EXPIRE', KEYS[i], ARGV[1])
end
return #KEYS
`;

// Adds a batch: the stocked items (cod, chips) always, and each cook request's plaice once per request key
// (a redelivered request is not fried into the cabinet twice). KEYS: levels, cooked, then one key per
// request. ARGV: ttl, cod, chips, then each request's plaice. Returns per request 1 (added) or 0 (was in).
const addScript = `
local function put(item, n)
  if n > 0 then
    redis.call('HINCRBY', KEYS[1], item, n)
    redis.call('HINCRBY', KEYS[2], item, n)
  end
end
put('cod', tonumber(ARGV[2]))
put('chips', tonumber(ARGV[3]))
local fresh = {}
for i = 3, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'NX', 'EX', ARGV[1]) then
    put('plaice', tonumber(ARGV[i + 1]))
    fresh[#fresh + 1] = 1
  else
    fresh[#fresh + 1] = 0
  end
end
return fresh
`;

/** A cook request answered by a batch: its plaice is added once, however often the request is delivered. */
export interface RequestPortions {
  orderId: string;
  attempt: number;
  plaice: number;
}

export type TakeResult =
  | { outcome: 'taken' }
  | { outcome: 'already' }
  | { outcome: 'short'; short: Partial<Portions> }
  /** Only with a ledger: the order's OrderReady is in Kafka; nothing was taken. */
  | { outcome: 'handed-over' }
  /** Only when claiming: a preparer was handing the order over when it stopped (its portions are taken). */
  | { outcome: 'interrupted'; since: number }
  /** Only when claiming: another preparer's claim on the order holds until `until`; nothing was taken. */
  | { outcome: 'held'; until: number }
  /** Only when claiming: another order of the batch is held, so nothing was taken for this one either. */
  | { outcome: 'deferred' };

/**
 * What a take does with the order's hand-over record (the preparers' ledger, see services/preparer).
 * `claim` makes the check and the take one round trip: the order's state is read, its portions taken and
 * the order marked "sending" atomically, so a redelivered order is never taken or handed over twice. A
 * claim holds the other claimers off for `leaseMs` (services/preparer/src/claims.ts says why).
 */
export type LedgerMode =
  { mode: 'none' } | { mode: 'check' } | { mode: 'claim'; since: number; preparer: string; leaseMs: number };

/** An order whose hand-over was interrupted, as the take found it: "sending" since `since`. */
export interface InterruptedClaim {
  orderId: string;
  since: number;
}

/** One order of a batch take: its id and the portions it needs. */
export interface OrderPortions {
  orderId: string;
  portions: Portions;
}

export interface Cabinet {
  /** Atomically takes an order's portions, all or nothing, at most once per order. */
  take(orderId: string, portions: Portions, ledger?: LedgerMode): Promise<TakeResult>;
  /**
   * `take` for many orders in one Redis round trip (one script run), served in the order given: one result
   * per order, in that order.
   */
  takeMany(orders: readonly OrderPortions[], ledger?: LedgerMode): Promise<TakeResult[]>;
  /**
   * Claims interrupted orders for `preparer` from `now`, all or none, if each is still as the take found
   * it: false when another preparer has claimed any of them since.
   */
  reclaim(claims: readonly InterruptedClaim[], now: number, preparer: string): Promise<boolean>;
  /** Records that the orders' OrderReady messages are in Kafka, so a redelivery skips them (one round trip). */
  markHandedOver(...orderIds: string[]): Promise<void>;
  /**
   * Adds a cooked batch in one step: `stock` (cod and chips) always, and each request's plaice once per
   * request. Resolves, per request in order, whether its plaice was added now (false: a redelivery).
   */
  add(
    stock: Partial<Pick<Portions, 'cod' | 'chips'>>,
    requests?: readonly RequestPortions[],
  ): Promise<boolean[]>;
  levels(): Promise<Portions>;
  totals(): Promise<{ cooked: Portions; taken: Portions; levels: Portions }>;
}

function toPortions(hash: Record<string, string>): Portions {
  const p = noPortions();
  for (const item of cabinetItems) p[item] = Number(hash[item] ?? 0);
  return p;
}

/** One order's reply from the take script. */
function toTakeResult(reply: string[]): TakeResult {
  if (reply[0] === 'taken') return { outcome: 'taken' };
  if (reply[0] === 'already') return { outcome: 'already' };
  if (reply[0] === 'handed-over') return { outcome: 'handed-over' };
  if (reply[0] === 'interrupted') return { outcome: 'interrupted', since: Number(reply[1]) };
  if (reply[0] === 'held') return { outcome: 'held', until: Number(reply[1]) };
  if (reply[0] === 'deferred') return { outcome: 'deferred' };
  const short: Partial<Portions> = {};
  for (let i = 1; i < reply.length; i += 2) short[reply[i] as CabinetItem] = Number(reply[i + 1]);
  return { outcome: 'short', short };
}

/**
 * The scripts as ioredis commands (`defineCommand`), each taking its number of keys first. ioredis runs a
 * script by its SHA1 (EVALSHA) and sends its text (EVAL) only where Redis may not have it: the first call on
 * each connection, and again after NOSCRIPT (Redis restarted, or its script cache flushed). EVAL with the
 * text on every call cost each order a ~700-byte write and Redis a hash of it: the bench measured EVALSHA at
 * half the round trip (0.11 vs 0.23 ms) and under half the client CPU.
 */
const scripts = {
  chippyCabinetTake: takeScript,
  chippyCabinetReclaim: reclaimScript,
  chippyCabinetHandedOver: handedOverScript,
  chippyCabinetAdd: addScript,
};

// The commands' types, on every ioredis client; they exist on a client once redisCabinet has defined them.
declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** The take script: KEYS levels, taken, the orders' records; ARGV as `takeScript` says. */
    chippyCabinetTake(numKeys: number, ...keysAndArgs: (string | number)[]): Result<string[][], Context>;
    /** The reclaim script: KEYS the orders' records; ARGV now, preparer, each order's since. 1 or 0. */
    chippyCabinetReclaim(numKeys: number, ...keysAndArgs: (string | number)[]): Result<number, Context>;
    /** Marks orders handed over: KEYS the orders' records; ARGV ttl. */
    chippyCabinetHandedOver(numKeys: number, ...keysAndArgs: (string | number)[]): Result<number, Context>;
    /** The add script: KEYS levels, cooked, the requests' keys; ARGV ttl, cod, chips, the plaice of each. */
    chippyCabinetAdd(numKeys: number, ...keysAndArgs: (string | number)[]): Result<number[], Context>;
  }
}

export function redisCabinet(redis: Redis, prefix: string): Cabinet {
  const keys = cabinetKeys(prefix);
  // Defining a command again (another cabinet on the same client) replaces it with the same script.
  for (const [name, lua] of Object.entries(scripts)) redis.defineCommand(name, { lua });
  const takeMany: Cabinet['takeMany'] = async (orders, ledger = { mode: 'none' }) => {
    if (orders.length === 0) return [];
    const [since, preparer, lease] =
      ledger.mode === 'claim' ? [ledger.since, ledger.preparer, ledger.leaseMs] : [0, '', 0];
    const replies = await redis.chippyCabinetTake(
      2 + orders.length,
      keys.levels,
      keys.taken,
      ...orders.map((o) => keys.order(o.orderId)),
      ttlSeconds,
      ledger.mode,
      since,
      preparer,
      lease,
      cabinetItems.length,
      ...cabinetItems,
      ...orders.flatMap((o) => cabinetItems.map((item) => o.portions[item])),
    );
    return replies.map(toTakeResult);
  };
  return {
    async take(orderId, portions, ledger) {
      const [result] = await takeMany([{ orderId, portions }], ledger);
      return result!;
    },
    takeMany,
    async reclaim(claims, now, preparer) {
      if (claims.length === 0) return true;
      const reply = await redis.chippyCabinetReclaim(
        claims.length,
        ...claims.map((c) => keys.order(c.orderId)),
        now,
        preparer,
        ...claims.map((c) => String(c.since)),
      );
      return reply === 1;
    },
    async markHandedOver(...orderIds) {
      if (orderIds.length === 0) return;
      await redis.chippyCabinetHandedOver(orderIds.length, ...orderIds.map(keys.order), ttlSeconds);
    },
    async add(stock, requests = []) {
      const fresh = await redis.chippyCabinetAdd(
        2 + requests.length,
        keys.levels,
        keys.cooked,
        ...requests.map((r) => keys.request(r.orderId, r.attempt)),
        ttlSeconds,
        stock.cod ?? 0,
        stock.chips ?? 0,
        ...requests.map((r) => r.plaice),
      );
      return fresh.map((n) => n === 1);
    },
    async levels() {
      return toPortions(await redis.hgetall(keys.levels));
    },
    async totals() {
      const [cooked, taken, levels] = await Promise.all([
        redis.hgetall(keys.cooked),
        redis.hgetall(keys.taken),
        redis.hgetall(keys.levels),
      ]);
      return { cooked: toPortions(cooked), taken: toPortions(taken), levels: toPortions(levels) };
    },
  };
}
