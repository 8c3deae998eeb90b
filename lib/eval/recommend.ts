/** Recommendation metrics per user over a ranked list and the set of relevant items; users with no relevant item are left out. */
export interface UserRanking<T = number> {
  ranked: readonly T[];
  relevant: readonly T[];
}

function mean<T>(users: readonly UserRanking<T>[], perUser: (u: UserRanking<T>, relevant: Set<T>) => number): number {
  let sum = 0;
  let n = 0;
  for (const u of users) {
    const relevant = new Set(u.relevant);
    if (relevant.size === 0) continue;
    sum += perUser(u, relevant);
    n++;
  }
  return n ? sum / n : 0;
}

/** |relevant in the top k| / |relevant|, averaged over users. */
export function recallAtK<T>(users: readonly UserRanking<T>[], k: number): number {
  return mean(users, (u, relevant) => u.ranked.slice(0, k).filter((x) => relevant.has(x)).length / relevant.size);
}

/** (1 / min(k, |relevant|)) · Σ over ranks i ≤ k holding a relevant item of precision@i, averaged over users. */
export function mapAtK<T>(users: readonly UserRanking<T>[], k: number): number {
  return mean(users, (u, relevant) => {
    let hits = 0;
    let sum = 0;
    u.ranked.slice(0, k).forEach((x, i) => {
      if (relevant.has(x)) {
        hits++;
        sum += hits / (i + 1);
      }
    });
    return sum / Math.min(k, relevant.size);
  });
}

/** Binary-gain NDCG: Σ over relevant items at ranks i ≤ k of 1/log2(i + 1), over the same sum for a perfect list (min(k, |relevant|) hits), averaged over users. */
export function userNdcgAtK<T>(users: readonly UserRanking<T>[], k: number): number {
  return mean(users, (u, relevant) => {
    let dcg = 0;
    u.ranked.slice(0, k).forEach((x, i) => {
      if (relevant.has(x)) dcg += 1 / Math.log2(i + 2);
    });
    let ideal = 0;
    for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
    return dcg / ideal;
  });
}

/** 1 / rank of the first relevant item within the top k (0 when none is), averaged over users. */
export function userMrrAtK<T>(users: readonly UserRanking<T>[], k: number): number {
  return mean(users, (u, relevant) => {
    const rank = u.ranked.slice(0, k).findIndex((x) => relevant.has(x));
    return rank < 0 ? 0 : 1 / (rank + 1);
  });
}

/** Share of a catalogue of `catalogueSize` items that appears in at least one user's top k. */
export function catalogueCoverage<T>(users: readonly UserRanking<T>[], k: number, catalogueSize: number): number {
  const seen = new Set<T>();
  for (const u of users) for (const x of u.ranked.slice(0, k)) seen.add(x);
  return catalogueSize > 0 ? seen.size / catalogueSize : 0;
}
