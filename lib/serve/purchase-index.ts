import type { DuckDBConnection } from '@duckdb/node-api';

import { type LoadedModel, modelInput } from './models';
import { eventTimeMs, purchaseProbabilities, type SessionEvent } from './purchase';

const DAY_MS = 86_400_000;

/**
 * The purchase features' user history, read once from the serving store's `user_totals`: per
 * user, the running totals' days (ms) and their sessions and purchases, oldest first.
 */
export interface PurchaseIndex {
  users: Map<number, { upto: Float64Array; sessions: Float64Array; purchases: Float64Array }>;
}

/** Reads `user_totals` (on `con`) into typed arrays per user. */
export async function buildPurchaseIndex(con: DuckDBConnection): Promise<PurchaseIndex> {
  const reader = await con.runAndReadAll(
    'SELECT user_id, epoch_ms(upto) AS upto, sessions, purchases FROM user_totals ORDER BY user_id, upto',
  );
  // No rows (a log without user ids) gives no columns at all.
  const [ids = [], upto = [], sessions = [], purchases = []] = reader.getColumnsJS() as unknown[][];
  const users: PurchaseIndex['users'] = new Map();
  let start = 0;
  for (let i = 1; i <= ids.length; i++) {
    if (i < ids.length && ids[i] === ids[start]) continue;
    const take = (column: unknown[]) => Float64Array.from(column.slice(start, i), Number);
    users.set(Number(ids[start]), { upto: take(upto), sessions: take(sessions), purchases: take(purchases) });
    start = i;
  }
  return { users };
}

/** A feature value as the training set stores it: FLOAT or INTEGER (`selectList`), null kept. */
const float = (v: number | null) => (v === null ? null : Math.fround(v));

/**
 * The purchase set's features (`sessionFeatures`, computed by `purchaseSetSql`) of each posted
 * session right after its last event, in TypeScript: the prefix's counts, times and prices, and
 * the user's history strictly before the prediction's day. A test holds them equal to the SQL.
 */
export function purchaseFeatureRows(
  index: PurchaseIndex,
  sessions: readonly { events: readonly SessionEvent[] }[],
): Record<string, number | null>[] {
  return sessions.map(({ events }) => {
    let first = Infinity;
    let last = -Infinity;
    const counts = { view: 0, click: 0, add_to_cart: 0, remove_from_cart: 0, search: 0 } as Record<string, number>;
    const products = new Set<number>();
    let maxPrice: number | null = null;
    let priceMicros = 0;
    let pricedViews = 0;
    let user: number | null = null;
    for (const e of events) {
      const t = eventTimeMs(e.event_time);
      if (t < first) first = t;
      if (t > last) last = t;
      if (e.event_type in counts) counts[e.event_type]++;
      if (e.product_id !== null && e.product_id !== undefined) products.add(e.product_id);
      if (user === null && e.user_id !== null && e.user_id !== undefined) user = e.user_id;
      if (e.event_type === 'view' && e.price !== null && e.price !== undefined) {
        maxPrice = maxPrice === null ? e.price : Math.max(maxPrice, e.price);
        // As DECIMAL(38, 6), exact: the training SQL averages prices that way.
        priceMicros += Math.round(e.price * 1e6);
        pricedViews++;
      }
    }
    // The prediction is made 1 µs after the last event; times are whole milliseconds.
    const firstUs = first * 1000;
    const lastUs = last * 1000;
    const asOfUs = lastUs + 1;
    const asOf = new Date(last);
    const snapshotDay = Math.floor(last / DAY_MS) * DAY_MS;
    const n = events.length;
    const history = user === null ? undefined : index.users.get(user);
    let at = -1;
    if (history) {
      // The last running total strictly before the snapshot day.
      let lo = 0;
      let hi = history.upto.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (history.upto[mid] < snapshotDay) lo = mid + 1;
        else hi = mid;
      }
      at = lo - 1;
    }
    const found = history && at >= 0 ? at : -1;
    return {
      prefix_events: n,
      prefix_products: products.size,
      prefix_views: counts.view,
      prefix_clicks: counts.click,
      prefix_carts: counts.add_to_cart,
      prefix_removals: counts.remove_from_cart,
      prefix_searches: counts.search,
      seconds_since_start: float(asOfUs / 1e6 - firstUs / 1e6),
      mean_dwell_seconds: float(n > 1 ? (lastUs / 1e6 - firstUs / 1e6) / (n - 1) : null),
      max_price_viewed: float(maxPrice),
      mean_price_viewed: float(pricedViews ? priceMicros / pricedViews / 1e6 : null),
      hour: asOf.getUTCHours(),
      weekday: asOf.getUTCDay() === 0 ? 7 : asOf.getUTCDay(),
      user_bought_before: found >= 0 && history!.purchases[found] > 0 ? 1 : 0,
      user_sessions: found >= 0 ? history!.sessions[found] : 0,
      user_recency_days:
        found >= 0 ? (snapshotDay - Math.floor(history!.upto[found] / DAY_MS) * DAY_MS) / DAY_MS : null,
    };
  });
}

/** Purchase probabilities of posted sessions from the index: no SQL per request. */
export function predictPurchasesFast(
  index: PurchaseIndex,
  model: LoadedModel,
  sessions: readonly { events: readonly SessionEvent[] }[],
): { probabilities: number[]; features: Record<string, number | null>[] } {
  const features = purchaseFeatureRows(index, sessions);
  return { probabilities: purchaseProbabilities(model, modelInput(model, features).values, features.length), features };
}
