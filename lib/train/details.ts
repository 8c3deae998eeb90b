import {
  calibrationBins,
  type CalibrationBin,
  type CurvePoint,
  ndcgAtK,
  precisionRecallCurve,
  rocCurve,
} from '../eval/index';
import type { SplitData } from './data';

/** Test scores of the four references (oracle null without truth). */
export interface ReferenceScores {
  random: ArrayLike<number>;
  baseline: ArrayLike<number>;
  model: ArrayLike<number>;
  oracle: ArrayLike<number> | null;
}

type PerReference<T> = Partial<Record<keyof ReferenceScores, T>>;

/** What reports draw beyond the headline metrics, per family, on the test split. */
export type EvaluationDetails =
  | {
      family: 'ranking';
      ndcg_by_k: PerReference<number[]>;
      mrr: PerReference<number>;
      by_query_frequency: { bucket: string; searches: number; ndcg_at_10: PerReference<number> }[];
    }
  | {
      family: 'purchase';
      roc: PerReference<CurvePoint[]>;
      pr: PerReference<CurvePoint[]>;
      calibration: PerReference<CalibrationBin[]>;
    }
  | CategoryDetails
  | RecommendDetails
  | SessionDetails;

/**
 * Category: the linear model and XGBoost side by side, which validation chose, the chosen model's
 * test report, and how classes were formed and the products split.
 */
export interface CategoryDetails {
  family: 'category';
  chosen: 'linear' | 'xgboost';
  /** Each candidate's validation macro F1 (which decided) and test metrics. */
  models: Record<'linear' | 'xgboost', { valid_macro_f1: number; test: Record<string, number> }>;
  /** The linear model's brand/seller/price weight tried on validation, the one kept, and its temperature. */
  linear: { tried: { weight: number; macro_f1: number }[]; weight: number; temperature: number; terms: number };
  classes: string[];
  /** The chosen model's test report: per-class F1 (worst first), the largest classes' confusion, the surest errors with titles. */
  per_class: { class: string; support: number; f1: number }[];
  confusion: { classes: string[]; matrix: number[][] };
  confident_errors: { title: string; truth: string; predicted: string; probability: number }[];
  labels: {
    level: number | 'leaf';
    min_class_products: number;
    /** Products without a category at the level. */
    unlabeled: number;
    /** Classes under min_class_products: how many, their products, and whether they were merged into `other` (else left out). */
    rare: { classes: number; products: number; merged: boolean };
  };
  split: { train: number; valid: number; test: number; grouped_by: string };
}

/** Session: every list by the next-item protocol, by prefix length, and the model against the best baseline. */
export interface SessionDetails {
  family: 'session';
  /** The model, every baseline and random, on the test prefixes. */
  lists: Record<string, Record<string, number>>;
  /** HR@20 and MRR@20 by prefix length (the last bucket holds the longer prefixes too), per list. */
  by_length: { length: string; predictions: number; hr: Record<string, number>; mrr: Record<string, number> }[];
  verdict: { metric: string; best_baseline: string; baseline: number; model: number; beats: boolean }[];
  finding: string;
  sessions: { train: number; rerank: number; test: number; evaluated: number; prefixes: number };
  /** What the protocol dropped: training sessions of one click, test clicks on unseen items, test sessions left too short. */
  dropped: Record<string, number>;
}

/** Recommend: every list on the test sessions, candidate recall, coverage, and the re-ranked list by user history. */
export interface RecommendDetails {
  family: 'recommend';
  /** Each list alone: every source, their blend, the re-ranked list, random and the oracle. */
  lists: Record<string, Record<string, number>>;
  /** Share of the catalogue in at least one top-20 list, per list. */
  coverage: Record<string, number>;
  /** Share of each test session's targets its candidates hold, per source and for their union. */
  candidate_recall: Record<string, number>;
  mean_candidates: number;
  by_history: { bucket: string; sessions: number; metrics: Record<string, number> }[];
  sessions: { rerank_train: number; rerank_valid: number; test: number };
}

const CURVE_POINTS = 200;

/** Query frequency buckets: how many training searches had the query. */
export const QUERY_BUCKETS = [
  { name: 'new (0)', from: 0, to: 0 },
  { name: '1–4', from: 1, to: 4 },
  { name: '5–19', from: 5, to: 19 },
  { name: '20+', from: 20, to: Infinity },
];

function each<T>(
  scores: Partial<Record<keyof ReferenceScores, ArrayLike<number> | null>>,
  f: (s: ArrayLike<number>) => T,
): PerReference<T> {
  return Object.fromEntries(
    Object.entries(scores)
      .filter(([, s]) => s !== null)
      .map(([name, s]) => [name, f(s as ArrayLike<number>)]),
  );
}

/** The rows of the groups `keep` marks, with their group sizes. */
export function selectGroups(
  groups: ArrayLike<number>,
  keep: (group: number) => boolean,
): { rows: number[]; groups: number[] } {
  const rows: number[] = [];
  const sizes: number[] = [];
  for (let g = 0, start = 0; g < groups.length; start += groups[g], g++) {
    if (!keep(g)) continue;
    sizes.push(groups[g]);
    for (let i = start; i < start + groups[g]; i++) rows.push(i);
  }
  return { rows, groups: sizes };
}

/** Ranking details: NDCG@1..10, MRR, and NDCG@10 by how often the query was searched in training. */
export function rankingDetails(
  train: SplitData,
  test: SplitData,
  scores: ReferenceScores,
  mrr: (s: ArrayLike<number>) => number,
): EvaluationDetails {
  const groups = test.groups!;
  const ks = Array.from({ length: 10 }, (_, i) => i + 1);
  const trainSearches = new Map<string, number>();
  const firstRowOf = (sizes: ArrayLike<number>) => {
    const starts: number[] = [];
    for (let g = 0, s = 0; g < sizes.length; s += sizes[g], g++) starts.push(s);
    return starts;
  };
  for (const start of firstRowOf(train.groups!)) {
    const q = String(train.extras.query[start]);
    trainSearches.set(q, (trainSearches.get(q) ?? 0) + 1);
  }
  const testStarts = firstRowOf(groups);
  const frequency = testStarts.map((start) => trainSearches.get(String(test.extras.query[start])) ?? 0);
  return {
    family: 'ranking',
    ndcg_by_k: each(scores, (s) => ks.map((k) => ndcgAtK(test.labels, s, groups, k))),
    mrr: each(scores, mrr),
    by_query_frequency: QUERY_BUCKETS.map((bucket) => {
      const picked = selectGroups(groups, (g) => frequency[g] >= bucket.from && frequency[g] <= bucket.to);
      const labels = picked.rows.map((i) => test.labels[i]);
      return {
        bucket: bucket.name,
        searches: picked.groups.length,
        ndcg_at_10: picked.groups.length
          ? each(scores, (s) =>
              ndcgAtK(
                labels,
                picked.rows.map((i) => s[i]),
                picked.groups,
                10,
              ),
            )
          : {},
      };
    }),
  };
}

/** Purchase details: ROC and PR curves (thinned to 200 points) and ten calibration bins. */
export function purchaseDetails(test: SplitData, scores: ReferenceScores): EvaluationDetails {
  return {
    family: 'purchase',
    roc: each(scores, (s) => rocCurve(test.labels, s, CURVE_POINTS)),
    pr: each(scores, (s) => precisionRecallCurve(test.labels, s, CURVE_POINTS)),
    // The random floor's constant score would make one bin.
    calibration: each({ baseline: scores.baseline, model: scores.model, oracle: scores.oracle }, (s) =>
      calibrationBins(test.labels, s, 10),
    ),
  };
}
