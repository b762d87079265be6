/** The wording of the original demos' panels. */

/** Longest name a panel shows (a valid message's ids are no longer: libs/shop/src/valid.ts). */
const NAME_LENGTH = 100;

/**
 * A name from a message as a panel may show it: control and format characters (an escape sequence that
 * would set a terminal's title or clipboard, a bidi override) each become U+FFFD, and it is cut to length.
 */
export const printable = (text: string): string =>
  [...text.slice(0, NAME_LENGTH * 2)].slice(0, NAME_LENGTH).join('').replace(/\p{C}/gu, '\uFFFD');

/** Items as the panels show them: "chips & chips" was shown as "large chips". */
export function describeItems(items: readonly string[]): string {
  return items.map((item) => (item === 'chips & chips' ? 'large chips' : printable(item))).join(', ');
}

/** `till-1/7`: the till and its own count, which together name an order for people. */
export const orderLabel = (order: { till: string; count: number }): string =>
  `${printable(order.till)}/${order.count}`;

export const placedLine = (label: string, items: string) => `Order ${label}: ${items}`;
export const waitingLine = placedLine;
export const readyLine = (label: string, items: string) => `Order ready ${label}: ${items}`;
export const cookLine = (label: string, items: string) => `COOK ${label}: ${items}`;
export const cookingLine = (label: string, items: string) => `Cooking ${label}: ${items}`;
export const cookedLine = (label: string, items: string) => `Cooked ${label}: ${items}`;
export const availableLine = (label: string) => `Order ${label} available`;

/** `10 cod, 20 chips`, items in a fixed order so that lines read alike. */
function describePortions(portions: Readonly<Record<string, number>>): string {
  const order = ['cod', 'chips', 'plaice'];
  const names = Object.keys(portions).sort((a, b) => rank(order, a) - rank(order, b));
  const parts = names.filter((name) => (portions[name] ?? 0) > 0).map((name) => `${portions[name]} ${name}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing';
}

const rank = (order: string[], name: string) => {
  const i = order.indexOf(name);
  return i < 0 ? order.length : i;
};

export const restockLine = (portions: Readonly<Record<string, number>>) =>
  `Restock: ${describePortions(portions)}`;

export const batchLine = (portions: Readonly<Record<string, number>>, orders: number) =>
  `Fried ${describePortions(portions)} for ${orders} order${orders === 1 ? '' : 's'}`;
