/** What a line says about its order (or the batch it describes); the page colours lines by it. */
export type LineState =
  'placed' | 'waiting' | 'ready' | 'cook' | 'cooking' | 'cooked' | 'available' | 'restock' | 'batch';

export interface Line {
  /** Unique on the floor, rising: the page and the terminal key lines by it. */
  id: number;
  text: string;
  state: LineState;
  /** The order the line is about, so a click can follow it across panels. */
  order?: string;
}

export type PanelKind = 'till' | 'preparer' | 'cook';

export interface PanelView {
  id: string;
  kind: PanelKind;
  title: string;
  /** Orders a minute over the last minute: placed (till), handed over (preparer), cooked (cook). */
  rate: number;
  /** Preparers: orders waiting on their partitions of `orders`. */
  lag?: number;
  /** Preparers and cooks: the partitions they hold. */
  partitions?: number[];
  /** Rises with every change, so a reader redraws only the panels that changed. */
  version: number;
  /** Oldest first, newest at the bottom, at most the panel's capacity. */
  lines: Line[];
}

const WINDOW_SECONDS = 60;

/**
 * Counts events per second over the last minute in a ring of 60 buckets: constant memory and constant
 * work per event, whatever the rate.
 */
export class RateWindow {
  private readonly buckets = new Array<number>(WINDOW_SECONDS).fill(0);
  private readonly seconds = new Array<number>(WINDOW_SECONDS).fill(-1);

  add(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const slot = second % WINDOW_SECONDS;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.buckets[slot] = 0;
    }
    this.buckets[slot] = (this.buckets[slot] ?? 0) + 1;
  }

  /** Events in the 60 s up to now: with a minute's window this is also the rate per minute. */
  perMinute(nowMs: number): number {
    const now = Math.floor(nowMs / 1000);
    let sum = 0;
    for (let slot = 0; slot < WINDOW_SECONDS; slot++) {
      const second = this.seconds[slot] ?? -1;
      if (second > now - WINDOW_SECONDS && second <= now) sum += this.buckets[slot] ?? 0;
    }
    return sum;
  }
}

/** One actor's panel: its last lines, newest last, and the rate of what it does. */
export class Panel {
  readonly lines: Line[] = [];
  readonly rate = new RateWindow();
  version = 0;
  lag: number | undefined;
  partitions: number[] | undefined;
  /** Line id → rank, for the lines added with `addRanked`. */
  private readonly ranks = new Map<number, number>();

  constructor(
    readonly id: string,
    readonly kind: PanelKind,
    public title: string,
    private readonly capacity: number,
  ) {}

  add(line: Line): void {
    this.lines.push(line);
    this.trim();
  }

  /**
   * Adds a line in the order of `rank` among the lines added this way (a till's counts): a shop's
   * partitions are read side by side, so a till's orders can arrive a little out of the order it took them.
   */
  addRanked(line: Line, rank: number): void {
    let at = this.lines.length;
    while (at > 0 && (this.ranks.get(this.lines[at - 1]!.id) ?? -Infinity) > rank) at -= 1;
    this.lines.splice(at, 0, line);
    this.ranks.set(line.id, rank);
    this.trim();
  }

  private trim(): void {
    if (this.lines.length > this.capacity) {
      for (const gone of this.lines.splice(0, this.lines.length - this.capacity)) this.ranks.delete(gone.id);
    }
    this.version += 1;
  }

  /** Puts older lines in front of this panel's, keeping the capacity. */
  prepend(lines: readonly Line[]): void {
    this.lines.unshift(...lines);
    this.trim();
  }

  /** The newest line about `order` in `states`, if it is still on the panel. */
  find(order: string, states: readonly LineState[]): Line | undefined {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const line = this.lines[i];
      if (line?.order === order && states.includes(line.state)) return line;
    }
    return undefined;
  }

  change(line: Line, text: string, state: LineState): void {
    line.text = text;
    line.state = state;
    this.version += 1;
  }

  touch(): void {
    this.version += 1;
  }

  view(nowMs: number): PanelView {
    return {
      id: this.id,
      kind: this.kind,
      title: this.title,
      rate: this.rate.perMinute(nowMs),
      ...(this.lag !== undefined && { lag: this.lag }),
      ...(this.partitions !== undefined && { partitions: this.partitions }),
      version: this.version,
      lines: this.lines.map((line) => ({ ...line })),
    };
  }
}
