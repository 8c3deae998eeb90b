import { f64, i32 } from '../columns';
import type { UserState } from './state';

/** Users' states as typed columns (see `StateColumns`): what a thread replaying a range of users sends back. */
export interface StatesChunk {
  users: Float64Array;
  /** User k's recent products are `recent[recentStart[k] .. recentStart[k + 1])`; likewise categories and groups. */
  recentStart: Int32Array;
  recent: Int32Array;
  lastTime: Float64Array;
  events: Float64Array;
  categoryStart: Int32Array;
  categories: Int32Array;
  categoryWeights: Float64Array;
  groupStart: Int32Array;
  groups: Int32Array;
  groupWeights: Float64Array;
  categoryTotal: Float64Array;
  /** Three numbers per user. */
  logPrice: Float64Array;
  sessions: (string | null)[];
}

/**
 * Collects users' states one at a time into typed columns (a few numbers per user, no state
 * object kept). Each map keeps its insertion order, so a state read back is the one added exactly.
 * No I/O here, so worker threads load it without DuckDB.
 */
export class StateColumns {
  protected readonly users = f64();
  protected readonly recentStart = i32();
  protected readonly recent = i32();
  protected readonly lastTime = f64();
  protected readonly events = f64();
  protected readonly categoryStart = i32();
  protected readonly categories = i32();
  protected readonly categoryWeights = f64();
  protected readonly groupStart = i32();
  protected readonly groups = i32();
  protected readonly groupWeights = f64();
  protected readonly categoryTotal = f64();
  protected readonly logPrice = f64();
  protected readonly sessions: (string | null)[] = [];

  constructor() {
    for (const start of [this.recentStart, this.categoryStart, this.groupStart]) start.push(0);
  }

  /** Users added so far. */
  get size(): number {
    return this.users.length;
  }

  add(user: number, s: UserState): void {
    this.users.push(user);
    for (const p of s.recent) this.recent.push(p);
    this.recentStart.push(this.recent.length);
    this.lastTime.push(s.lastTime);
    this.events.push(s.events);
    for (const [c, w] of s.categories) {
      this.categories.push(c);
      this.categoryWeights.push(w);
    }
    this.categoryStart.push(this.categories.length);
    for (const [g, w] of s.groups) {
      this.groups.push(g);
      this.groupWeights.push(w);
    }
    this.groupStart.push(this.groups.length);
    this.categoryTotal.push(s.categoryTotal);
    for (const v of s.logPrice) this.logPrice.push(v);
    this.sessions.push(s.session);
  }

  /** The states added, as columns of their own (copies: transferable to another thread). */
  chunk(): StatesChunk {
    return {
      users: this.users.values().slice(),
      recentStart: this.recentStart.values().slice(),
      recent: this.recent.values().slice(),
      lastTime: this.lastTime.values().slice(),
      events: this.events.values().slice(),
      categoryStart: this.categoryStart.values().slice(),
      categories: this.categories.values().slice(),
      categoryWeights: this.categoryWeights.values().slice(),
      groupStart: this.groupStart.values().slice(),
      groups: this.groups.values().slice(),
      groupWeights: this.groupWeights.values().slice(),
      categoryTotal: this.categoryTotal.values().slice(),
      logPrice: this.logPrice.values().slice(),
      sessions: [...this.sessions],
    };
  }

  /** The columns of numbers, by their field in a chunk. */
  private values() {
    return {
      users: this.users,
      recent: this.recent,
      lastTime: this.lastTime,
      events: this.events,
      categories: this.categories,
      categoryWeights: this.categoryWeights,
      groups: this.groups,
      groupWeights: this.groupWeights,
      categoryTotal: this.categoryTotal,
      logPrice: this.logPrice,
    };
  }

  /** The columns of starts, by their field in a chunk, each with the column it points into. */
  private starts() {
    return {
      recentStart: [this.recentStart, this.recent],
      categoryStart: [this.categoryStart, this.categories],
      groupStart: [this.groupStart, this.groups],
    } as const;
  }

  /**
   * Adds the chunks' states after those added so far, in order: as adding each of them would. The
   * columns grow once, to their final length (a month's 680 MB of states: 5 s → under 1 s).
   */
  appendAll(chunks: readonly StatesChunk[]): void {
    const total = (field: string) =>
      chunks.reduce((n, c) => n + (c[field as keyof StatesChunk] as ArrayLike<number>).length, 0);
    for (const [field, to] of Object.entries(this.values())) to.reserve(to.length + total(field));
    // Each chunk's starts hold one more than its users.
    for (const [field, [to]] of Object.entries(this.starts())) to.reserve(to.length + total(field));
    for (const c of chunks) this.append(c);
  }

  /** Adds a chunk's states after those added so far, in the chunk's order: as adding each of them would. */
  append(c: StatesChunk): void {
    // The starts first, shifted by what their columns hold before the chunk's values come.
    for (const [field, [to, of]] of Object.entries(this.starts())) {
      const from = c[field as keyof StatesChunk] as Int32Array;
      const base = of.length;
      for (let k = 1; k < from.length; k++) to.push(base + from[k]);
    }
    for (const [field, to] of Object.entries(this.values()))
      to.pushAll(c[field as keyof StatesChunk] as ArrayLike<number>);
    for (const s of c.sessions) this.sessions.push(s);
  }
}
