/**
 * Ranking metrics over query groups (consecutive rows, sizes in `groups`). NDCG uses gain
 * 2^rel − 1 and discount log2(rank + 1); a query whose ideal DCG is 0 scores 1, as in XGBoost and
 * LightGBM. Items are ranked by score, highest first, ties by position in the input.
 */
function groupStarts(groups: ArrayLike<number>, n: number): number[] {
  const starts = [0];
  for (let g = 0; g < groups.length; g++) starts.push(starts[g] + groups[g]);
  if (starts[groups.length] !== n) throw new Error(`query groups cover ${starts[groups.length]} rows, there are ${n}`);
  return starts;
}

function rankedRelevance(rel: ArrayLike<number>, score: ArrayLike<number>, from: number, to: number): number[] {
  const idx = Array.from({ length: to - from }, (_, i) => from + i);
  idx.sort((a, b) => score[b] - score[a] || a - b);
  return idx.map((i) => rel[i]);
}

const dcg = (rels: number[], k: number) =>
  rels.slice(0, k).reduce((sum, r, i) => sum + (2 ** r - 1) / Math.log2(i + 2), 0);

/** Mean NDCG@k over queries. */
export function ndcgAtK(
  rel: ArrayLike<number>,
  score: ArrayLike<number>,
  groups: ArrayLike<number>,
  k: number,
): number {
  const starts = groupStarts(groups, rel.length);
  let sum = 0;
  for (let g = 0; g < groups.length; g++) {
    const ranked = rankedRelevance(rel, score, starts[g], starts[g + 1]);
    const ideal = dcg(
      [...ranked].sort((a, b) => b - a),
      k,
    );
    sum += ideal === 0 ? 1 : dcg(ranked, k) / ideal;
  }
  return sum / groups.length;
}

/** Mean reciprocal rank of the first relevant item (rel > 0); queries with none are left out. */
export function meanReciprocalRank(
  rel: ArrayLike<number>,
  score: ArrayLike<number>,
  groups: ArrayLike<number>,
): number {
  const starts = groupStarts(groups, rel.length);
  let sum = 0;
  let counted = 0;
  for (let g = 0; g < groups.length; g++) {
    const first = rankedRelevance(rel, score, starts[g], starts[g + 1]).findIndex((r) => r > 0);
    if (first < 0) continue;
    sum += 1 / (first + 1);
    counted++;
  }
  return counted ? sum / counted : 0;
}

/** Mean share of the top k items (by score) that were relevant (clicked or better): click-through at k. */
export function ctrAtK(rel: ArrayLike<number>, score: ArrayLike<number>, groups: ArrayLike<number>, k: number): number {
  const starts = groupStarts(groups, rel.length);
  let sum = 0;
  for (let g = 0; g < groups.length; g++) {
    const top = rankedRelevance(rel, score, starts[g], starts[g + 1]).slice(0, k);
    sum += top.filter((r) => r > 0).length / top.length;
  }
  return sum / groups.length;
}
