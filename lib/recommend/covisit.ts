import { f64, i32, SparseRow } from '../columns';
import { type RangeJob, rangeJobs, runOnWorkers, shared } from '../workers';
import { type Interactions, sessionRanges } from './interactions';
import { EVENT_WEIGHT_BY_CODE } from './state';

/** Item-to-item neighbours as CSR: item a's neighbours are items[indptr[a] .. indptr[a + 1]), best first. */
export interface Neighbours {
  indptr: Int32Array;
  items: Int32Array;
  /** Share of a's co-visitation weight that goes to each neighbour (a row sums to at most 1). */
  scores: Float32Array;
}

export interface CovisitParams {
  /** Touches this many positions apart or fewer in a session count as co-visited. */
  window: number;
  /** Neighbours kept per item. */
  neighbours: number;
  /** A session's weight halves every this many days before `end`. */
  half_life_days: number;
}

/**
 * What every item's co-visitation row is computed from: the sessions' touches as sequences
 * (`item`, `weight`, sessions at `starts`, each with its recency weight `decay`), each touch's
 * session, and each item's touches as CSR (`touches[touchStart[a] .. touchStart[a + 1])`,
 * positions in `item`, ascending). Typed arrays only, so threads can share them.
 */
export interface CovisitInput {
  item: Int32Array;
  weight: Float64Array;
  starts: Int32Array;
  decay: Float64Array;
  sessionOf: Int32Array;
  touchStart: Int32Array;
  touches: Int32Array;
  window: number;
  neighbours: number;
}

/** Items `from .. to)`'s rows: `counts[a - from]` neighbours each, their items and scores in item order. */
export interface CovisitRows {
  counts: Int32Array;
  items: Int32Array;
  scores: Float32Array;
}

/** The sequences and per-item touches `covisitRows` reads (see `fitCovisitation` for the rule). */
export function covisitInput(x: Interactions, products: number, end: number, params: CovisitParams): CovisitInput {
  // Each session's touches as one sequence (consecutive touches of a product merged), in typed
  // columns; sessions of fewer than two touches add nothing and are left out.
  const seqStart = i32();
  const seqItem = i32();
  const seqWeight = f64();
  const recency = f64();
  seqStart.push(0);
  for (const [from, to] of sessionRanges(x)) {
    const first = seqItem.length;
    for (let i = from; i < to; i++) {
      const p = x.product[i];
      const w = EVENT_WEIGHT_BY_CODE[x.type[i]];
      if (p < 0 || w === 0) continue;
      const last = seqItem.length - 1;
      if (last >= first && seqItem.get(last) === p) seqWeight.set(last, Math.max(seqWeight.get(last), w));
      else {
        seqItem.push(p);
        seqWeight.push(w);
      }
    }
    if (seqItem.length - first < 2) {
      seqItem.length = first;
      seqWeight.length = first;
      continue;
    }
    seqStart.push(seqItem.length);
    recency.push(Math.pow(2, -(end - x.time[from]) / (params.half_life_days * 86_400_000)));
  }
  const starts = seqStart.values();
  const item = seqItem.values();
  const sessions = recency.length;
  // Each item's touches (positions in `item`, ascending: by session, then in it), as CSR, and each
  // touch's session.
  const sessionOf = new Int32Array(item.length);
  for (let s = 0; s < sessions; s++) sessionOf.fill(s, starts[s], starts[s + 1]);
  const touchStart = new Int32Array(products + 1);
  for (let k = 0; k < item.length; k++) touchStart[item[k] + 1]++;
  for (let a = 0; a < products; a++) touchStart[a + 1] += touchStart[a];
  const touches = new Int32Array(item.length);
  const fill = touchStart.slice(0, products);
  for (let k = 0; k < item.length; k++) touches[fill[item[k]]++] = k;
  return {
    item,
    weight: seqWeight.values(),
    starts,
    decay: recency.values(),
    sessionOf,
    touchStart,
    touches,
    window: params.window,
    neighbours: params.neighbours,
  };
}

/**
 * Items `from .. to)`'s co-visitation rows. One item's row at a time: every pair of touches at most
 * `window` apart with the item at one end, in the order a table of all pairs would add them
 * (session, then first touch, then second), so each weight and each row's total sum exactly as that
 * table's would. Only the positions that can be such a pair's first touch are visited: each touch
 * of the item and the `window` before it.
 */
