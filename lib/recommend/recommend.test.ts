import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { EVENT_CODE } from '../events';
import { Rng } from '../random';
import { tempDir } from '../testing';
import {
  AFFINITY_HALF_LIFE_MS,
  applyEvent,
  CandidateScorer,
  emptyState,
  epochOrder,
  fitCovisitation,
  fitCovisitationOnThreads,
  fitItem2Vec,
  fitPopularity,
  type Interactions,
  loadRecommendModel,
  productIndex,
  RECENT_ITEMS,
  RECOMMEND_FEATURES,
  type RecommendModel,
  reciprocalRankFusion,
  liveStates,
  loadStates,
  openStates,
  replayLiveStates,
  replayStates,
  replayUserStates,
  saveStates,
  saveRecommendModel,
  sequencePairs,
  sequencePairSource,
  skipGramPairs,
  topIndices,
} from '.';
import { sessionRanges } from './interactions';
import { EVENT_WEIGHT_BY_CODE } from './state';

const DAY = 86_400_000;
const { view, click, add_to_cart: cart, purchase, search, remove_from_cart: remove } = EVENT_CODE;

/** Six products: 0–2 in category a (group X), 3–4 in b (group X), 5 in c (group Y). */
const products = productIndex([
  { product_id: 10, category_id: 'a', category_path: 'X > a', price: 10 },
  { product_id: 11, category_id: 'a', category_path: 'X > a', price: 20 },
  { product_id: 12, category_id: 'a', category_path: 'X > a', price: 40 },
  { product_id: 13, category_id: 'b', category_path: 'X > b', price: 10 },
  { product_id: 14, category_id: 'b', category_path: 'X > b', price: null },
  { product_id: 15, category_id: 'c', category_path: null, price: 5 },
]);

/** Interactions from rows [session, time, type, product, user]. */
function interactions(rows: [number, number, number, number, number?][]): Interactions {
  return {
    session: Int32Array.from(rows, (r) => r[0]),
    time: Float64Array.from(rows, (r) => r[1]),
    type: Uint8Array.from(rows, (r) => r[2]),
    product: Int32Array.from(rows, (r) => r[3]),
    user: Float64Array.from(rows, (r) => r[4] ?? 1),
  };
}

