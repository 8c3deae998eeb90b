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
