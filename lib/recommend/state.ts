import { EVENT_CODE, EVENT_TYPES, type EventType } from '../events';
import type { ProductIndex } from './products';

/**
 * A user's live state: what the recommender knows about them right now. Offline it is built by
 * replaying the events before an example's time; online by the events posted to the service. The
 * same `applyEvent` does both, so training features and served features cannot drift apart.
 */
export interface UserState {
  /** Distinct product indices touched, most recent first, at most `RECENT_ITEMS`. */
  recent: number[];
  /** Time (ms) of the last event applied. */
  lastTime: number;
  events: number;
  /** Interaction weight per category index and per top-level group, decayed to `lastTime`, and their total. */
  categories: Map<number, number>;
  groups: Map<number, number>;
  categoryTotal: number;
  /** Sum, sum of squares and count of log prices of touched products, for price fit. */
  logPrice: [number, number, number];
  session: string | null;
}

/** How much each event type says about interest; searches and removals carry no product interest. */
export const EVENT_WEIGHTS: Record<EventType, number> = {
  view: 1,
  click: 2,
  add_to_cart: 4,
  remove_from_cart: 0,
  purchase: 6,
  search: 0,
};
export const EVENT_WEIGHT_BY_CODE = Float32Array.from(EVENT_TYPES, (t) => EVENT_WEIGHTS[t]);
export const RECENT_ITEMS = 20;
/** Category interest halves over this long without events. */
export const AFFINITY_HALF_LIFE_MS = 14 * 86_400_000;

export const emptyState = (): UserState => ({
  recent: [],
  lastTime: -Infinity,
  events: 0,
  categories: new Map(),
  groups: new Map(),
  categoryTotal: 0,
  logPrice: [0, 0, 0],
  session: null,
});

/** What a state needs to know of the catalogue. */
export type StateCatalogue = Pick<ProductIndex, 'category' | 'group' | 'price'>;

/** One event as the state takes it: `product` is a dense product index (-1 for none or unknown). */
export interface StateEvent {
  time: number;
  type: number;
  product: number;
  session: string | null;
}

/**
 * Applies one event. Events should come in time order; a late one (before `lastTime`) is applied
 * without decay, so replaying a log twice over the same history gives the same state.
 */
export function applyEvent(state: UserState, e: StateEvent, products: StateCatalogue): void {
  if (e.time > state.lastTime) {
    if (Number.isFinite(state.lastTime) && state.categoryTotal > 0) {
      const factor = Math.pow(2, -(e.time - state.lastTime) / AFFINITY_HALF_LIFE_MS);
      // forEach, not for..of: no entry array per key at each event (the same products, in the same order).
      state.categories.forEach((w, c, m) => m.set(c, w * factor));
      state.groups.forEach((w, g, m) => m.set(g, w * factor));
      state.categoryTotal *= factor;
    }
    state.lastTime = e.time;
  }
  state.events++;
  if (e.session !== null) state.session = e.session;
  const w = EVENT_WEIGHT_BY_CODE[e.type] ?? 0;
  if (w === 0 || e.product < 0) return;
  const at = state.recent.indexOf(e.product);
  if (at !== 0) {
    if (at > 0) state.recent.splice(at, 1);
    state.recent.unshift(e.product);
    if (state.recent.length > RECENT_ITEMS) state.recent.length = RECENT_ITEMS;
  }
  const c = products.category[e.product];
  const g = products.group[e.product];
  if (c >= 0) state.categories.set(c, (state.categories.get(c) ?? 0) + w);
  if (g >= 0) state.groups.set(g, (state.groups.get(g) ?? 0) + w);
  state.categoryTotal += w;
  const p = products.price[e.product];
  if (p > 0) {
    const lp = Math.log(p);
    state.logPrice[0] += lp;
    state.logPrice[1] += lp * lp;
    state.logPrice[2]++;
  }
}

/** Share of the user's (decayed) interest in category `c`, or in group `g`. */
export const categoryShare = (state: UserState, c: number) =>
  c >= 0 && state.categoryTotal > 0 ? (state.categories.get(c) ?? 0) / state.categoryTotal : 0;
export const groupShare = (state: UserState, g: number) =>
  g >= 0 && state.categoryTotal > 0 ? (state.groups.get(g) ?? 0) / state.categoryTotal : 0;

export { EVENT_CODE };
