import { SortedLookup } from '../columns';
import type { Interactions } from './interactions';
import type { RecommendExample } from './load';
import type { ProductIndex } from './products';
import { applyEvent, emptyState, type StateCatalogue, type UserState } from './state';

/** An event of the interactions as a state takes it (the session as its dense number). */
function apply(state: UserState, events: Interactions, i: number, products: ProductIndex): void {
  applyEvent(
    state,
    { time: events.time[i], type: events.type[i], product: events.product[i], session: String(events.session[i]) },
    products,
  );
}

/** Sorts rows in place by time, ties by row (the order a replay of the whole log applies them in). */
const byTime = (rows: Int32Array, time: Float64Array) => rows.sort((a, b) => time[a] - time[b] || a - b);

/**
 * Calls `visit` for each example (in the order given, which must be by `asOf`) with its user's
 * state holding exactly the user's events strictly before the example's time. Only the examples'
 * users are replayed, so memory follows the examples, not the log.
 */
export function replayStates(
  events: Interactions,
  products: ProductIndex,
  examples: readonly Pick<RecommendExample, 'user' | 'asOf'>[],
  visit: (e: RecommendExample, state: UserState | undefined) => void,
): void {
  const wanted = new Set(examples.map((e) => e.user));
  wanted.delete(NaN);
  let kept = 0;
  const rows = new Int32Array(events.time.length);
  // A session's events share a user: each run of one user is looked up once (a month's 42 M events
  // are 12 M runs).
  for (let i = 0, keep = false; i < rows.length; i++) {
    if (i === 0 || events.user[i] !== events.user[i - 1]) keep = wanted.has(events.user[i]);
    if (keep) rows[kept++] = i;
  }
  const order = byTime(rows.subarray(0, kept), events.time);
  const states = new Map<number, UserState>();
  let next = 0;
  for (const example of examples) {
    while (next < order.length && events.time[order[next]] < example.asOf) {
      const i = order[next++];
      let state = states.get(events.user[i]);
      if (!state) states.set(events.user[i], (state = emptyState()));
      apply(state, events, i, products);
    }
    visit(example as RecommendExample, states.get(example.user));
  }
}

/**
 * The known users of `user` (NaN: anonymous), sorted and distinct, and each one's rows in row
 * order: `rows.subarray(starts[d], starts[d + 1])` are `users[d]`'s. A counting sort, so a few
 * typed columns over the events. Runs of one user (a session's events) are looked up once.
 */
export function groupByUser(user: Float64Array): { users: Float64Array; starts: Int32Array; rows: Int32Array } {
  let runs = 0;
  for (let i = 0; i < user.length; i++) if (!Number.isNaN(user[i]) && (i === 0 || user[i] !== user[i - 1])) runs++;
  const sorted = new Float64Array(runs);
  for (let i = 0, r = 0; i < user.length; i++)
    if (!Number.isNaN(user[i]) && (i === 0 || user[i] !== user[i - 1])) sorted[r++] = user[i];
  sorted.sort();
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[distinct++] = sorted[i];
  const users = sorted.slice(0, distinct);
  const lookup = new SortedLookup(users);
  // Each event's user as a dense number (-1: anonymous).
  const dense = new Int32Array(user.length);
  const starts = new Int32Array(distinct + 1);
  for (let i = 0; i < user.length; i++) {
    const u = user[i];
    if (Number.isNaN(u)) dense[i] = -1;
    else if (i > 0 && u === user[i - 1]) dense[i] = dense[i - 1];
    else dense[i] = lookup.indexOf(u);
    if (dense[i] >= 0) starts[dense[i] + 1]++;
  }
  for (let d = 0; d < distinct; d++) starts[d + 1] += starts[d];
  const rows = new Int32Array(starts[distinct]);
  const fill = starts.slice(0, distinct);
  for (let i = 0; i < user.length; i++) if (dense[i] >= 0) rows[fill[dense[i]]++] = i;
  return { users, starts, rows };
}

/**
 * One user's state after the events of `rows` (the user's rows in row order; sorted in place by
 * time, ties by row, when they are not already). The session is the last event's, set once at the
 * end rather than named at every event: the state is the one `applyEvent` gives event by event.
 */
export function replayRows(
  events: Pick<Interactions, 'time' | 'type' | 'product' | 'session'>,
  products: StateCatalogue,
  rows: Int32Array,
): UserState {
  const { time, type, product, session } = events;
  for (let k = 1; k < rows.length; k++) {
    if (time[rows[k]] < time[rows[k - 1]]) {
      byTime(rows, time);
      break;
    }
  }
  const state = emptyState();
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    applyEvent(state, { time: time[i], type: type[i], product: product[i], session: null }, products);
  }
  if (rows.length > 0) state.session = String(session[rows[rows.length - 1]]);
  return state;
}

/** The events' columns a replay reads, their rows grouped by user (`groupByUser`), and the catalogue. */
export interface UserRows {
  events: Pick<Interactions, 'time' | 'type' | 'product' | 'session'>;
  products: StateCatalogue;
  users: Float64Array;
  starts: Int32Array;
  rows: Int32Array;
}

/** Hands `take` the state of each user `from .. to)` of `input` (dense numbers, ascending user id), one at a time. */
export function replayUsers(
  input: UserRows,
  from: number,
  to: number,
  take: (user: number, state: UserState) => void,
): void {
  const { events, products, users, starts, rows } = input;
  for (let d = from; d < to; d++) take(users[d], replayRows(events, products, rows.subarray(starts[d], starts[d + 1])));
}

/**
 * Every known user's state after all their events, one user at a time in ascending user id: each
 * state is handed to `take` and not kept, so memory is a few typed columns over the events (their
 * order by user), not a state per user.
 */
export function replayUserStates(
  events: Interactions,
  products: StateCatalogue,
  take: (user: number, state: UserState) => void,
): void {
  const grouped = groupByUser(events.user);
  replayUsers({ events, products, ...grouped }, 0, grouped.users.length, take);
}

/** Every known user's state after all their events (see `replayUserStates`), by user id. */
export function liveStates(events: Interactions, products: ProductIndex): Map<number, UserState> {
  const states = new Map<number, UserState>();
  replayUserStates(events, products, (u, s) => states.set(u, s));
  return states;
}
