import { type PurchaseIndex, sortedFind } from '../features/index';
import { type LoadedModel, modelInput } from './models';
import { eventTimeMs } from '../live/index';
import { purchaseProbabilities, type SessionEvent } from './purchase';

const DAY_MS = 86_400_000;

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
    const { outer, start, inner: upto, values } = index.history;
    const o = user === null ? -1 : sortedFind(outer, user);
    let found = -1;
    if (o >= 0) {
      // The user's last running total strictly before the snapshot day.
      let lo = start[o];
      let hi = start[o + 1];
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (upto[mid] < snapshotDay) lo = mid + 1;
        else hi = mid;
      }
      if (lo > start[o]) found = lo - 1;
    }
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
      user_bought_before: found >= 0 && values[2 * found + 1] > 0 ? 1 : 0,
      user_sessions: found >= 0 ? values[2 * found] : 0,
      user_recency_days: found >= 0 ? (snapshotDay - Math.floor(upto[found] / DAY_MS) * DAY_MS) / DAY_MS : null,
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
