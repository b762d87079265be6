import type { CookBatch, Cooked, CookRequest, Order, OrderReady } from '@chippy/shop';
import { GroupPanels, naturalCompare, type GroupMember } from './group-panels.js';
import {
  availableLine,
  batchLine,
  cookedLine,
  cookingLine,
  cookLine,
  describeItems,
  orderLabel,
  placedLine,
  printable,
  readyLine,
  restockLine,
  waitingLine,
} from './lines.js';
import { Panel, type PanelView } from './panel.js';

export interface FloorOptions {
  /** Lines a panel keeps (the original showed about a screenful). */
  linesPerPanel?: number;
  /** Orders remembered for routing later events to the right panels; older ones are forgotten. */
  ordersRemembered?: number;
  /**
   * Till panels kept: a till id comes from a message, so a flood of distinct ids must not grow the floor
   * without bound; the till quiet for longest gives up its panel to a new one.
   */
  tills?: number;
}

export interface FloorView {
  /** Every panel, in the order they stand: tills, then preparers, then cooks. */
  panels: PanelView[];
}

/** What the floor remembers of an order seen recently, to route its later events. */
interface Seen {
  label: string;
  items: string;
  /** Its partition of `orders`, which says which preparer holds it. */
  partition: number;
  /** Its partition of `cook-requests`, which says which cook holds the request. */
  cookPartition?: number;
}

/**
 * The shop floor: the original demos' panels, built from the shop's topics alone. Each method takes one
 * event as read from its topic and updates the panels it concerns; `view` and `changes` read them out.
 * Pure: no I/O and no clock of its own (every call is given the time), so it is tested without Kafka.
 */
export class Floor {
  private readonly tills = new Map<string, Panel>();
  private readonly preparers: GroupPanels;
  private readonly cooks: GroupPanels;
  private readonly seen = new Map<string, Seen>();
  private readonly capacity: number;
  private readonly remembered: number;
  private readonly maxTills: number;
  private nextLine = 1;

  constructor(options: FloorOptions = {}) {
    this.capacity = options.linesPerPanel ?? 40;
    this.remembered = options.ordersRemembered ?? 20_000;
    this.maxTills = options.tills ?? 64;
    this.preparers = new GroupPanels('preparer', this.capacity);
    this.cooks = new GroupPanels('cook', this.capacity);
  }

  /** An order on `orders`: a line in its till's panel, and one waiting in the panel of its partition's preparer. */
  order(order: Order, partition: number, nowMs: number): void {
    const label = orderLabel(order);
    const items = describeItems(order.items);
    this.remember(order.order_id, { label, items, partition });
    const till = this.till(order.till);
    till.addRanked(this.line(placedLine(label, items), 'placed', order.order_id), order.count);
    till.rate.add(nowMs);
    this.preparers.holder(partition)?.add(this.line(waitingLine(label, items), 'waiting', order.order_id));
  }

  /** A CookRequest: the preparer's line becomes `COOK …`; the cook holding the request starts `Cooking …`. */
  cookRequest(request: CookRequest, partition: number, nowMs: number): void {
    const { order } = request;
    const seen = this.recall(order);
    seen.cookPartition = partition;
    const preparer = this.preparers.named(request.preparer, seen.partition, nowMs);
    const text = cookLine(seen.label, seen.items);
    const line = preparer.find(order.order_id, ['waiting']);
    if (line) preparer.change(line, text, 'cook');
    else preparer.add(this.line(text, 'cook', order.order_id));
    // A request asked again (someone took the food meanwhile) is already cooking: one line is enough.
    const cook = this.cooks.holder(partition) ?? this.onlyCook();
    if (cook && !cook.find(order.order_id, ['cooking'])) {
      cook.add(this.line(cookingLine(seen.label, seen.items), 'cooking', order.order_id));
    }
  }

  /** A Cooked reply: the cook's line becomes `Cooked …` and `Order … available` follows. */
  cooked(cooked: Cooked, nowMs: number): void {
    const seen = this.recall(cooked.order);
    const cook = this.cooks.named(cooked.cook, seen.cookPartition, nowMs);
    this.markCooked(cook, cooked.order.order_id, seen);
    cook.add(this.line(availableLine(seen.label), 'available', cooked.order.order_id));
    cook.rate.add(nowMs);
  }

