import { f64, i32, SparseRow } from '../columns';
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
 * Co-visitation from sessions: within a session, consecutive touches of one product merge into one
 * (with the strongest event's weight); every pair of touches at most `window` apart adds, in both
 * directions, the weight of the event at the other end (view 1, click 2, cart 4, purchase 6) times
 * the session's recency weight. Each item keeps its top `neighbours`, scored as shares of its row.
 */
export function fitCovisitation(x: Interactions, products: number, end: number, params: CovisitParams): Neighbours {
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
  const weight = seqWeight.values();
  const sessions = recency.length;
  // Each item's sessions (each once, ascending), as CSR.
  const byItemStart = new Int32Array(products + 1);
  const lastSession = new Int32Array(products).fill(-1);
  for (let s = 0; s < sessions; s++)
    for (let k = starts[s]; k < starts[s + 1]; k++)
      if (lastSession[item[k]] !== s) {
        lastSession[item[k]] = s;
        byItemStart[item[k] + 1]++;
      }
  for (let a = 0; a < products; a++) byItemStart[a + 1] += byItemStart[a];
  const byItem = new Int32Array(byItemStart[products]);
  const fill = byItemStart.slice(0, products);
  lastSession.fill(-1);
  for (let s = 0; s < sessions; s++)
    for (let k = starts[s]; k < starts[s + 1]; k++)
      if (lastSession[item[k]] !== s) {
        lastSession[item[k]] = s;
        byItem[fill[item[k]]++] = s;
      }
  // One item's row at a time: every pair of touches at most `window` apart with the item at one
  // end, in the order a table of all pairs would add them (session, then first touch, then second),
  // so each weight and each row's total sum exactly as that table's would.
  const row = new SparseRow(products);
  const indptr = new Int32Array(products + 1);
  const items = i32();
  const scores = f64();
  for (let a = 0; a < products; a++) {
    for (let k = byItemStart[a]; k < byItemStart[a + 1]; k++) {
      const s = byItem[k];
      const from = starts[s];
      const n = starts[s + 1] - from;
      const r = recency.get(s);
      for (let i = 0; i < n; i++) {
        const last = Math.min(n - 1, i + params.window);
        if (item[from + i] === a) {
          for (let j = i + 1; j <= last; j++) if (item[from + j] !== a) row.add(item[from + j], weight[from + j] * r);
        } else {
          for (let j = i + 1; j <= last; j++) if (item[from + j] === a) row.add(item[from + i], weight[from + i] * r);
        }
      }
    }
    const { sums, touched } = row;
    let total = 0;
    for (const b of touched) total += sums[b];
    const best = touched.slice().sort((p, q) => sums[q] - sums[p] || p - q);
    for (const b of best.slice(0, params.neighbours)) {
      items.push(b);
      scores.push(sums[b] / total);
    }
    indptr[a + 1] = items.length;
    row.clear();
  }
  return { indptr, items: Int32Array.from(items.values()), scores: Float32Array.from(scores.values()) };
}

/** Adds `weight` × each neighbour's score of item `a` into `out`. */
export function addNeighbours(n: Neighbours, a: number, weight: number, out: Float32Array): void {
  for (let k = n.indptr[a]; k < n.indptr[a + 1]; k++) out[n.items[k]] += weight * n.scores[k];
}
