import { Rng } from '../random';
import { itemClicks, type NextItemModel } from './protocol';

/**
 * The session-based baselines of Ludewig & Jannach, "Evaluation of session-based recommendation
 * algorithms" (User Modeling and User-Adapted Interaction 28, 2018), from their published
 * definitions. Each scores some items for a prefix; the list is those with a positive score, best
 * first, ties broken by training clicks then item index (deterministic). No list is padded: an item
 * a method gives no score is not recommended by it.
 */

/** The `k` best items of a sparse score map (score, then training clicks, then index). */
export function topScored(scores: Map<number, number>, k: number, clicks: Float64Array): Int32Array {
  const entries = [...scores.entries()].filter(([, s]) => s > 0);
  entries.sort((a, b) => b[1] - a[1] || clicks[b[0]] - clicks[a[0]] || a[0] - b[0]);
  return Int32Array.from(entries.slice(0, k), ([i]) => i);
}

/** How long a list the item-to-item methods keep per item. */
const LIST_CACHE = 100;

/** Items by training clicks, most first (ties by index). */
function byPopularity(clicks: Float64Array): Int32Array {
  return Int32Array.from(clicks.keys()).sort((a, b) => clicks[b] - clicks[a] || a - b);
}

/** POP: the most clicked training items, whatever the session. */
export function pop(): NextItemModel {
  let order = new Int32Array(0);
  return {
    name: 'pop',
    fit(train, items) {
      order = byPopularity(itemClicks(train, items));
    },
    recommend: (_prefix, k) => order.slice(0, k),
  };
}

/** S-POP: the session's own items by how often it clicked them (ties by training clicks), then POP. */
export function spop(): NextItemModel {
  let clicks = new Float64Array(0);
  let order = new Int32Array(0);
  return {
    name: 'spop',
    fit(train, items) {
      clicks = itemClicks(train, items);
      order = byPopularity(clicks);
    },
    recommend(prefix, k) {
      const counts = new Map<number, number>();
      for (const i of prefix) counts.set(i, (counts.get(i) ?? 0) + 1);
      const own = topScored(counts, k, clicks);
      const out = Array.from(own);
      const seen = new Set(out);
      for (let j = 0; j < order.length && out.length < k; j++) if (!seen.has(order[j])) out.push(order[j]);
      return Int32Array.from(out);
    },
  };
}

/** For each item, the training sessions it occurs in (each once, ascending). */
function sessionsByItem(train: readonly Int32Array[], items: number): Int32Array[] {
  const lists: number[][] = Array.from({ length: items }, () => []);
  train.forEach((s, index) => {
    for (const i of new Set(s)) lists[i].push(index);
  });
  return lists.map((l) => Int32Array.from(l));
}

/**
 * iKNN (item-based kNN, the baseline of Hidasi et al.'s GRU4Rec paper): items scored by their cosine
 * similarity to the prefix's last item over session co-occurrence, |S_i ∩ S_j| / √(|S_i| |S_j|),
 * where S_i is the set of training sessions holding i. The last item itself is left out.
 */
export function iknn(): NextItemModel {
  let train: readonly Int32Array[] = [];
  let sessionsOf: Int32Array[] = [];
  let clicks = new Float64Array(0);
  const cache = new Map<number, Int32Array>();
  return {
    name: 'iknn',
    fit(t, items) {
      train = t;
      sessionsOf = sessionsByItem(t, items);
      clicks = itemClicks(t, items);
      cache.clear();
    },
    recommend(prefix, k) {
      const last = prefix[prefix.length - 1];
      let list = cache.get(last);
      if (!list) {
        const together = new Map<number, number>();
        for (const s of sessionsOf[last])
          for (const j of new Set(train[s])) if (j !== last) together.set(j, (together.get(j) ?? 0) + 1);
        const scores = new Map<number, number>();
        for (const [j, n] of together) scores.set(j, n / Math.sqrt(sessionsOf[last].length * sessionsOf[j].length));
        list = topScored(scores, 100, clicks);
        cache.set(last, list);
      }
      return list.slice(0, k);
    },
  };
}

/** Rule tables: for each item, the items that follow it with their weights. */
type Rules = Map<number, Map<number, number>>;
const addRule = (rules: Rules, from: number, to: number, weight: number) => {
  let row = rules.get(from);
  if (!row) rules.set(from, (row = new Map()));
  row.set(to, (row.get(to) ?? 0) + weight);
};

/** Answers from the rules of the prefix's last item; each item's sorted list is kept (rules change only on fit). */
function ruleLists(fitted: () => Rules, clicks: () => Float64Array): NextItemModel['recommend'] {
  const lists = new Map<number, Int32Array>();
  let listed: Rules | null = null;
  return (prefix, k) => {
    const rules = fitted();
    if (listed !== rules) lists.clear();
    listed = rules;
    const last = prefix[prefix.length - 1];
    let list = lists.get(last);
    if (!list || k > LIST_CACHE) {
      list = topScored(rules.get(last) ?? new Map(), Math.max(k, LIST_CACHE), clicks());
      lists.set(last, list);
    }
    return list.slice(0, k);
  };
}

