import { addNeighbours, type Neighbours } from './covisit';
import { type Embedding, scoreBySimilarity } from './item2vec';
import type { Popularity } from './popularity';
import type { ProductIndex } from './products';
import { categoryShare, groupShare, type UserState } from './state';

/** Candidate sources, in the order their scores appear in features and reports. */
export const SOURCES = ['covisit', 'embedding', 'category', 'trending', 'popular'] as const;
export type Source = (typeof SOURCES)[number];

export interface CandidateParams {
  /** Candidates each source contributes (its top n over the catalogue). */
  per_source: Record<Source, number>;
  /** Weight of the r-th most recent item is recency_decay^r, for co-visitation and the embedding. */
  recency_decay: number;
}

/** Everything fitted offline that candidates and features need. */
export interface RecommendModel {
  products: ProductIndex;
  covisit: Neighbours;
  popularity: Popularity;
  embedding: Embedding;
  candidates: CandidateParams;
}

/** The re-ranker's input columns, in order. */
export const RECOMMEND_FEATURES = [
  ...SOURCES,
  'user_category_share', 'user_group_share', 'user_events', 'user_recent_items', 'seen_rank',
  'product_views', 'product_cart_rate', 'product_purchase_rate', 'category_share', 'log_price', 'price_gap',
] as const;

/** What each re-ranker column means (report hover text). */
export const RECOMMEND_FEATURE_DESCRIPTIONS: Record<(typeof RECOMMEND_FEATURES)[number], string> = {
  covisit: 'co-visitation: recency-weighted share of the recent items\' co-visits that go to this product',
  embedding: 'item2vec: cosine of the product with the recency-weighted mean vector of the recent items',
  category: 'the user\'s interest share in the product\'s category and top-level group × its popularity there',
  trending: 'rise of the product\'s interactions in the last week over the four before (log ratio × log volume)',
  popular: 'recency-weighted interactions, relative to the most popular product',
  user_category_share: 'share of the user\'s decayed interest in the product\'s category',
  user_group_share: 'share of the user\'s decayed interest in the product\'s top-level category',
  user_events: 'log(1 + the user\'s events so far)',
  user_recent_items: 'distinct products the user touched recently (up to 20)',
  seen_rank: 'position of the product in the user\'s recent items (0: not among them)',
  product_views: 'log(1 + views of the product in training)',
  product_cart_rate: '(carts + 1) / (views + 20) in training',
  product_purchase_rate: '(purchases + 0.2) / (views + 20) in training',
  category_share: 'the product category\'s share of all interactions',
  log_price: 'log of the product\'s price',
  price_gap: '|log price − the user\'s mean log price| / (their spread + 0.25)',
};

/** The `n` indices with the largest scores (ties: lower index first), best first; only positive scores when `positiveOnly`. */
export function topIndices(scores: ArrayLike<number>, n: number, positiveOnly: boolean): number[] {
  const heap: number[] = [];
  const worse = (a: number, b: number) => scores[a] < scores[b] || (scores[a] === scores[b] && a > b);
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(heap[l], heap[m])) m = l;
      if (r < heap.length && worse(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  if (n <= 0) return [];
  for (let p = 0; p < scores.length; p++) {
    if (positiveOnly && !(scores[p] > 0)) continue;
    if (heap.length < n) {
      heap.push(p);
      for (let i = heap.length - 1; i > 0;) {
        const parent = (i - 1) >> 1;
        if (!worse(heap[i], heap[parent])) break;
        [heap[i], heap[parent]] = [heap[parent], heap[i]];
        i = parent;
      }
    } else if (worse(heap[0], p)) {
      heap[0] = p;
      down(0);
    }
  }
  return heap.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
}

/** One user's candidates: product indices, their features (row-major, RECOMMEND_FEATURES), and each source's own top list. */
export interface Candidates {
  items: Int32Array;
  features: Float32Array;
  /** Each source's best `per_source` items over the whole catalogue, best first. */
  lists: Record<Source, number[]>;
}

/**
 * Scores the whole catalogue by every source for a user's state, takes the union of each source's
 * top items, and builds their features. Holds per-source scratch arrays, so one scorer serves
 * one caller at a time.
 */
export class CandidateScorer {
  private readonly scores: Record<Source, Float32Array>;
  private readonly categoryTop: Float32Array;
  private readonly groupTop: Float32Array;

  constructor(readonly model: RecommendModel) {
    const n = model.products.ids.length;
    const { popularity } = model;
    this.scores = {
      covisit: new Float32Array(n), embedding: new Float32Array(n), category: new Float32Array(n),
      trending: popularity.trending, popular: popularity.popular,
    };
    // The category source scores a product by the user's share in its category × its popularity there.
    this.categoryTop = Float32Array.from(popularity.byCategory, (ps) => (ps.length ? popularity.popular[ps[0]] : 0));
    this.groupTop = Float32Array.from(popularity.byGroup, (ps) => (ps.length ? popularity.popular[ps[0]] : 0));
  }

  candidates(state: UserState | undefined): Candidates {
    const { model, scores } = this;
    const { products, popularity } = model;
    const recent = state?.recent ?? [];
    const weights = recent.map((_, r) => Math.pow(model.candidates.recency_decay, r));
    scores.covisit.fill(0);
    recent.forEach((p, r) => addNeighbours(model.covisit, p, weights[r], scores.covisit));
    scoreBySimilarity(model.embedding, recent, weights, scores.embedding);
    scores.category.fill(0);
    if (state && state.categoryTotal > 0) {
      // Half from the user's leaf categories, half from their top-level groups, each × popularity relative to the best there.
      for (const [c, w] of state.categories) {
        const share = w / state.categoryTotal;
        for (const p of popularity.byCategory[c] ?? []) scores.category[p] += (0.5 * share * popularity.popular[p]) / (this.categoryTop[c] || 1);
      }
      for (const [g, w] of state.groups) {
        const share = w / state.categoryTotal;
        for (const p of popularity.byGroup[g] ?? []) scores.category[p] += (0.5 * share * popularity.popular[p]) / (this.groupTop[g] || 1);
      }
    }
    const lists = {} as Record<Source, number[]>;
    const seen = new Set<number>();
    const items: number[] = [];
    for (const source of SOURCES) {
      // Trending scores may be negative; the other sources only propose items they actually score.
      lists[source] = topIndices(scores[source], model.candidates.per_source[source], source !== 'trending');
      for (const p of lists[source]) if (!seen.has(p)) { seen.add(p); items.push(p); }
    }
    const width = RECOMMEND_FEATURES.length;
    const features = new Float32Array(items.length * width);
    const [sum, squares, count] = state?.logPrice ?? [0, 0, 0];
    const meanLogPrice = count > 0 ? sum / count : NaN;
    const sdLogPrice = count > 1 ? Math.sqrt(Math.max(0, squares / count - meanLogPrice ** 2)) : 0;
    items.forEach((p, i) => {
      const c = products.category[p];
      const logPrice = products.price[p] > 0 ? Math.log(products.price[p]) : NaN;
      const row = [
        ...SOURCES.map((s) => scores[s][p]),
        state ? categoryShare(state, c) : 0, state ? groupShare(state, products.group[p]) : 0, Math.log1p(state?.events ?? 0), recent.length, recent.indexOf(p) + 1,
        popularity.views[p], popularity.cartRate[p], popularity.purchaseRate[p], c >= 0 ? popularity.categoryShare[c] : NaN,
        logPrice, Math.abs(logPrice - meanLogPrice) / (sdLogPrice + 0.25),
      ];
      features.set(row, i * width);
    });
    return { items: Int32Array.from(items), features, lists };
  }
}
