import type { Interactions } from './interactions';
import type { ProductIndex } from './products';
import { EVENT_CODE, EVENT_WEIGHT_BY_CODE } from './state';

export interface PopularityParams {
  /** An event's weight halves every this many days before `end`. */
  half_life_days: number;
  /** Trending compares the last this many days with the four periods before them. */
  trend_days: number;
  /** Products kept per category for the category source. */
  per_category: number;
}

/** Per product (dense index): how popular, how fast rising, and how often views turn into carts and purchases. */
export interface Popularity {
  /** Recency-weighted interaction weight, scaled so the most popular product is 1. */
  popular: Float32Array;
  /** log((recent + 5) / (earlier per period + 5)) × log1p(recent): rising products with some volume. */
  trending: Float32Array;
  /** (carts + 1) / (views + 20) and (purchases + 0.2) / (views + 20): smoothed rates. */
  cartRate: Float32Array;
  purchaseRate: Float32Array;
  /** log1p(views). */
  views: Float32Array;
  /** Per category index, and per top-level group: products by popularity, best first, at most `per_category`. */
  byCategory: Int32Array[];
  byGroup: Int32Array[];
  /** Each category's share of all interaction weight. */
  categoryShare: Float32Array;
}

export function fitPopularity(
  x: Interactions,
  products: Pick<ProductIndex, 'category' | 'categories' | 'group' | 'groups'>,
  end: number,
  params: PopularityParams,
): Popularity {
  const { category, group } = products;
  const categories = products.categories.length;
  const n = category.length;
  const decayed = new Float64Array(n);
  const recent = new Float64Array(n);
  const earlier = new Float64Array(n);
  const views = new Float64Array(n);
  const carts = new Float64Array(n);
  const purchases = new Float64Array(n);
  const day = 86_400_000;
  for (let i = 0; i < x.time.length; i++) {
    const p = x.product[i];
    if (p < 0 || x.time[i] >= end) continue;
    const w = EVENT_WEIGHT_BY_CODE[x.type[i]];
    const age = end - x.time[i];
    decayed[p] += w * Math.pow(2, -age / (params.half_life_days * day));
    if (w > 0) {
      if (age < params.trend_days * day) recent[p]++;
      else if (age < 5 * params.trend_days * day) earlier[p]++;
    }
    if (x.type[i] === EVENT_CODE.view) views[p]++;
    else if (x.type[i] === EVENT_CODE.add_to_cart) carts[p]++;
    else if (x.type[i] === EVENT_CODE.purchase) purchases[p]++;
  }
  const top = decayed.reduce((m, v) => (v > m ? v : m), 1e-12);
  const popular = Float32Array.from(decayed, (v) => v / top);
  const trending = Float32Array.from(recent, (r, p) => Math.log((r + 5) / (earlier[p] / 4 + 5)) * Math.log1p(r));
  const byCategory: number[][] = Array.from({ length: categories }, () => []);
  const byGroup: number[][] = Array.from({ length: products.groups.length }, () => []);
  for (let p = 0; p < n; p++) if (group[p] >= 0) byGroup[group[p]].push(p);
  const best = (ps: number[]) =>
    Int32Array.from(ps.sort((a, b) => decayed[b] - decayed[a] || a - b).slice(0, params.per_category));
  const categoryWeight = new Float64Array(categories);
  for (let p = 0; p < n; p++) {
    if (category[p] < 0) continue;
    byCategory[category[p]].push(p);
    categoryWeight[category[p]] += decayed[p];
  }
  const total = categoryWeight.reduce((s, v) => s + v, 0) || 1;
  return {
    popular,
    trending,
    cartRate: Float32Array.from(carts, (c, p) => (c + 1) / (views[p] + 20)),
    purchaseRate: Float32Array.from(purchases, (c, p) => (c + 0.2) / (views[p] + 20)),
    views: Float32Array.from(views, Math.log1p),
    byCategory: byCategory.map(best),
    byGroup: byGroup.map(best),
    categoryShare: Float32Array.from(categoryWeight, (w) => w / total),
  };
}
