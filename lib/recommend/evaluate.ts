import { catalogueCoverage, mapAtK, recallAtK, type UserRanking, userMrrAtK, userNdcgAtK } from '../eval/index';

/** The recommendation metrics every list is scored with, in display order. */
export const RECOMMEND_METRICS = ['recall@10', 'recall@20', 'mrr@20', 'map@10', 'ndcg@10'] as const;
/** How long each evaluated list is. */
export const LIST_LENGTH = 20;

export function recommendMetrics(users: readonly UserRanking<number>[]): Record<string, number> {
  return {
    'recall@10': recallAtK(users, 10),
    'recall@20': recallAtK(users, 20),
    'mrr@20': userMrrAtK(users, 20),
    'map@10': mapAtK(users, 10),
    'ndcg@10': userNdcgAtK(users, 10),
  };
}

export const coverageAt20 = (users: readonly UserRanking<number>[], catalogueSize: number) =>
  catalogueCoverage(users, LIST_LENGTH, catalogueSize);

/** Reciprocal-rank fusion: Σ over lists holding an item of 1 / (k + its rank), best first. */
export function reciprocalRankFusion(lists: readonly (readonly number[])[], length: number, k = 60): number[] {
  const score = new Map<number, number>();
  for (const list of lists) list.forEach((p, r) => score.set(p, (score.get(p) ?? 0) + 1 / (k + r + 1)));
  return [...score.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, length)
    .map(([p]) => p);
}
