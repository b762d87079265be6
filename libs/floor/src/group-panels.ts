import { printable } from './lines.js';
import { Panel, type PanelKind } from './panel.js';

/** A member of a consumer group as the admin API describes it, with the partitions it holds. */
export interface GroupMember {
  memberId: string;
  /** For people until the member's own name is known, e.g. `chippy-preparer 973e56a5`. */
  label: string;
  partitions: number[];
}

/** How long a panel for a name no member has answered to stays after its last line. */
const IDLE_MS = 60_000;
/**
 * Panels for names no member has answered to, at most: names come from messages, and the group may not
 * be read for a while (the admin API away), so these are pruned as they are made, not only on a read.
 */
const MAX_LOOSE = 16;

/**
 * The panels of one consumer group: one per member, appearing and disappearing with the members.
 * Every member of a group has the same client id, so a member's own name (`preparer-1`) is learnt from
 * the events it writes: the event's order sits on a partition, that partition is the member's, so the
 * name on the event is the member's. Events from a name no member has answered to yet (the group was
 * not read yet, or is rebalancing) go to a panel of that name, which goes once idle.
 */
export class GroupPanels {
  private readonly members = new Map<string, Panel>();
  private readonly byPartition = new Map<number, string>();
  private readonly nameOf = new Map<string, string>();
  private readonly memberOf = new Map<string, string>();
  private readonly loose = new Map<string, { panel: Panel; last: number }>();
  /** Panels of members are numbered: a member id is the broker's, not for the page. */
  private made = 0;

  constructor(
    private readonly kind: PanelKind,
    private readonly capacity: number,
  ) {}

  /** The group as just described; members gone take their panels with them. */
  setMembers(members: readonly GroupMember[], nowMs: number): void {
    const present = new Set(members.map((m) => m.memberId));
    for (const id of [...this.members.keys()]) {
      if (present.has(id)) continue;
      this.members.delete(id);
      const name = this.nameOf.get(id);
      this.nameOf.delete(id);
      if (name !== undefined && this.memberOf.get(name) === id) this.memberOf.delete(name);
    }
    this.byPartition.clear();
    for (const m of members) {
      let panel = this.members.get(m.memberId);
      if (!panel) {
        panel = new Panel(`${this.kind}:${++this.made}`, this.kind, m.label, this.capacity);
        this.members.set(m.memberId, panel);
      }
      const partitions = [...m.partitions].sort((a, b) => a - b);
      if (panel.partitions?.join() !== partitions.join()) {
        panel.partitions = partitions;
        panel.touch();
      }
      for (const p of partitions) this.byPartition.set(p, m.memberId);
    }
    for (const [name, { last }] of this.loose) {
      if (nowMs - last > IDLE_MS || this.memberOf.has(name)) this.loose.delete(name);
    }
  }

  /** The panel of the member holding `partition`, if any. */
  holder(partition: number | undefined): Panel | undefined {
    if (partition === undefined) return undefined;
    const id = this.byPartition.get(partition);
    return id === undefined ? undefined : this.members.get(id);
  }

  /**
   * The panel of the actor called `name`, whose event was about something on `partition`: the member
   * that answered to the name before, else the one holding the partition (which then takes the name),
   * else a panel of that name alone.
   */
  named(name: string, partition: number | undefined, nowMs: number): Panel {
    const known = this.memberOf.get(name);
    const panel = known === undefined ? undefined : this.members.get(known);
    if (panel) return panel;
    const id = this.unnamedHolder(partition);
    const holder = id === undefined ? undefined : this.members.get(id);
    if (id !== undefined && holder) {
      this.nameOf.set(id, name);
      this.memberOf.set(name, id);
      holder.title = printable(name);
      // Lines shown under the name before the member was known join the member's panel.
      const loose = this.loose.get(name);
      this.loose.delete(name);
      holder.prepend(loose?.panel.lines ?? []);
      return holder;
    }
    const loose = this.loose.get(name) ?? {
      panel: new Panel(`${this.kind}:name:${name}`, this.kind, printable(name), this.capacity),
      last: nowMs,
    };
    loose.last = nowMs;
    // Most recently used last, so the first is the one idle longest.
    this.loose.delete(name);
    this.loose.set(name, loose);
    for (const [other, { last }] of this.loose) {
      if (this.loose.size <= MAX_LOOSE && nowMs - last <= IDLE_MS) break;
      this.loose.delete(other);
    }
    return loose.panel;
  }

  /**
   * The unnamed member holding `partition`; when the partition is unknown (an event about something
   * the floor did not see), the group's only member if it has one and it is unnamed.
   */
  private unnamedHolder(partition: number | undefined): string | undefined {
    const id =
      partition !== undefined && partition >= 0
        ? this.byPartition.get(partition)
        : this.members.size === 1
          ? [...this.members.keys()][0]
          : undefined;
    return id !== undefined && !this.nameOf.has(id) ? id : undefined;
  }

  /** Sets each member's lag from the lag of the partitions it holds. */
  setLag(lagByPartition: ReadonlyMap<number, number>): void {
    for (const panel of this.members.values()) {
      const lag = (panel.partitions ?? []).reduce((sum, p) => sum + (lagByPartition.get(p) ?? 0), 0);
      if (panel.lag !== lag) {
        panel.lag = lag;
        panel.touch();
      }
    }
  }

  panels(): Panel[] {
    return [...this.members.values(), ...[...this.loose.values()].map((l) => l.panel)].sort((a, b) =>
      naturalCompare(a.title, b.title),
    );
  }
}

export const naturalCompare = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });
