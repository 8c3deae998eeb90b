import { existsSync } from 'node:fs';

import { readBlocks, writeBlocks } from '../io/index';
import type { UserState } from './state';
import { StateColumns } from './state-columns';

/**
 * Every user's live state as of the end of a data folder's history, in a blocks file beside the
 * recommend version: the service reads it at start instead of replaying the whole history. Each
 * map keeps its insertion order, so a state read back is the replayed one exactly. `stamp` names
 * the history it was replayed from (the events file's sha256); another history is replayed again.
 */
export const LIVE_STATES_FILE = 'live-states.bin';

/** The version of the file's layout: a file of another is replayed again, not misread. */
const FORMAT = 2;

/**
 * Collects users' states one at a time into typed columns (`StateColumns`), then writes them: the
 * training stage streams every user's replayed state into one without holding them all as objects.
 */
export class StatesWriter extends StateColumns {
  /** Writes the states added, in their order (atomically). */
  save(path: string, stamp: string): void {
    const users = this.users.values();
    writeBlocks(
      path,
      { format: FORMAT, stamp, sessions: this.sessions },
      {
        users,
        // The rows by user id, for finding one user without reading every state.
        byUser: Int32Array.from(users.keys()).sort((a, b) => users[a] - users[b]),
        recentStart: this.recentStart.values(),
        recent: this.recent.values(),
        lastTime: this.lastTime.values(),
        events: this.events.values(),
        categoryStart: this.categoryStart.values(),
        categories: this.categories.values(),
        categoryWeights: this.categoryWeights.values(),
        groupStart: this.groupStart.values(),
        groups: this.groups.values(),
        groupWeights: this.groupWeights.values(),
        categoryTotal: this.categoryTotal.values(),
        logPrice: this.logPrice.values(),
      },
    );
  }
}

/** Writes the users' states (atomically). */
export function saveStates(path: string, states: ReadonlyMap<number, UserState>, stamp: string): void {
  const writer = new StatesWriter();
  for (const [user, state] of states) writer.add(user, state);
  writer.save(path, stamp);
}

/** The states of a file, each read when first asked for. */
export interface StoredStates {
  /** Users in the file. */
  readonly size: number;
  /** A user's state as replayed (a new object each call), or undefined for a user the file does not hold. */
  get(user: number): UserState | undefined;
  /** Every user, in the file's order. */
  users(): Iterable<number>;
}

/** The states a file holds (read one user at a time), or null when there is none or it was replayed from another history. */
export function openStates(path: string, stamp: string): StoredStates | null {
  if (!existsSync(path)) return null;
  const { meta, blocks } = readBlocks(path);
  const m = meta as { format: number; stamp: string; sessions: (string | null)[] };
  if (m?.format !== FORMAT || m.stamp !== stamp) return null;
  const b = blocks as Record<string, Float64Array> & { byUser: Int32Array };
  const slice = (start: ArrayLike<number>, values: ArrayLike<number>, i: number) =>
    Array.prototype.slice.call(values, start[i], start[i + 1]) as number[];
  const state = (i: number): UserState => {
    const categories = slice(b.categoryStart, b.categories, i);
    const categoryWeights = slice(b.categoryStart, b.categoryWeights, i);
    const groups = slice(b.groupStart, b.groups, i);
    const groupWeights = slice(b.groupStart, b.groupWeights, i);
    return {
      recent: slice(b.recentStart, b.recent, i),
      lastTime: b.lastTime[i],
      events: b.events[i],
      categories: new Map(categories.map((c, k) => [c, categoryWeights[k]])),
      groups: new Map(groups.map((g, k) => [g, groupWeights[k]])),
      categoryTotal: b.categoryTotal[i],
      logPrice: [b.logPrice[3 * i], b.logPrice[3 * i + 1], b.logPrice[3 * i + 2]],
      session: m.sessions[i],
    };
  };
  const { users, byUser } = b;
  return {
    size: users.length,
    get(user) {
      let lo = 0;
      let hi = byUser.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (users[byUser[mid]] < user) lo = mid + 1;
        else hi = mid;
      }
      return lo < byUser.length && users[byUser[lo]] === user ? state(byUser[lo]) : undefined;
    },
    users: () => users,
  };
}

/** Every state a file holds, in the file's order, or null when there is none or it was replayed from another history. */
export function loadStates(path: string, stamp: string): Map<number, UserState> | null {
  const stored = openStates(path, stamp);
  if (!stored) return null;
  return new Map(Array.from(stored.users(), (user) => [user, stored.get(user)!]));
}
