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
  'user_category_share',
  'user_group_share',
  'user_events',
  'user_recent_items',
  'seen_rank',
  'product_views',
  'product_cart_rate',
  'product_purchase_rate',
  'category_share',
  'log_price',
  'price_gap',
] as const;

/** What each re-ranker column means (report hover text). */
export const RECOMMEND_FEATURE_DESCRIPTIONS: Record<(typeof RECOMMEND_FEATURES)[number], string> = {
  covisit: "co-visitation: recency-weighted share of the recent items' co-visits that go to this product",
  embedding: 'item2vec: cosine of the product with the recency-weighted mean vector of the recent items',
  category: "the user's interest share in the product's category and top-level group × its popularity there",
  trending: "rise of the product's interactions in the last week over the four before (log ratio × log volume)",
  popular: 'recency-weighted interactions, relative to the most popular product',
  user_category_share: "share of the user's decayed interest in the product's category",
  user_group_share: "share of the user's decayed interest in the product's top-level category",
  user_events: "log(1 + the user's events so far)",
  user_recent_items: 'distinct products the user touched recently (up to 20)',
  seen_rank: "position of the product in the user's recent items (0: not among them)",
  product_views: 'log(1 + views of the product in training)',
  product_cart_rate: '(carts + 1) / (views + 20) in training',
  product_purchase_rate: '(purchases + 0.2) / (views + 20) in training',
  category_share: "the product category's share of all interactions",
  log_price: "log of the product's price",
  price_gap: "|log price − the user's mean log price| / (their spread + 0.25)",
};

/** The `n` indices with the largest scores (ties: lower index first), best first; only positive scores when `positiveOnly`. */
export function topIndices(scores: Float32Array, n: number, positiveOnly: boolean): number[] {
  if (n <= 0) return [];
  // A min-heap of the best so far, worst on top. Indices come in ascending order, so an equal score
  // never displaces a kept one: ties keep the lower index, as a stable sort would.
  const heap = new Int32Array(n);
  let size = 0;
  for (let p = 0; p < scores.length; p++) {
    const s = scores[p];
    if (positiveOnly && !(s > 0)) continue;
    if (size < n) {
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        const q = heap[parent];
        // The parent must be worse than p: lower score, or equal score and a higher index.
        if (scores[q] < s || (scores[q] === s && q > p)) break;
        heap[i] = q;
        i = parent;
      }
      heap[i] = p;
    } else if (s > scores[heap[0]]) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        let c = l;
        const r = l + 1;
        if (
          r < size &&
          (scores[heap[r]] < scores[heap[l]] || (scores[heap[r]] === scores[heap[l]] && heap[r] > heap[l]))
        )
          c = r;
        const q = heap[c];
        if (s < scores[q] || (s === scores[q] && p > q)) break;
        heap[i] = q;
        i = c;
      }
      heap[i] = p;
    }
  }
  return Array.from(heap.subarray(0, size)).sort((a, b) => scores[b] - scores[a] || a - b);
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
      covisit: new Float32Array(n),
      embedding: new Float32Array(n),
      category: new Float32Array(n),
      trending: popularity.trending,
      popular: popularity.popular,
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
        for (const p of popularity.byCategory[c] ?? [])
          scores.category[p] += (0.5 * share * popularity.popular[p]) / (this.categoryTop[c] || 1);
      }
      for (const [g, w] of state.groups) {
        const share = w / state.categoryTotal;
        for (const p of popularity.byGroup[g] ?? [])
          scores.category[p] += (0.5 * share * popularity.popular[p]) / (this.groupTop[g] || 1);
      }
    }
    const lists = {} as Record<Source, number[]>;
    const seen = new Set<number>();
    const items: number[] = [];
    for (const source of SOURCES) {
      // Trending scores may be negative; the other sources only propose items they actually score.
      lists[source] = topIndices(scores[source], model.candidates.per_source[source], source !== 'trending');
      for (const p of lists[source])
        if (!seen.has(p)) {
          seen.add(p);
          items.push(p);
        }
    }
    const width = RECOMMEND_FEATURES.length;
    const features = new Float32Array(items.length * width);
    const [sum, squares, count] = state?.logPrice ?? [0, 0, 0];
    const meanLogPrice = count > 0 ? sum / count : NaN;
    const sdLogPrice = count > 1 ? Math.sqrt(Math.max(0, squares / count - meanLogPrice ** 2)) : 0;
    const seenRank = new Map(recent.map((p, r) => [p, r + 1]));
    const sourceScores = SOURCES.map((s) => scores[s]);
    const events = Math.log1p(state?.events ?? 0);
    for (let i = 0, o = 0; i < items.length; i++, o += width) {
      const p = items[i];
      const c = products.category[p];
      const logPrice = products.price[p] > 0 ? Math.log(products.price[p]) : NaN;
      let j = o;
      for (const source of sourceScores) features[j++] = source[p];
      features[j++] = state ? categoryShare(state, c) : 0;
      features[j++] = state ? groupShare(state, products.group[p]) : 0;
      features[j++] = events;
      features[j++] = recent.length;
      features[j++] = seenRank.get(p) ?? 0;
      features[j++] = popularity.views[p];
      features[j++] = popularity.cartRate[p];
      features[j++] = popularity.purchaseRate[p];
      features[j++] = c >= 0 ? popularity.categoryShare[c] : NaN;
      features[j++] = logPrice;
      features[j++] = Math.abs(logPrice - meanLogPrice) / (sdLogPrice + 0.25);
    }
    return { items: Int32Array.from(items), features, lists };
  }
}