export function covisitRows(input: CovisitInput, from: number, to: number): CovisitRows {
  const { item, weight, starts, decay, sessionOf, touchStart, touches, window: w } = input;
  const row = new SparseRow(touchStart.length - 1);
  const counts = new Int32Array(to - from);
  const items = i32();
  const scores = f64();
  for (let a = from; a < to; a++) {
    for (let k = touchStart[a]; k < touchStart[a + 1];) {
      const s = sessionOf[touches[k]];
      const end = starts[s + 1];
      const r = decay[s];
      let i = starts[s];
      for (; k < touchStart[a + 1] && touches[k] < end; k++) {
        const at = touches[k];
        for (i = Math.max(i, at - w); i <= at; i++) {
          const last = Math.min(end - 1, i + w);
          if (item[i] === a) {
            for (let j = i + 1; j <= last; j++) if (item[j] !== a) row.add(item[j], weight[j] * r);
          } else {
            for (let j = i + 1; j <= last; j++) if (item[j] === a) row.add(item[i], weight[i] * r);
          }
        }
      }
    }
    const { sums, touched } = row;
    let total = 0;
    for (const b of touched) total += sums[b];
    const best = touched.slice().sort((p, q) => sums[q] - sums[p] || p - q);
    for (const b of best.slice(0, input.neighbours)) {
      items.push(b);
      scores.push(sums[b] / total);
    }
    counts[a - from] = Math.min(best.length, input.neighbours);
    row.clear();
  }
  return { counts, items: Int32Array.from(items.values()), scores: Float32Array.from(scores.values()) };
}

/** Consecutive items' rows (in item order) as the CSR of every item's neighbours. */
function joinRows(parts: readonly CovisitRows[], products: number): Neighbours {
  const indptr = new Int32Array(products + 1);
  let a = 0;
  for (const part of parts) for (const c of part.counts) indptr[a + 1] = indptr[a++] + c;
  if (a !== products) throw new Error(`co-visitation: rows for ${a} items of ${products}`);
  const items = new Int32Array(indptr[products]);
  const scores = new Float32Array(indptr[products]);
  for (let p = 0, at = 0; p < parts.length; at += parts[p++].items.length) {
    items.set(parts[p].items, at);
    scores.set(parts[p].scores, at);
  }
  return { indptr, items, scores };
}

/**
 * Co-visitation from sessions: within a session, consecutive touches of one product merge into one
 * (with the strongest event's weight); every pair of touches at most `window` apart adds, in both
 * directions, the weight of the event at the other end (view 1, click 2, cart 4, purchase 6) times
 * the session's recency weight. Each item keeps its top `neighbours`, scored as shares of its row.
 */
export function fitCovisitation(x: Interactions, products: number, end: number, params: CovisitParams): Neighbours {
  return joinRows([covisitRows(covisitInput(x, products, end, params), 0, products)], products);
}

/** Below this many touches co-visitation is fitted in-process: starting threads costs more. */
export const PARALLEL_COVISIT_TOUCHES = 2_000_000;

/** Item ranges the threads take one at a time. */
const CHUNKS = 16;

/** One job of the threaded fit: the rows of items `from .. to)`; `index` orders the parts. */
export type CovisitJob = RangeJob;

/**
 * `fitCovisitation` with ranges of items' rows computed on worker threads that share the input,
 * when there are `threads` > 1 and `minTouches` touches or more: each row is computed exactly as
 * in-process, so the neighbours are the same whatever the threads (a month's fit: 27 s → 19 s on
 * two threads).
 */
export async function fitCovisitationOnThreads(
  x: Interactions,
  products: number,
  end: number,
  params: CovisitParams,
  threads: number,
  minTouches = PARALLEL_COVISIT_TOUCHES,
): Promise<Neighbours> {
  const input = covisitInput(x, products, end, params);
  if (threads <= 1 || input.item.length < minTouches || products < 2)
    return joinRows([covisitRows(input, 0, products)], products);
  const sharedInput: CovisitInput = {
    ...input,
    item: shared(input.item),
    weight: shared(input.weight),
    starts: shared(input.starts),
    decay: shared(input.decay),
    sessionOf: shared(input.sessionOf),
    touchStart: shared(input.touchStart),
    touches: shared(input.touches),
  };
  // Ranges of about equal numbers of touches.
  const jobs = rangeJobs(input.touchStart, products, CHUNKS);
  const parts: CovisitRows[] = new Array(jobs.length);
  const { COVISIT_WORKER_URL } = await import('./covisit-worker-url');
  await runOnWorkers(
    COVISIT_WORKER_URL,
    sharedInput,
    jobs,
    threads,
    'co-visitation',
    (reply: { index: number; rows: CovisitRows }) => {
      parts[reply.index] = reply.rows;
      return true;
    },
  );
  return joinRows(parts, products);
}

/** Adds `weight` × each neighbour's score of item `a` into `out`. */
export function addNeighbours(n: Neighbours, a: number, weight: number, out: Float32Array): void {
  for (let k = n.indptr[a]; k < n.indptr[a + 1]; k++) out[n.items[k]] += weight * n.scores[k];
}
