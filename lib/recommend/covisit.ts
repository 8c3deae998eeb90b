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
  // One map per item of its co-visited items' weights: a single map of pairs stops at 2^24
  // entries (a month of a large shop has more pairs), and a row is what each item's top list needs.
  const rows: (Map<number, number> | undefined)[] = new Array(products);
  const add = (a: number, b: number, w: number) => {
    const row = rows[a] ?? (rows[a] = new Map());
    row.set(b, (row.get(b) ?? 0) + w);
  };
  const seqItem: number[] = [];
  const seqWeight: number[] = [];
  for (const [from, to] of sessionRanges(x)) {
    seqItem.length = 0;
    seqWeight.length = 0;
    for (let i = from; i < to; i++) {
      const p = x.product[i];
      const w = EVENT_WEIGHT_BY_CODE[x.type[i]];
      if (p < 0 || w === 0) continue;
      const last = seqItem.length - 1;
      if (last >= 0 && seqItem[last] === p) seqWeight[last] = Math.max(seqWeight[last], w);
      else {
        seqItem.push(p);
        seqWeight.push(w);
      }
    }
    if (seqItem.length < 2) continue;
    const recency = Math.pow(2, -(end - x.time[from]) / (params.half_life_days * 86_400_000));
    for (let i = 0; i < seqItem.length; i++) {
      for (let j = i + 1; j <= Math.min(seqItem.length - 1, i + params.window); j++) {
        const a = seqItem[i];
        const b = seqItem[j];
        if (a === b) continue;
        add(a, b, seqWeight[j] * recency);
        add(b, a, seqWeight[i] * recency);
      }
    }
  }
  const indptr = new Int32Array(products + 1);
  const items: number[] = [];
  const scores: number[] = [];
  for (let a = 0; a < products; a++) {
    const row = rows[a] ? [...rows[a]!] : [];
    rows[a] = undefined;
    const total = row.reduce((s, [, w]) => s + w, 0);
    row.sort((p, q) => q[1] - p[1] || p[0] - q[0]);
    for (const [b, w] of row.slice(0, params.neighbours)) {
      items.push(b);
      scores.push(w / total);
    }
    indptr[a + 1] = items.length;
  }
  return { indptr, items: Int32Array.from(items), scores: Float32Array.from(scores) };
}

/** Adds `weight` × each neighbour's score of item `a` into `out`. */
export function addNeighbours(n: Neighbours, a: number, weight: number, out: Float32Array): void {
  for (let k = n.indptr[a]; k < n.indptr[a + 1]; k++) out[n.items[k]] += weight * n.scores[k];
}
