import { SparseRow } from '../columns';
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

/** How long a list the item-to-item methods (iKNN, AR, SR) keep per item: the longest they answer. */
const LIST_CACHE = 100;

/** Items by training clicks, most first (ties by index). */
export function byPopularity(clicks: Float64Array): Int32Array {
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

/**
 * For each item, the training sessions it occurs in (each once, ascending), from the sessions'
 * distinct items: views into one buffer.
 */
function sessionsByItem(distinct: readonly Int32Array[], items: number): Int32Array[] {
  const starts = new Int32Array(items + 1);
  for (const d of distinct) for (const i of d) starts[i + 1]++;
  for (let i = 0; i < items; i++) starts[i + 1] += starts[i];
  const flat = new Int32Array(starts[items]);
  const fill = starts.slice(0, items);
  distinct.forEach((d, index) => {
    for (const i of d) flat[fill[i]++] = index;
  });
  return Array.from({ length: items }, (_, i) => flat.subarray(starts[i], starts[i + 1]));
}

/**
 * iKNN (item-based kNN, the baseline of Hidasi et al.'s GRU4Rec paper): items scored by their cosine
 * similarity to the prefix's last item over session co-occurrence, |S_i ∩ S_j| / √(|S_i| |S_j|),
 * where S_i is the set of training sessions holding i. The last item itself is left out.
 */
export function iknn(): NextItemModel {
  let distinct: Int32Array[] = [];
  let sessionsOf: Int32Array[] = [];
  let clicks = new Float64Array(0);
  let together = new Float64Array(0);
  const cache = new Map<number, Int32Array>();
  return {
    name: 'iknn',
    fit(t, items) {
      ({ distinct, sessionsOf, clicks } = sessionIndex(t, items));
      together = new Float64Array(items);
      cache.clear();
    },
    recommend(prefix, k) {
      const last = prefix[prefix.length - 1];
      let list = cache.get(last);
      if (!list) {
        const touched: number[] = [];
        for (const s of sessionsOf[last]) {
          for (const j of distinct[s]) {
            if (j === last) continue;
            if (together[j] === 0) touched.push(j);
            together[j]++;
          }
        }
        for (const j of touched) together[j] /= Math.sqrt(sessionsOf[last].length * sessionsOf[j].length);
        list = topOf(touched, together, LIST_CACHE, clicks);
        for (const j of touched) together[j] = 0;
        cache.set(last, list);
      }
      return list.slice(0, k);
    },
  };
}

/** Each training session's distinct items, in first-click order: views into one buffer (millions of sessions are millions of small arrays otherwise). */
function distinctItems(train: readonly Int32Array[], items: number): Int32Array[] {
  let total = 0;
  for (const session of train) total += session.length;
  const flat = new Int32Array(total);
  const last = new Int32Array(items).fill(-1);
  let o = 0;
  return train.map((session, k) => {
    const from = o;
    for (const i of session)
      if (last[i] !== k) {
        last[i] = k;
        flat[o++] = i;
      }
    // A session without repeats is its own distinct items: no second array for it.
    if (o - from === session.length) {
      o = from;
      return session;
    }
    return flat.subarray(from, o);
  });
}

/**
 * What the session- and item-kNN methods derive from the same training sessions, computed once per
 * sessions array (the service fits all three on one; none of them changes these arrays).
 */
export interface SessionIndex {
  items: number;
  /** Each session's distinct items, in first-click order. */
  distinct: Int32Array[];
  /** Each item's sessions, ascending. */
  sessionsOf: Int32Array[];
  /** Each item's clicks. */
  clicks: Float64Array;
}
const derived = new WeakMap<readonly Int32Array[], SessionIndex>();
export function sessionIndex(train: readonly Int32Array[], items: number): SessionIndex {
  let d = derived.get(train);
  if (!d || d.items !== items) {
    const distinct = distinctItems(train, items);
    d = {
      items,
      distinct,
      sessionsOf: sessionsByItem(distinct, items),
      clicks: itemClicks(train, items),
    };
    derived.set(train, d);
  }
  return d;
}

/** Takes `index` as what `sessionIndex(train, index.items)` computes (read back from a file written from it). */
export function keepSessionIndex(train: readonly Int32Array[], index: SessionIndex): void {
  derived.set(train, index);
}

/**
 * What AR's and SR's lists are computed from: every training click in one buffer (session s is
 * `flat[starts[s] .. starts[s + 1])`), each item's sessions in another (item i's, ascending, are
 * `sessions[itemStarts[i] .. itemStarts[i + 1])`), and the items' clicks for ties: plain buffers,
 * which worker threads can share.
 */
export interface RuleInput {
  items: number;
  flat: Int32Array;
  starts: Int32Array;
  sessions: Int32Array;
  itemStarts: Int32Array;
  clicks: Float64Array;
}

/** The rule sources whose lists `ruleLists` computes. */
export const RULE_KINDS = ['ar', 'sr'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** A rule source's row function: adds item `a`'s rules within one session (`s[from .. to)`). */
type RuleRow = (s: Int32Array, from: number, to: number, a: number, add: (to: number, weight: number) => void) => void;

/**
 * AR (association rules of size two): every pair of different items clicked in one session counts
 * once per pair of positions, in both directions; items are scored by their count with the
 * prefix's last item.
 */
const arRow = (): RuleRow => (s, from, to, a, add) => {
  // Each of a's c clicks pairs once with every other click: c per click (whole counts, so the
  // sum is the one adding 1 per pair gives, in any order).
  let c = 0;
  for (let p = from; p < to; p++) if (s[p] === a) c++;
  for (let q = from; q < to; q++) if (s[q] !== a) add(s[q], c);
};

/**
 * SR (sequential rules): a click q positions after another (q ≤ `steps`) adds 1/q to the rule from
 * the earlier item to the later one (order matters, nearer counts more); items are scored by their
 * rule from the prefix's last item.
 */
const srRow = (steps = 10): RuleRow => {
  // Positions of an item in a session, reused by every (item, session) pair of the fit.
  let positions = new Int32Array(64);
  return (s, from, to, a, add) => {
    if (positions.length < to - from) positions = new Int32Array(2 * (to - from));
    let n = 0;
    for (let p = from; p < to; p++) if (s[p] === a) positions[n++] = p;
    // Each later click q, and a's clicks within `steps` before it, in the order (q, then p
    // ascending) the sum has always been taken in: only the clicks that follow one of a's.
    const end = Math.min(to, positions[n - 1] + steps + 1);
    for (let q = positions[0] + 1, lo = 0; q < end; q++) {
      if (s[q] === a) continue;
      while (positions[lo] < q - steps) lo++;
      for (let j = lo; j < n && positions[j] < q; j++) add(s[q], 1 / (q - positions[j]));
    }
  };
};

const RULE_ROWS: Record<RuleKind, () => RuleRow> = { ar: arRow, sr: () => srRow() };

/** The buffers AR's and SR's lists are computed from. */
export function ruleInput(train: readonly Int32Array[], items: number): RuleInput {
  const { sessionsOf, clicks } = sessionIndex(train, items);
  const starts = new Int32Array(train.length + 1);
  train.forEach((session, s) => {
    starts[s + 1] = starts[s] + session.length;
  });
  const flat = new Int32Array(starts[train.length]);
  train.forEach((session, s) => flat.set(session, starts[s]));
  const itemStarts = new Int32Array(items + 1);
  for (let i = 0; i < items; i++) itemStarts[i + 1] = itemStarts[i] + sessionsOf[i].length;
  const sessions = new Int32Array(itemStarts[items]);
  for (let i = 0; i < items; i++) sessions.set(sessionsOf[i], itemStarts[i]);
  return { items, flat, starts, sessions, itemStarts, clicks };
}

/**
 * Each item's best `LIST_CACHE` rule targets of one kind, best first (all an answer reads), for the
 * items `from .. to)`, one item at a time: each item's rules are added within every training
 * session it occurs in, session by session in order. Only one row of scores is ever held, so a log
 * of millions of rules costs the memory of one item's, and each row sums in the order a table of
 * every rule would; an item's list does not depend on which others are computed with it (worker
 * threads share the items out: `fitRuleLists`). The sessions are read from one buffer of every
 * click: on a month of views (7 M sessions), reading them item by item from one array per session
 * took three times as long, most of it finding each session's array in memory.
 */
export function ruleLists(kind: RuleKind, input: RuleInput, from = 0, to = input.items): Int32Array[] {
  return ruleListsAt(kind, input, [{ sessions: input.starts.length - 1, clicks: input.clicks }], from, to)[0];
}

/** A point at which `ruleListsAt` lists: after the first `sessions` sessions, ties by `clicks` (the items' clicks in them). */
export interface RuleCut {
  sessions: number;
  clicks: Float64Array;
}

/**
 * `ruleLists` at several cuts in one pass: for each cut (ascending), the lists the first
 * `cut.sessions` sessions alone give. An item's sessions are added in ascending order, so its row
 * at a cut holds exactly the sums (added in the same order) a fit on the sessions before it would;
 * the list is taken there, ties by that cut's clicks, and the row goes on. A model's lists before
 * its validation period and over every training session cost one pass instead of two.
 */
export function ruleListsAt(
  kind: RuleKind,
  input: RuleInput,
  cuts: readonly RuleCut[],
  from = 0,
  to = input.items,
): Int32Array[][] {
  const { flat, starts, sessions, itemStarts } = input;
  const rowOf = RULE_ROWS[kind]();
  const row = new SparseRow(input.items);
  const add = (to: number, weight: number) => row.add(to, weight);
  const lists = cuts.map(() => new Array<Int32Array>(to - from));
  // Only the best LIST_CACHE are kept: a popular item's row touches most of the catalogue.
  const take = (c: number, k: number) => {
    lists[c][k] = topOf(row.touched, row.sums, LIST_CACHE, cuts[c].clicks);
  };
  for (let k = 0; k < to - from; k++) {
    const item = from + k;
    let c = 0;
    for (let j = itemStarts[item]; j < itemStarts[item + 1]; j++) {
      const s = sessions[j];
      while (c < cuts.length && s >= cuts[c].sessions) take(c++, k);
      rowOf(flat, starts[s], starts[s + 1], item, add);
    }
    while (c < cuts.length) take(c++, k);
    row.clear();
  }
  return lists;
}

/** An item-to-item method: the list of the prefix's last item (at most `LIST_CACHE` long). */
function lastItemLists(
  name: string,
  fitLists: (train: readonly Int32Array[], items: number) => Int32Array[],
): NextItemModel {
  let lists: Int32Array[] = [];
  return {
    name,
    fit(train, items) {
      lists = fitLists(train, items);
    },
    recommend: (prefix, k) => lists[prefix[prefix.length - 1]].slice(0, k),
    savedLists: () => lists,
    restoreLists(saved) {
      lists = saved;
    },
  };
}

/** AR, as a model: `arRow`'s lists. */
export const ar = (): NextItemModel => lastItemLists('ar', (train, items) => ruleLists('ar', ruleInput(train, items)));

/** SR, as a model: `srRow`'s lists (steps of 10). */
export const sr = (): NextItemModel => lastItemLists('sr', (train, items) => ruleLists('sr', ruleInput(train, items)));

export interface SknnParams {
  /** Neighbour sessions kept, by similarity. */
  k: number;
  /** Candidate sessions sampled before similarity: the most recent sessions sharing an item with the prefix. */
  sample: number;
}

/** Each session's distinct items in ascending order, all in one buffer: session s's are items[starts[s] .. starts[s + 1]). */
interface SortedItems {
  starts: Int32Array;
  items: Int32Array;
}
const sortedOf = new WeakMap<readonly Int32Array[], SortedItems>();
/** The sessions' items sorted, computed once per index (SKNN and V-SKNN share it; no array per session). */
function sortedItems(distinct: readonly Int32Array[]): SortedItems {
  let sorted = sortedOf.get(distinct);
  if (!sorted) {
    const starts = new Int32Array(distinct.length + 1);
    distinct.forEach((d, s) => {
      starts[s + 1] = starts[s] + d.length;
    });
    const items = new Int32Array(starts[distinct.length]);
    distinct.forEach((d, s) => {
      items.set(d, starts[s]);
      items.subarray(starts[s], starts[s + 1]).sort();
    });
    sorted = { starts, items };
    sortedOf.set(distinct, sorted);
  }
  return sorted;
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
  // Each training session's distinct items in first-click order, and per item its sessions.
  let distinct: Int32Array[] = [];
  let sorted: SortedItems = { starts: new Int32Array(1), items: new Int32Array(0) };
  let sessionsOf: Int32Array[] = [];
  let clicks = new Float64Array(0);
  // Scratch space reused by every answer (the service answers thousands a second): stamps mark
  // what one answer has touched, so nothing is cleared or allocated per item. Float64: a stamp
  // grows by hundreds per answer and must not wrap in a long-running service.
  let seen = new Float64Array(0);
  let member = new Float64Array(0);
  let scores = new Float64Array(0);
  let stamp = 0;
  return {
    name,
    fit(t, items) {
      ({ distinct, sessionsOf, clicks } = sessionIndex(t, items));
      sorted = sortedItems(distinct);
      seen = new Float64Array(t.length);
      member = new Float64Array(items);
      scores = new Float64Array(items);
      stamp = 0;
    },
    recommend(prefix, k) {
      const weight = new Map<number, number>();
      prefix.forEach((item, i) => weight.set(item, name === 'vsknn' ? (i + 1) / prefix.length : 1));
      const prefixItems = Int32Array.from(weight.keys());
      const prefixWeights = Float64Array.from(weight.values());
      // Candidates: the most recent sessions (highest index: training is ordered by start) holding a
      // prefix item. The `sample` most recent of the union are among each item's `sample` most recent,
      // so only those are gathered (a popular item's sessions are otherwise most of the log).
      stamp++;
      const gathered: number[] = [];
      for (const item of prefixItems) {
        const list = sessionsOf[item];
        for (let j = list.length - 1; j >= Math.max(0, list.length - params.sample); j--) {
          if (seen[list[j]] !== stamp) {
            seen[list[j]] = stamp;
            gathered.push(list[j]);
          }
        }
      }
      const sampled = Int32Array.from(gathered)
        .sort()
        .subarray(Math.max(0, gathered.length - params.sample))
        .reverse();
      // Similarity of each sampled session, summing the prefix's weights in the prefix's order. A short
      // prefix looks its items up in the session's sorted items; a long one marks the session's items.
      const sims = new Float64Array(sampled.length);
      const lookUp = prefixItems.length <= 8;
      for (let r = 0; r < sampled.length; r++) {
        const s = sampled[r];
        let overlap = 0;
        if (lookUp) {
          const from = sorted.starts[s];
          const to = sorted.starts[s + 1];
          for (let i = 0; i < prefixItems.length; i++)
            if (holds(sorted.items, from, to, prefixItems[i])) overlap += prefixWeights[i];
        } else {
          stamp++;
          for (const item of distinct[s]) member[item] = stamp;
          for (let i = 0; i < prefixItems.length; i++)
            if (member[prefixItems[i]] === stamp) overlap += prefixWeights[i];
        }
        sims[r] = name === 'vsknn' ? overlap : overlap / Math.sqrt(prefixItems.length * distinct[s].length);
      }
      // The k most similar (ties: the more recent); only those at or above the k-th similarity are sorted.
      let rows = Int32Array.from(sampled.keys());
      if (rows.length > params.k) {
        const threshold = Float64Array.from(sims).sort()[sims.length - params.k];
        rows = rows.filter((r) => sims[r] >= threshold);
      }
      const order = rows.sort((a, b) => sims[b] - sims[a] || sampled[b] - sampled[a]);
      stamp++;
      const touched: number[] = [];
      for (const r of order.subarray(0, params.k)) {
        for (const item of distinct[sampled[r]]) {
          if (member[item] !== stamp) {
            member[item] = stamp;
            scores[item] = 0;
            touched.push(item);
          }
          scores[item] += sims[r];
        }
      }
      return topOf(touched, scores, k, clicks);
    },
  };
}

/** The `k` best of `items` by `scores` (positive only), then training clicks, then index: `topScored` over arrays. */
function topOf(items: readonly number[], scores: Float64Array, k: number, clicks: Float64Array): Int32Array {
  // Only items scoring at least the k-th best score can be listed: a numeric sort finds it, and the
  // comparator then orders those few (plain loops: this runs for every answer over thousands of items).
  const values = new Float64Array(items.length);
  let n = 0;
  for (const i of items) if (scores[i] > 0) values[n++] = scores[i];
  const threshold = n > 2 * k ? values.subarray(0, n).sort()[n - k] : 0;
  const picked: number[] = [];
  for (const i of items) if (scores[i] > 0 && scores[i] >= threshold) picked.push(i);
  return Int32Array.from(picked)
    .sort((a, b) => scores[b] - scores[a] || clicks[b] - clicks[a] || a - b)
    .slice(0, k);
}

/** Whether sorted `values` holds `x` (binary search). */
function holds(values: Int32Array, from: number, to: number, x: number): boolean {
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < x) lo = mid + 1;
    else if (values[mid] > x) hi = mid - 1;
    else return true;
  }
  return false;
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
