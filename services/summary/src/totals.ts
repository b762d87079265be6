import { cabinetItems, limits, menuItems, noPortions, portionsFor, type Portions } from '@chippy/shop';

/** What PostgreSQL (filled by the JDBC sink from the `orders` topic) says the shop has sold. */
export interface Totals {
  orders: number;
  /** Portions sold, per cabinet item: comparable with the cabinet's `taken` totals and the cook's metrics. */
  portions: Portions;
  /** How often each menu item was ordered, e.g. `{"cod & chips": 12, "chips": 3}`. */
  items: Record<string, number>;
  /** Items that are not on the menu (none, unless something other than a till wrote the table). */
  unknownItems: number;
  /** The busiest tills, at most `tillsShown`. */
  tills: TillTotal[];
  /** Tills with orders in the table but not in `tills`. */
  otherTills: number;
  /** The newest orders first; fields named as in the `Order` message and the table. */
  lastOrders: LastOrder[];
}

export interface TillTotal {
  till: string;
  orders: number;
  lastOrderTime: string | null;
}

export interface LastOrder {
  order_id: string;
  till: string;
  count: number;
  order_time: string;
  items: string[];
}

/** How many of the newest orders the summary shows. */
const lastOrdersShown = 10;
/** How many tills it shows, the busiest first. */
export const tillsShown = 50;

const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;
// Strings from the table are cut to what a valid message may hold (libs/shop/src/valid.ts): the sink
// copies whatever is on `orders`, so the table is no more trusted than the topic.
const idText = (column: string) => `left(${column}, ${limits.idLength})`;

// The totals are computed by PostgreSQL (count, unnest + group by), so a refresh reads a few dozen rows
// however many orders there are, and however many distinct tills and items were ever written: items off
// the menu are counted together, and only the busiest tills are listed. Only the menu item → portions step
// is done here, with the recipe in libs/shop, so the summary cannot disagree with the preparers.
export const queries = {
  orders: 'select count(distinct "till") as tills, count(*) as orders from "orders"',
  items: `select case when item in (${menuItems.map(sqlString).join(', ')}) then item end as item,
          count(*) as n from "orders" cross join lateral unnest("items") as item group by 1 order by 1`,
  tills: `select ${idText('"till"')} as till, count(*) as orders, max("order_time") as last_order_time
          from "orders" group by "till" order by orders desc, "till" limit ${tillsShown}`,
  lastOrders: `select "order_id", ${idText('"till"')} as till, "count", "order_time",
               (select coalesce(array_agg(left(i, 40)), '{}') from unnest("items"[1:${limits.items}]) as i) as items
               from "orders" order by "order_time" desc, "order_id" desc limit ${lastOrdersShown}`,
} as const;

// pg returns bigint (count) as a string and timestamptz as a Date.
export interface Rows {
  orders: { orders: string | number; tills?: string | number }[];
  /** `item` null: the items off the menu, counted together. */
  items: { item: string | null; n: string | number }[];
  tills: { till: string; orders: string | number; last_order_time: Date | string | null }[];
  lastOrders: {
    order_id: string;
    till: string;
    count: number;
    order_time: Date | string;
    items: string[];
  }[];
}

const iso = (time: Date | string): string => (time instanceof Date ? time : new Date(time)).toISOString();

/** The query results as the summary's figures. */
export function toTotals(rows: Rows): Totals {
  const portions = noPortions();
  const items: Record<string, number> = {};
  let unknownItems = 0;
  for (const { item, n } of rows.items) {
    const count = Number(n);
    if (item === null) {
      unknownItems += count;
      continue;
    }
    items[item] = count;
    let perItem: Portions;
    try {
      perItem = portionsFor([item]);
    } catch {
      unknownItems += count;
      continue;
    }
    for (const name of cabinetItems) portions[name] += perItem[name] * count;
  }
  return {
    orders: Number(rows.orders[0]?.orders ?? 0),
    portions,
    items,
    unknownItems,
    tills: rows.tills.map(({ till, orders, last_order_time }) => ({
      till,
      orders: Number(orders),
      lastOrderTime: last_order_time === null ? null : iso(last_order_time),
    })),
    otherTills: Math.max(0, Number(rows.orders[0]?.tills ?? rows.tills.length) - rows.tills.length),
    lastOrders: rows.lastOrders.map((row) => ({
      order_id: row.order_id,
      till: row.till,
      count: row.count,
      order_time: iso(row.order_time),
      items: row.items,
    })),
  };
}

/** Enough of a pg client for the queries (a fake in the tests). */
export interface Queryable {
  query<R>(text: string): Promise<{ rows: R[] }>;
}

/**
 * Runs the queries in one read-only REPEATABLE READ transaction: all four see the same snapshot, so the
 * total always equals the sum of the tills even while the sink is inserting.
 */
export async function readTotals(client: Queryable): Promise<Totals> {
  await client.query('begin transaction isolation level repeatable read read only');
  try {
    const rows: Rows = {
      orders: (await client.query<Rows['orders'][number]>(queries.orders)).rows,
      items: (await client.query<Rows['items'][number]>(queries.items)).rows,
      tills: (await client.query<Rows['tills'][number]>(queries.tills)).rows,
      lastOrders: (await client.query<Rows['lastOrders'][number]>(queries.lastOrders)).rows,
    };
    await client.query('commit');
    return toTotals(rows);
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}

/**
 * One line that says what is wrong and what to do. pg reports a refused connection to a name with several
 * addresses as an AggregateError with an empty message, hence the digging.
 */
export function describePgError(error: unknown): string {
  const e = error as { code?: string; message?: string; errors?: { message?: string }[] };
  if (e.code === '42P01') {
    return 'table "orders" does not exist in PostgreSQL: apply connectors/sql/001-orders.sql (npm run db:migrate)';
  }
  if (e.code === '3D000') return `${e.message ?? 'database does not exist'} (check DATABASE_URL)`;
  const message = e.message || e.errors?.map((inner) => inner.message).join('; ') || e.code || String(error);
  return `PostgreSQL: ${message}`;
}