  /** A turn at the fryer: a restock line, or the batch and its orders marked `Cooked`. */
  cookBatch(batch: CookBatch, nowMs: number): void {
    const first = batch.orders.map((id) => this.seen.get(id)).find((s) => s !== undefined);
    const cook = this.cooks.named(batch.cook, first?.cookPartition, nowMs);
    if (batch.orders.length === 0) {
      cook.add(this.line(restockLine(batch.fried), 'restock'));
      return;
    }
    cook.add(this.line(batchLine(batch.fried, batch.orders.length), 'batch'));
    for (const id of batch.orders) {
      const seen = this.seen.get(id);
      if (seen) this.markCooked(cook, id, seen);
    }
  }

  /**
   * An OrderReady: the preparer's waiting line becomes `Order ready …`; an order that went to the cook
   * gets a new line instead, as it finishes later than the orders around it (demo4).
   */
  ready(ready: OrderReady, nowMs: number): void {
    const seen = this.recall(ready);
    const preparer = this.preparers.named(ready.preparer, seen.partition, nowMs);
    const text = readyLine(seen.label, seen.items);
    const line = ready.cooked ? undefined : preparer.find(ready.order_id, ['waiting']);
    if (line) preparer.change(line, text, 'ready');
    else preparer.add(this.line(text, 'ready', ready.order_id));
    preparer.rate.add(nowMs);
  }

  /** The preparers group as the admin API describes it, with the lag of each partition of `orders`. */
  setPreparers(members: readonly GroupMember[], lag: ReadonlyMap<number, number>, nowMs: number): void {
    this.preparers.setMembers(members, nowMs);
    this.preparers.setLag(lag);
  }

  /** The cooks group: its members and the partitions of `cook-requests` they hold. */
  setCooks(members: readonly GroupMember[], nowMs: number): void {
    this.cooks.setMembers(members, nowMs);
  }

  view(nowMs: number): FloorView {
    return { panels: this.panels().map((p) => p.view(nowMs)) };
  }

  /**
   * The panels whose lines or header changed since the signatures in `sent` (updated in place), and the
   * ids of every panel in order. A reader that applies these to what it had sees the whole floor.
   */
  changes(nowMs: number, sent: Map<string, string>): { order: string[]; changed: PanelView[] } {
    const panels = this.panels();
    const changed: PanelView[] = [];
    for (const panel of panels) {
      const signature = `${panel.version}|${panel.rate.perMinute(nowMs)}|${panel.lag ?? ''}|${panel.title}`;
      if (sent.get(panel.id) === signature) continue;
      sent.set(panel.id, signature);
      changed.push(panel.view(nowMs));
    }
    const order = panels.map((p) => p.id);
    const present = new Set(order);
    for (const id of [...sent.keys()]) if (!present.has(id)) sent.delete(id);
    return { order, changed };
  }

  private panels(): Panel[] {
    const tills = [...this.tills.values()].sort((a, b) => naturalCompare(a.title, b.title));
    return [...tills, ...this.preparers.panels(), ...this.cooks.panels()];
  }

  private markCooked(cook: Panel, orderId: string, seen: Seen): void {
    const line = cook.find(orderId, ['cooking']);
    if (line) cook.change(line, cookedLine(seen.label, seen.items), 'cooked');
  }

  /** Until the cooks group has been read, a shop with one cook panel cooks there. */
  private onlyCook(): Panel | undefined {
    const panels = this.cooks.panels();
    return panels.length === 1 ? panels[0] : undefined;
  }

  /** The till's panel, moved to the end of the map: the first is the one quiet for longest. */
  private till(id: string): Panel {
    const panel = this.tills.get(id) ?? new Panel(`till:${id}`, 'till', printable(id), this.capacity);
    this.tills.delete(id);
    this.tills.set(id, panel);
    if (this.tills.size > this.maxTills) {
      const quietest = this.tills.keys().next().value;
      if (quietest !== undefined) this.tills.delete(quietest);
    }
    return panel;
  }

  private line(text: string, state: Panel['lines'][number]['state'], order?: string) {
    return { id: this.nextLine++, text, state, ...(order !== undefined && { order }) };
  }

  private remember(id: string, seen: Seen): void {
    this.seen.delete(id);
    this.seen.set(id, seen);
    if (this.seen.size > this.remembered) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }

  /** What is known of an order, or what its event says (an order placed before the floor started). */
  private recall(order: { order_id: string; till: string; count: number; items: string[] }): Seen {
    const seen = this.seen.get(order.order_id);
    if (seen) return seen;
    const fresh: Seen = { label: orderLabel(order), items: describeItems(order.items), partition: -1 };
    this.remember(order.order_id, fresh);
    return fresh;
  }
}
