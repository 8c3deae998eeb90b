import { existsSync } from 'node:fs';

import { flattenLists, readBlocks, writeBlocks } from '../io/index';
import type { UserState } from './state';

/**
 * Every user's live state as of the end of a data folder's history, in a blocks file beside the
 * recommend version: the service reads it at start instead of replaying the whole history. Each
 * map keeps its insertion order, so a state read back is the replayed one exactly. `stamp` names
 * the history it was replayed from (the events file's sha256); another history is replayed again.
 */
export const LIVE_STATES_FILE = 'live-states.bin';

/** The version of the file's layout: a file of another is replayed again, not misread. */
const FORMAT = 2;

/** Writes the users' states (atomically). */
export function saveStates(path: string, states: ReadonlyMap<number, UserState>, stamp: string): void {
  const list = [...states];
  const per = (pick: (s: UserState) => number[], Type: Int32ArrayConstructor | Float64ArrayConstructor) =>
    flattenLists(
      list.map(([, s]) => pick(s)),
      Type,
    );
  const recent = per((s) => s.recent, Int32Array);
  const categories = per((s) => [...s.categories.keys()], Int32Array);
  const categoryWeights = per((s) => [...s.categories.values()], Float64Array);
  const groups = per((s) => [...s.groups.keys()], Int32Array);
  const groupWeights = per((s) => [...s.groups.values()], Float64Array);
  const users = Float64Array.from(list, ([u]) => u);
  writeBlocks(
    path,
    { format: FORMAT, stamp, sessions: list.map(([, s]) => s.session) },
    {
      users,
      // The rows by user id, for finding one user without reading every state.
      byUser: Int32Array.from(users.keys()).sort((a, b) => users[a] - users[b]),
      recentStart: recent.start,
      recent: recent.values,
      lastTime: Float64Array.from(list, ([, s]) => s.lastTime),
      events: Float64Array.from(list, ([, s]) => s.events),
      categoryStart: categories.start,
      categories: categories.values,
      categoryWeights: categoryWeights.values,
      groupStart: groups.start,
      groups: groups.values,
      groupWeights: groupWeights.values,
      categoryTotal: Float64Array.from(list, ([, s]) => s.categoryTotal),
      logPrice: Float64Array.from(list.flatMap(([, s]) => s.logPrice)),
    },
  );
}

/** The states of a file, each read when first asked for. */
export interface StoredStates {
  /** Users in the file. */
  readonly size: number;
  /** A user's state as replayed (a new object each call), or undefined for a user the file does not hold. */
  get(user: number): UserState | undefined;
  /** Every user, in the replay's order. */
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

/** Every state a file holds, in the replay's order, or null when there is none or it was replayed from another history. */
export function loadStates(path: string, stamp: string): Map<number, UserState> | null {
  const stored = openStates(path, stamp);
  if (!stored) return null;
  return new Map(Array.from(stored.users(), (user) => [user, stored.get(user)!]));
}