/**
 * AR (association rules of size two): every pair of different items clicked in one session counts
 * once per pair of positions, in both directions; items are scored by their count with the
 * prefix's last item.
 */
export function ar(): NextItemModel {
  let rules: Rules = new Map();
  let clicks = new Float64Array(0);
  return {
    name: 'ar',
    fit(train, items) {
      rules = new Map();
      clicks = itemClicks(train, items);
      for (const s of train) {
        for (let p = 0; p < s.length; p++)
          for (let q = 0; q < s.length; q++) if (s[p] !== s[q]) addRule(rules, s[p], s[q], 1);
      }
    },
    recommend: ruleLists(
      () => rules,
      () => clicks,
    ),
  };
}

/**
 * SR (sequential rules): a click q positions after another (q ≤ `steps`) adds 1/q to the rule from
 * the earlier item to the later one (order matters, nearer counts more); items are scored by their
 * rule from the prefix's last item.
 */
export function sr(steps = 10): NextItemModel {
  let rules: Rules = new Map();
  let clicks = new Float64Array(0);
  return {
    name: 'sr',
    fit(train, items) {
      rules = new Map();
      clicks = itemClicks(train, items);
      for (const s of train) {
        for (let q = 1; q < s.length; q++) {
          for (let p = Math.max(0, q - steps); p < q; p++) if (s[p] !== s[q]) addRule(rules, s[p], s[q], 1 / (q - p));
        }
      }
    },
    recommend: ruleLists(
      () => rules,
      () => clicks,
    ),
  };
}

export interface SknnParams {
  /** Neighbour sessions kept, by similarity. */
  k: number;
  /** Candidate sessions sampled before similarity: the most recent sessions sharing an item with the prefix. */
  sample: number;
}

/**
 * SKNN and V-SKNN (session-based kNN): the `sample` most recent training sessions that share an
 * item with the prefix are candidates; the `k` most similar are neighbours; an item scores the sum
 * of the similarities of the neighbours holding it. SKNN's similarity is the cosine of the binary
 * item sets, |s ∩ n| / √(|s| |n|); V-SKNN's weighs the prefix's items by position with a linear
 * decay (the i-th of L clicks weighs i / L, the last 1; a repeated item its latest weight) and sums
 * the weights of the items the neighbour holds.
 */
function sessionKnn(name: 'sknn' | 'vsknn', params: SknnParams): NextItemModel {
  let sets: Set<number>[] = [];
  let sessionsOf: Int32Array[] = [];
  let clicks = new Float64Array(0);
  return {
    name,
    fit(t, items) {
      sets = t.map((s) => new Set(s));
      sessionsOf = sessionsByItem(t, items);
      clicks = itemClicks(t, items);
    },
    recommend(prefix, k) {
      const weight = new Map<number, number>();
      prefix.forEach((item, i) => weight.set(item, name === 'vsknn' ? (i + 1) / prefix.length : 1));
      // Candidates: the most recent sessions (highest index: training is ordered by start) holding a
      // prefix item. The `sample` most recent of the union are among each item's `sample` most recent,
      // so only those are gathered (a popular item's sessions are otherwise most of the log).
      const candidates = new Set<number>();
      for (const item of weight.keys()) {
        const list = sessionsOf[item];
        for (let j = list.length - 1; j >= Math.max(0, list.length - params.sample); j--) candidates.add(list[j]);
      }
      const sampled = [...candidates].sort((a, b) => b - a).slice(0, params.sample);
      const similar = sampled.map((s) => {
        let overlap = 0;
        for (const [item, w] of weight) if (sets[s].has(item)) overlap += w;
        const sim = name === 'vsknn' ? overlap : overlap / Math.sqrt(weight.size * sets[s].size);
        return { s, sim };
      });
      similar.sort((a, b) => b.sim - a.sim || b.s - a.s);
      const scores = new Map<number, number>();
      for (const { s, sim } of similar.slice(0, params.k))
        for (const item of sets[s]) scores.set(item, (scores.get(item) ?? 0) + sim);
      return topScored(scores, k, clicks);
    },
  };
}

export const sknn = (params: SknnParams = { k: 100, sample: 500 }) => sessionKnn('sknn', params);
export const vsknn = (params: SknnParams = { k: 100, sample: 500 }) => sessionKnn('vsknn', params);

/**
 * Random: `k` training items drawn uniformly for every prefix, seeded. Not a baseline but the
 * floor: its HR@k is about k / items.
 */
export function randomItems(seed: number): NextItemModel {
  let items = 0;
  let rng = Rng.derive(seed, 'next-item-random');
  return {
    name: 'random',
    fit(_train, n) {
      items = n;
      rng = Rng.derive(seed, 'next-item-random');
    },
    recommend(_prefix, k) {
      const picked = new Set<number>();
      while (picked.size < Math.min(k, items)) picked.add(rng.int(items));
      return Int32Array.from(picked);
    },
  };
}

/** Every baseline, in the order reports list them. */
export const BASELINES = { pop, spop, iknn, ar, sr, sknn, vsknn } as const;