describe('products and user state', () => {
  it('indexes products by ascending id, with categories and top-level groups (the category itself when there is no path)', () => {
    expect(Array.from(products.ids)).toEqual([10, 11, 12, 13, 14, 15]);
    expect(products.categories).toEqual(['a', 'b', 'c']);
    expect(products.groups).toEqual(['X', 'c']);
    expect(Array.from(products.group)).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it('keeps distinct recent items newest first, weighs events by type, ignores searches and removals, and halves interest per half-life', () => {
    const s = emptyState();
    const at = (time: number, type: number, product: number) =>
      applyEvent(s, { time, type, product, session: 's' }, products);
    at(0, view, 0);
    at(1000, click, 3);
    at(2000, view, 0);
    at(3000, search, -1);
    at(4000, remove, 5);
    expect(s.recent).toEqual([0, 3]);
    expect(s.events).toBe(5);
    // Interest: a = 1 + 1 (two views), b = 2 (a click); seconds of decay are a few parts in a million.
    expect(s.categories.get(0)).toBeCloseTo(2, 4);
    expect(s.categories.get(1)).toBeCloseTo(2, 4);
    expect(s.groups.get(0)).toBeCloseTo(4, 4);
    at(4000 + AFFINITY_HALF_LIFE_MS, purchase, 5);
    // One half-life later the old interest has halved; the purchase adds 6 to c.
    expect(s.categories.get(0)).toBeCloseTo(1, 4);
    expect(s.categories.get(2)).toBe(6);
    expect(s.categoryTotal).toBeCloseTo(2 + 6, 4);
    // A late event is applied without decay.
    at(0, cart, 4);
    expect(s.categories.get(1)).toBeCloseTo(1 + 4, 4);
    expect(s.recent).toEqual([4, 5, 0, 3]);
    // Price: log prices of touched products with a price (product 4 has none).
    expect(s.logPrice[2]).toBe(4);
  });

  it('holds at most RECENT_ITEMS recent products', () => {
    const many = productIndex(
      Array.from({ length: 30 }, (_, i) => ({ product_id: i, category_id: null, category_path: null, price: null })),
    );
    const s = emptyState();
    for (let p = 0; p < 30; p++) applyEvent(s, { time: p, type: view, product: p, session: null }, many);
    expect(s.recent).toEqual(Array.from({ length: RECENT_ITEMS }, (_, i) => 29 - i));
  });
});

describe('candidate sources', () => {
  it('co-visitation by hand: merged repeats, window, event weights, recency, row shares', () => {
    const end = 10 * DAY;
    // Session 0 (at the end, recency 1): view 0, click 0 (merged, weight 2), cart 1, view 2. Session 1 (one half-life earlier, recency 0.5): view 0, view 3.
    const x = interactions([
      [0, end, view, 0],
      [0, end, click, 0],
      [0, end, cart, 1],
      [0, end, view, 2],
      [1, end - 30 * DAY, view, 0],
      [1, end - 30 * DAY, view, 3],
    ]);
    const n = fitCovisitation(x, 6, end, { window: 1, neighbours: 10, half_life_days: 30 });
    // Item 0: → 1 with the cart's weight 4; → 3 with view weight 1 × 0.5. Shares 4 / 4.5 and 0.5 / 4.5. Item 0 and 2 are 2 apart: outside the window.
    const row = (a: number) =>
      Array.from(n.items.subarray(n.indptr[a], n.indptr[a + 1])).map((b, k) => [b, n.scores[n.indptr[a] + k]]);
    expect(row(0).map(([b]) => b)).toEqual([1, 3]);
    expect(row(0)[0][1]).toBeCloseTo(4 / 4.5, 6);
    expect(row(0)[1][1]).toBeCloseTo(0.5 / 4.5, 6);
    // Item 1: → 0 with weight 2 (the merged click), → 2 with 1: shares 2/3, 1/3.
    expect(row(1).map(([b, w]) => [b, Number(w.toFixed(6))])).toEqual([
      [0, Number((2 / 3).toFixed(6))],
      [2, Number((1 / 3).toFixed(6))],
    ]);
    expect(row(5)).toEqual([]);
  });

  it('co-visitation one item at a time equals a table of every pair, score for score (repeats, a x a, long sessions, ties), on one thread or several', async () => {
    const rng = new Rng(12);
    const rows: [number, number, number, number, number][] = [];
    const end = 40 * DAY;
    for (let s = 0; s < 400; s++) {
      const t = end - rng.int(40) * DAY;
      for (let k = 2 + rng.int(rng.next() < 0.1 ? 40 : 6); k > 0; k--)
        rows.push([s, t, rng.int(6), rng.next() < 0.5 ? rng.int(4) : rng.int(30) - 1, 1]);
    }
    const x = interactions(rows);
    const params = { window: 3, neighbours: 8, half_life_days: 14 };
    // The definition as one map of rows filled in session and pair order (the implementation before this one).
    const table: Map<number, number>[] = Array.from({ length: 30 }, () => new Map());
    for (const [from, to] of sessionRanges(x)) {
      const seq: [number, number][] = [];
      for (let i = from; i < to; i++) {
        const w = EVENT_WEIGHT_BY_CODE[x.type[i]];
        if (x.product[i] < 0 || w === 0) continue;
        if (seq.length && seq.at(-1)![0] === x.product[i]) seq.at(-1)![1] = Math.max(seq.at(-1)![1], w);
        else seq.push([x.product[i], w]);
      }
      const recency = Math.pow(2, -(end - x.time[from]) / (params.half_life_days * DAY));
      for (let i = 0; i < seq.length; i++)
        for (let j = i + 1; j <= Math.min(seq.length - 1, i + params.window); j++) {
          const [a, wa] = seq[i];
          const [b, wb] = seq[j];
          if (a === b) continue;
          table[a].set(b, (table[a].get(b) ?? 0) + wb * recency);
          table[b].set(a, (table[b].get(a) ?? 0) + wa * recency);
        }
    }
    const expected = table.map((row) => {
      const entries = [...row];
      const total = entries.reduce((t, [, w]) => t + w, 0);
      return entries
        .sort((p, q) => q[1] - p[1] || p[0] - q[0])
        .slice(0, params.neighbours)
        .map(([b, w]) => [b, Math.fround(w / total)]);
    });
    const n = fitCovisitation(x, 30, end, params);
    const got = expected.map((_, a) =>
      Array.from(n.items.subarray(n.indptr[a], n.indptr[a + 1])).map((b, k) => [b, n.scores[n.indptr[a] + k]]),
    );
    expect(got).toEqual(expected);
    expect(expected.filter((r) => r.length === params.neighbours).length).toBeGreaterThan(3);
    // Ranges of items' rows on worker threads (no minimum of touches): the same arrays.
    for (const threads of [2, 3]) expect(await fitCovisitationOnThreads(x, 30, end, params, threads, 0)).toEqual(n);
  });

  it('popularity by hand: decayed weights scaled to the top product, smoothed rates, per-category and per-group order', () => {
    const end = 100 * DAY;
    const x = interactions([
      [0, end - DAY, view, 0],
      [0, end - DAY, cart, 0],
      [0, end - DAY, view, 1],
      [1, end - 15 * DAY, purchase, 3],
      [1, end, view, 2],
    ]);
    const pop = fitPopularity(x, products, end, { half_life_days: 14, trend_days: 7, per_category: 2 });
    // Product 0: (1 + 4) · 2^(-1/14); product 3: 6 · 2^(-15/14); product 2 at `end` is not before it and is ignored.
    const w0 = 5 * Math.pow(2, -1 / 14);
    const w3 = 6 * Math.pow(2, -15 / 14);
    expect(pop.popular[0]).toBeCloseTo(1, 6);
    expect(pop.popular[3]).toBeCloseTo(w3 / w0, 5);
    expect(pop.popular[2]).toBe(0);
    expect(pop.cartRate[0]).toBeCloseTo(2 / 21, 6);
    expect(pop.purchaseRate[3]).toBeCloseTo(1.2 / 20, 6);
    expect(Array.from(pop.byCategory[0])).toEqual([0, 1]);
    expect(Array.from(pop.byGroup[0])).toEqual([0, 3]);
    // Trending: product 0 had 2 weighted events in the last 7 days and none before: log(7/5) × log(3).
    expect(pop.trending[0]).toBeCloseTo(Math.log(7 / 5) * Math.log(3), 5);
  });

  it("skip-gram pairs come from each session's touched products within the window", () => {
    const x = interactions([
      [0, 0, view, 0],
      [0, 1, view, 1],
      [0, 2, search, -1],
      [0, 3, view, 2],
      [1, 4, view, 3],
    ]);
    const { centre, context } = skipGramPairs(x, 1);
    expect(Array.from(centre, (c, i) => [c, context[i]])).toEqual([
      [0, 1],
      [1, 0],
      [1, 2],
      [2, 1],
    ]);
  });

  it('sequence pairs: repeats in a row merged, an item never its own context, long sequences too', () => {
    // Written out (sequencePairs) and found one by one (sequencePairSource): the same pairs.
    const pairs = (sequences: number[][], window: number) => {
      const { centre, context } = sequencePairs(() => sequences, window);
      const source = sequencePairSource(sequences, window, 200);
      const out = new Int32Array(2);
      const found = Array.from({ length: source.length }, (_, r) => (source.pair(r, out), [out[0], out[1]]));
      const written = Array.from(centre, (c, i) => [c, context[i]]);
      expect(found).toEqual(written);
      return written;
    };
    // [5, 5, 6, 5, 7] is 5 6 5 7 once repeats in a row are merged.
    expect(pairs([[5, 5, 6, 5, 7]], 1)).toEqual([
      [5, 6],
      [6, 5],
      [6, 5],
      [5, 6],
      [5, 7],
      [7, 5],
    ]);
    expect(pairs([[5, 5, 6, 5, 7]], 2)).toEqual([
      [5, 6],
      [6, 5],
      [6, 5],
      [6, 7],
      [5, 6],
      [5, 7],
      [7, 6],
      [7, 5],
    ]);
    // A sequence of 100 distinct items (past any small buffer), then a short one after it.
    const long = Array.from({ length: 100 }, (_, i) => i);
    const got = pairs([long, [7, 8]], 1);
    expect(got.length).toBe(2 * 99 + 2);
    expect(got.slice(0, 3)).toEqual([
      [0, 1],
      [1, 0],
      [1, 2],
    ]);
    expect(got.slice(-4)).toEqual([
      [98, 99],
      [99, 98],
      [7, 8],
      [8, 7],
    ]);
  });

  it('a pair source gives every written pair in order and counts each item as a context', () => {
    // Empty sequences, sequences of one item and of one repeated item make no pairs (runs of empty
    // ones share their start with the next sequence in the running sums).
    const rng = new Rng(13);
    const sequences = Array.from({ length: 300 }, () =>
      Array.from({ length: rng.int(4) === 0 ? rng.int(2) : rng.int(30) }, () => rng.int(rng.int(2) ? 3 : 40)),
    );
    // Two long ones (over 64 items once repeats in a row are merged, written out) among them.
    sequences.splice(
      100,
      0,
      Array.from({ length: 150 }, (_, i) => (i * 7 + rng.int(2)) % 40),
    );
    sequences.splice(
      200,
      0,
      Array.from({ length: 90 }, (_, i) => i % 40),
    );
    sequences.push([], [], [4, 4, 4]);
    for (const window of [1, 3]) {
      const { centre, context } = sequencePairs(() => sequences, window);
      const source = sequencePairSource(sequences, window, 40);
      expect(source.length).toBe(centre.length);
      const out = new Int32Array(2);
      for (let r = 0; r < centre.length; r++) {
        source.pair(r, out);
        expect([out[0], out[1]]).toEqual([centre[r], context[r]]);
      }
      const counts = new Float64Array(40);
      for (const c of context) counts[c]++;
      expect(Array.from(source.contextCounts)).toEqual(Array.from(counts));
      expect(() => source.pair(centre.length, out)).toThrow(RangeError);
    }
  });

  it('an epoch trains on every pair shuffled, or on a sample of max_pairs distinct pairs, each pair equally likely', () => {
    const rng = new Rng(5);
    expect(Array.from(epochOrder(6, 6, rng)).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    // 20,000 samples of 3 of 10 pairs: each sample distinct and in range; each pair drawn about
    // 3/10 of the time (binomial sd 0.0032) and first about 1/10 of the time.
    const drawn = new Array(10).fill(0);
    const first = new Array(10).fill(0);
    for (let t = 0; t < 20_000; t++) {
      const order = Array.from(epochOrder(10, 3, rng));
      expect(new Set(order).size).toBe(3);
      for (const i of order) {
        expect(i >= 0 && i < 10).toBe(true);
        drawn[i]++;
      }
      first[order[0]]++;
    }
    for (let i = 0; i < 10; i++) {
      expect(Math.abs(drawn[i] / 20_000 - 0.3)).toBeLessThan(0.02);
      expect(Math.abs(first[i] / 20_000 - 0.1)).toBeLessThan(0.015);
    }
  });

  it('item2vec (tfjs, wasm) puts products that share sessions closer than products that never do', async () => {
    // Two worlds of 10 products each; sessions never mix them.
    const rng = new Rng(3);
    const rows: [number, number, number, number][] = [];
    for (let s = 0; s < 600; s++) {
      const base = s % 2 === 0 ? 0 : 10;
      for (let k = 0; k < 5; k++) rows.push([s, s * 10 + k, view, base + rng.int(10)]);
    }
    const e = await fitItem2Vec(
      interactions(rows),
      20,
      { dim: 8, window: 2, negatives: 3, max_pairs: 100_000, epochs: 3, batch: 512, learning_rate: 0.05 },
      1,
    );
    const cos = (a: number, b: number) => {
      let s = 0;
      for (let d = 0; d < 8; d++) s += e.vectors[a * 8 + d] * e.vectors[b * 8 + d];
      return s;
    };
    let same = 0;
    let across = 0;
    for (let a = 0; a < 10; a++)
      for (let b = 0; b < 10; b++)
        if (a !== b) {
          same += cos(a, b) + cos(a + 10, b + 10);
          across += cos(a, b + 10) * 2;
        }
    expect(same / 180).toBeGreaterThan(across / 180 + 0.3);
    expect(e.loss.at(-1)!).toBeLessThan(e.loss[0]);
  });

  it('topIndices equals a full sort (ties by index) and can skip non-positive scores', () => {
    const rng = new Rng(9);
    const scores = Float32Array.from({ length: 500 }, () => Math.round(rng.normal() * 5) / 5);
    const sorted = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
    expect(topIndices(scores, 37, false)).toEqual(sorted.slice(0, 37));
    expect(topIndices(scores, 1000, true)).toEqual(sorted.filter((p) => scores[p] > 0));
  });

  it('reciprocal rank fusion by hand', () => {
    // Item 7: 1/61 + 1/62; item 8: 1/62 + 1/61 (tie, lower id first); item 9: 1/63.
    expect(
      reciprocalRankFusion(
        [
          [7, 8, 9],
          [8, 7],
        ],
        3,
      ),
    ).toEqual([7, 8, 9]);
    // Model scores: the top 2 of (0.1, 0.3, 0.3) are indices 1 and 2, the tie kept in order.
    expect(topIndices(Float32Array.from([0.1, 0.3, 0.3]), 2, false)).toEqual([1, 2]);
  });
});

/** A small fitted model over the six products, by hand. */
function smallModel(): RecommendModel {
  const end = 10 * DAY;
  const x = interactions([
    [0, 1, view, 0],
    [0, 2, view, 1],
    [0, 3, view, 3],
    [1, 4, view, 0],
    [1, 5, view, 1],
    [2, 6, view, 5],
    [2, 7, cart, 2],
  ]);
  return {
    products,
    covisit: fitCovisitation(x, 6, end, { window: 2, neighbours: 5, half_life_days: 30 }),
    popularity: fitPopularity(x, products, end, { half_life_days: 14, trend_days: 7, per_category: 5 }),
    embedding: { dim: 2, vectors: Float32Array.from([1, 0, 0.8, 0.6, 0, 1, 0.6, 0.8, 0, 0, -1, 0]) },
    candidates: {
      per_source: { covisit: 20, embedding: 20, category: 20, trending: 20, popular: 20 },
      recency_decay: 0.5,
    },
  };
}

describe('candidates, features, and the offline replay', () => {
  it('a cold user gets only trending and popular candidates; a user who viewed product 0 gets its co-visited neighbours and category', () => {
    const scorer = new CandidateScorer(smallModel());
    const cold = scorer.candidates(undefined);
    expect(cold.lists.covisit).toEqual([]);
    expect(cold.lists.embedding).toEqual([]);
    expect(cold.lists.category).toEqual([]);
    expect(new Set(cold.items)).toEqual(new Set([...cold.lists.trending, ...cold.lists.popular]));
    const s = emptyState();
    applyEvent(s, { time: 1, type: view, product: 0, session: 's' }, products);
    const warm = scorer.candidates(s);
    expect(warm.lists.covisit).toEqual([1, 3]);
    // Embedding: cosine with product 0's vector (1, 0): 0 → 1, 1 → 0.8, 3 → 0.6; product 4 has no vector, 5 points away.
    expect(warm.lists.embedding).toEqual([0, 1, 3]);
    const width = RECOMMEND_FEATURES.length;
    const row = (p: number) =>
      Object.fromEntries(
        RECOMMEND_FEATURES.map((f, j) => [f, warm.features[Array.from(warm.items).indexOf(p) * width + j]]),
      );
    expect(row(0).seen_rank).toBe(1);
    expect(row(0).user_category_share).toBe(1);
    expect(row(3).user_category_share).toBe(0);
    expect(row(3).user_group_share).toBe(1);
    expect(row(1).covisit).toBeCloseTo(warm.features[Array.from(warm.items).indexOf(1) * width], 6);
    expect(row(1).price_gap).toBeCloseTo(Math.abs(Math.log(20) - Math.log(10)) / 0.25, 5);
  });

  it('replay: each example sees exactly the events strictly before its time; rewriting later events changes nothing', () => {
    const rng = new Rng(21);
    const rows: [number, number, number, number, number][] = Array.from({ length: 400 }, (_, i) => [
      i >> 2,
      i * 1000,
      rng.int(5),
      rng.int(6),
      1 + rng.int(3),
    ]);
    const examples = Array.from({ length: 30 }, (_, i) => ({
      session: `e${i}`,
      user: 1 + (i % 3),
      asOf: 1000 * (13 * i + 1) + (i % 2 ? 0 : 500),
      targets: [0],
    }));
    const snapshot = (x: Interactions) => {
      const seen: string[] = [];
      replayStates(x, products, examples, (e, s) =>
        seen.push(JSON.stringify([s?.recent, s?.events, s ? [...s.categories] : null])),
      );
      return seen;
    };
    const brute = examples.map((e) => {
      const s = emptyState();
      let any = false;
      for (const [, time, type, product, user] of rows)
        if (user === e.user && time < e.asOf) {
          applyEvent(s, { time, type, product, session: null }, products);
          any = true;
        }
      return JSON.stringify(any ? [s.recent, s.events, [...s.categories]] : [undefined, undefined, null]);
    });
    const x = interactions(rows);
    expect(snapshot(x)).toEqual(brute);
    const cut = examples[15].asOf;
    const changed = interactions(
      rows.map(
        ([s, t, , , u]) =>
          [s, t, t >= cut ? purchase : rows[t / 1000][2], t >= cut ? 5 : rows[t / 1000][3], u] as [
            number,
            number,
            number,
            number,
            number,
          ],
      ),
    );
    expect(snapshot(changed).slice(0, 16)).toEqual(snapshot(x).slice(0, 16));
  });

  it("every user's live state, one user at a time: each user's events applied in time order (ties in row order), anonymous ones skipped; the states file reads them back; threads give the same", async () => {
    const rng = new Rng(5);
    // Sessions in the sessionizer's order, whose times interleave across sessions and tie within and across them.
    const users = [7, 3, 5e9, NaN, 3.5];
    const rows: [number, number, number, number, number][] = [];
    for (let s = 0; s < 60; s++) {
      const user = users[rng.int(users.length)];
      let t = 1000 * rng.int(50);
      for (let k = 1 + rng.int(6); k > 0; k--) {
        rows.push([s, t, rng.int(6), rng.int(7) - 1, user]);
        t += 1000 * rng.int(3);
      }
    }
    const x = interactions(rows);
    const brute = new Map<number, ReturnType<typeof emptyState>>();
    for (const user of [3, 3.5, 7, 5e9]) {
      const state = emptyState();
      rows
        .filter((r) => r[4] === user)
        .sort((a, b) => a[1] - b[1])
        .forEach(([session, time, type, product]) =>
          applyEvent(state, { time, type, product, session: String(session) }, products),
        );
      brute.set(user, state);
    }
    const seen: number[] = [];
    replayUserStates(x, products, (user) => seen.push(user));
    expect(seen).toEqual([3, 3.5, 7, 5e9]);
    const live = liveStates(x, products);
    expect([...live.keys()]).toEqual([3, 3.5, 7, 5e9]);
    for (const [user, state] of brute) expect(live.get(user), String(user)).toEqual(state);
    // The states' replay must be order-sensitive for this to test anything: users' events do tie in time.
    expect(rows.some((a, i) => rows.some((b, j) => i < j && a[4] === b[4] && a[1] === b[1] && a[0] !== b[0]))).toBe(
      true,
    );
    const path = join(tempDir('shoplab-states-'), 'live.bin');
    saveStates(path, live, 'stamp');
    expect(loadStates(path, 'stamp')).toEqual(brute);
    expect(openStates(path, 'stamp')!.get(4)).toBeUndefined();
    // The same states from ranges of users replayed on two threads (one job per user here), and in-process.
    for (const threads of [2, 1]) {
      const writer = await replayLiveStates(x, products, threads, 0);
      expect(Array.from(writer.chunk().users)).toEqual([3, 3.5, 7, 5e9]);
      const at = join(tempDir('shoplab-states-'), `live-${threads}.bin`);
      writer.save(at, 'stamp');
      expect(loadStates(at, 'stamp'), `${threads} threads`).toEqual(brute);
      for (const [user, state] of brute) expect(openStates(at, 'stamp')!.get(user), `${user}`).toEqual(state);
    }
  });

  it('saves and loads the candidate model byte for byte, giving the same candidates', () => {
    const model = smallModel();
    const dir = join(tempDir('shoplab-recommender-'), 'v1');
    mkdirSync(dir);
    saveRecommendModel(dir, model);
    const loaded = loadRecommendModel(dir);
    expect(Array.from(loaded.products.ids)).toEqual(Array.from(products.ids));
    expect(loaded.products.groups).toEqual(products.groups);
    const s = emptyState();
    applyEvent(s, { time: 1, type: click, product: 1, session: 's' }, products);
    expect(new CandidateScorer(loaded).candidates(s)).toEqual(new CandidateScorer(model).candidates(s));
  });
});
