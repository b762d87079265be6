import { menu, type MenuItem } from '@chippy/shop';

/**
 * The original till's order: roll a die. 6 (only when plaice is on the menu) → cod & chips and plaice &
 * chips; 5 → cod & chips and chips & chips (a "large chips"); 4 → chips; anything else → cod & chips.
 */
export function orderFor(die: number, plaiceOnMenu: boolean): MenuItem[] {
  if (die === 6 && plaiceOnMenu) return [menu.codAndChips, menu.plaiceAndChips];
  if (die === 5) return [menu.codAndChips, menu.chipsAndChips];
  if (die === 4) return [menu.chips];
  return [menu.codAndChips];
}

export const payments = ['card', 'cash'] as const;
export type Payment = (typeof payments)[number];

/** How the customer pays: by card three times in four. */
export const paymentFor = (random: () => number = Math.random): Payment =>
  random() < 0.75 ? 'card' : 'cash';

/** A fair six-sided die from a [0, 1) source. */
export const rollDie = (random: () => number = Math.random): number => Math.floor(random() * 6) + 1;
