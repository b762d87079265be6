import { assignedPartitions, computeLag, memberLabel } from '@chippy/kafka';
import { cabinetKeys, cabinetItems, noPortions, type Portions } from '@chippy/shop';
import type { Admin, GroupDescription } from 'kafkajs';

/** What the preparers have done, as Kafka itself sees it: no consumer group of the summary's own. */
export interface Preparers {
  group: string;
  /** The group's state as the broker reports it: Stable, Empty, PreparingRebalance, Dead... */
  state: string;
  members: PreparerMember[];
  /** One row per partition of `orders`. */
  partitions: PartitionLag[];
  /** Orders on `orders` the group has not yet consumed (the sum of `partitions[].lag`). */
  lag: number;
  /** Messages on `orders-ready` (the sum of its end offsets): orders handed over. */
  ordersReady: number;
  /** Messages on `orders` (the sum of its end offsets): orders placed. */
  ordersPlaced: number;
  /** Orders placed but not yet ready, and where they wait. */
  waiting: Waiting;
}

/**
 * Orders placed but not ready. An order waits for a preparer while its offset on `orders` is not yet
 * committed (the lag: queued or being prepared); once committed without being ready, it was sent to the
 * cook and waits for the fryer and then for a preparer to finish it. So the cook's share is what is left.
 * Offsets count messages only where no transaction markers are written: with DELIVERY=exactly-once
 * each transaction's marker takes an offset on `orders-ready`, "ready" overcounts and the cook's share
 * reads 0 (the preparers' share is still exact).
 */
export interface Waiting {
  total: number;
  preparer: number;
  cook: number;
}

export function waitingOrders(placed: number, ready: number, lag: number): Waiting {
  const total = Math.max(0, placed - ready, lag);
  return { total, preparer: lag, cook: total - lag };
}

export interface PreparerMember {
  memberId: string;
  clientId: string;
  /** For people: the client id and the start of the member id, as every preparer has the same client id. */
  label: string;
  host: string;
  /** Partitions of `orders` assigned to this member. */
  partitions: number[];
}

export interface PartitionLag {
  partition: number;
  /** The group's committed offset, null when it has committed nothing there. */
  committed: number | null;
  /** The partition's end offset (high watermark). */
  end: number;
  lag: number;
  /** The label of the member that holds the partition, null when none does. */
  member: string | null;
}

type Offsets = { partition: number; high: string; low: string }[];
type Committed = { partition: number; offset: string }[];

/** The admin answers as the page's figures. */
export function toPreparers(input: {
  group: GroupDescription;
  ordersTopic: string;
  orders: Offsets;
  committed: Committed;
  ready: Offsets;
}): Preparers {
  const { group, ordersTopic } = input;
  const members = group.members
    .map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      label: memberLabel(m.memberId, m.clientId),
      host: m.clientHost.replace(/^\//, ''),
      partitions: assignedPartitions(m.memberAssignment, ordersTopic),
    }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const holder = new Map(members.flatMap((m) => m.partitions.map((p) => [p, m.label] as const)));
  const committed = new Map(input.committed.map((c) => [c.partition, c.offset]));
  const partitions = [...input.orders]
    .sort((a, b) => a.partition - b.partition)
    .map(({ partition, high, low }) => {
      const offset = committed.get(partition) ?? '-1';
      return {
        partition,
        committed: Number(offset) < 0 ? null : Number(offset),
        end: Number(high),
        lag: computeLag(high, offset, low),
        member: holder.get(partition) ?? null,
      };
    });
  const lag = partitions.reduce((sum, p) => sum + p.lag, 0);
  const ordersReady = input.ready.reduce((sum, p) => sum + Number(p.high), 0);
  const ordersPlaced = partitions.reduce((sum, p) => sum + p.end, 0);
  return {
    group: group.groupId,
    state: group.state,
    members,
    partitions,
    lag,
    ordersReady,
    ordersPlaced,
    waiting: waitingOrders(ordersPlaced, ordersReady, lag),
  };
}

export type PreparersAdmin = Pick<
  Admin,
  'listTopics' | 'describeGroups' | 'fetchOffsets' | 'fetchTopicOffsets'
>;

/**
 * Reads the preparers group from the admin API. The summary only looks: it creates no topic (a missing
 * `orders` topic is reported as such) and joins no group.
 */
export async function readPreparers(
  admin: PreparersAdmin,
  names: { group: string; orders: string; ordersReady: string },
): Promise<Preparers> {
  const topics = new Set(await admin.listTopics());
  if (!topics.has(names.orders)) throw new Error(`topic ${names.orders} does not exist yet`);
  const [described, committed, orders, ready] = await Promise.all([
    admin.describeGroups([names.group]),
    admin.fetchOffsets({ groupId: names.group, topics: [names.orders] }),
    admin.fetchTopicOffsets(names.orders),
    topics.has(names.ordersReady) ? admin.fetchTopicOffsets(names.ordersReady) : Promise.resolve([]),
  ]);
  const group = described.groups[0] ?? {
    groupId: names.group,
    state: 'Dead',
    members: [],
    protocol: '',
    protocolType: '',
    errorCode: 0,
  };
  return toPreparers({
    group,
    ordersTopic: names.orders,
    orders,
    committed: committed.find((t) => t.topic === names.orders)?.partitions ?? [],
    ready,
  });
}

/**
 * `readPreparers` on an admin client that is connected on the first read, and again on the next read
 * while connecting fails.
 */
export function preparersReader(
  admin: PreparersAdmin & Pick<Admin, 'connect'>,
  names: { group: string; orders: string; ordersReady: string },
): () => Promise<Preparers> {
  let connected = false;
  return async () => {
    if (!connected) {
      await admin.connect();
      connected = true;
    }
    return readPreparers(admin, names);
  };
}

/** Enough of ioredis to read the cabinet (a fake in the tests). */
export interface CabinetReader {
  status: string;
  hgetall(key: string): Promise<Record<string, string>>;
}

/**
 * The hot cabinet's levels, read only. Fails at once when Redis is not connected: the shared client
 * would otherwise queue the command until Redis is back, and the page would wait with it.
 */
export async function readCabinet(
  redis: CabinetReader,
  prefix: string,
  timeoutMs: number,
): Promise<Portions> {
  // 'connecting' is let through (bounded by the timeout) so the first read at start-up need not fail.
  if (redis.status !== 'ready' && redis.status !== 'connecting') {
    throw new Error(`Redis not connected (${redis.status})`);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const hash = await Promise.race([redis.hgetall(cabinetKeys(prefix).levels), timeout]);
    const levels = noPortions();
    for (const item of cabinetItems) levels[item] = Number(hash[item] ?? 0);
    return levels;
  } finally {
    clearTimeout(timer);
  }
}
