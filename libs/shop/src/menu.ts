/** What the hot cabinet holds, in portions. */
export const cabinetItems = ['cod', 'chips', 'plaice'] as const;
export type CabinetItem = (typeof cabinetItems)[number];
export type Portions = Record<CabinetItem, number>;

export const noPortions = (): Portions => ({ cod: 0, chips: 0, plaice: 0 });

/** What the shop sells, as order items. */
export const menu = {
  codAndChips: 'cod & chips',
  chipsAndChips: 'chips & chips',
  chips: 'chips',
  plaiceAndChips: 'plaice & chips',
} as const;

export type MenuItem = (typeof menu)[keyof typeof menu];

/**
 * Portions per menu item (the talk's recipe). A Map, not an object: an item is looked up by a string from
 * a message, and `constructor` or `__proto__` must be off the menu, not inherited from Object.prototype.
 */
const recipe: ReadonlyMap<string, Partial<Portions>> = new Map<string, Partial<Portions>>([
  [menu.codAndChips, { cod: 1, chips: 1 }],
  [menu.chipsAndChips, { chips: 2 }],
  [menu.chips, { chips: 1 }],
  [menu.plaiceAndChips, { plaice: 1, chips: 1 }],
]);

export const isOnMenu = (item: string): boolean => recipe.has(item);

/** Every item on the menu. */
export const menuItems: readonly string[] = [...recipe.keys()];

/**
 * An item the shop does not sell: an order with it can never be prepared, however often it is retried
 * (the services park such a message on the dead-letter topic).
 */
export class OffMenuError extends Error {
  override name = 'OffMenuError';
}

/** The portions an order takes from the cabinet; an item not on the menu throws an OffMenuError. */
export function portionsFor(items: readonly string[]): Portions {
  const total = noPortions();
  for (const item of items) {
    const portions = recipe.get(item);
    if (!portions) throw new OffMenuError(`${JSON.stringify(item.slice(0, 40))} is not on the menu`);
    for (const name of cabinetItems) total[name] += portions[name] ?? 0;
  }
  return total;
}
