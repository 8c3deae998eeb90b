import type { UserRanking } from '../eval/index';
import { Rng } from '../random';
import { assertBelowOracle, gapClosed } from '../train/index';
import type { SplitData } from '../train/index';
import {
  importanceByKind,
  keepBestRounds,
  lastValue,
  learningCurve,
  meanAbsShap,
  stackGroups,
  toDMatrix,
  trainingMatrix,
} from '../train/index';
import type { RecommendDetails } from '../train/index';
import { type Booster, type BoosterParams, train, type TrainResult } from '../xgboost/index';
import {
  CandidateScorer,
  type CandidateParams,
  RECOMMEND_FEATURES,
  type RecommendModel,
  SOURCES,
  type Source,
  topIndices,
} from './candidates';
import { type CovisitParams, fitCovisitationOnThreads } from './covisit';
import { coverageAt20, LIST_LENGTH, reciprocalRankFusion, recommendMetrics } from './evaluate';
import { before, type Interactions } from './interactions';
import { fitItem2Vec, type Item2VecParams } from './item2vec';
import type { RecommendExample } from './load';
import { oracleScores, type ShopTruth } from './oracle';
import { fitPopularity, type PopularityParams } from './popularity';
import type { ProductIndex } from './products';
import { replayStates } from './replay';

/** The recommender's settings beyond XGBoost's (config/models.json, families.recommend.recommend). */
export interface RecommendSettings {
  covisit: CovisitParams;
  popularity: PopularityParams;
  embedding: Item2VecParams;
  candidates: CandidateParams;
  /** Validation sessions the re-ranker learns from (a seeded sample), the share of them kept for early stopping, and test sessions evaluated. */
  rerank_sessions: number;
  early_stopping_share: number;
  test_sessions: number;
}

export type Progress = (phase: string, done: number, total: number) => void;

/**
 * Fits the candidate sources on the training period only (events before `trainEnd`): co-visitation,
 * popularity and trend, and item2vec. Validation and test examples are then served by models that
 * never saw their period, as a model deployed at the split's start would be. Co-visitation's rows
 * are computed on `threads` threads (the same whatever the threads).
 */
export async function fitCandidateModel(
  products: ProductIndex,
  events: Interactions,
  trainEnd: number,
  settings: RecommendSettings,
  seed: number,
  progress: Progress = () => {},
  threads = 1,
): Promise<RecommendModel & { embeddingLoss: number[] }> {
  const history = before(events, trainEnd);
  const n = products.ids.length;
  progress('co-visitation', 0, 1);
  const covisit = await fitCovisitationOnThreads(history, n, trainEnd, settings.covisit, threads);
  progress('co-visitation', 1, 1);
  const popularity = fitPopularity(history, products, trainEnd, settings.popularity);
  const embedding = await fitItem2Vec(history, n, settings.embedding, seed, (step, steps) =>
    progress('item2vec', step, steps),
  );
  return {
    products,
    covisit,
    popularity,
    embedding: { dim: embedding.dim, vectors: embedding.vectors },
    candidates: settings.candidates,
    embeddingLoss: embedding.loss,
  };
}

/** A seeded sample of at most `k` examples, kept in time order. */
export function sampleExamples<T>(examples: readonly T[], k: number, seed: number, label: string): T[] {
  if (examples.length <= k) return [...examples];
  const rng = Rng.derive(seed, label);
  const keep = new Set<number>();
  while (keep.size < k) keep.add(rng.int(examples.length));
  return examples.filter((_, i) => keep.has(i));
}

/** One example's candidates with labels, and every reference list to score. */
interface ScoredExample {
  example: RecommendExample;
  items: Int32Array;
  features: Float32Array;
  labels: Float32Array;
  lists: Record<Source | 'blend' | 'random' | 'oracle', number[]>;
  historyEvents: number;
}

function scoreExamples(
  model: RecommendModel,
  events: Interactions,
  examples: RecommendExample[],
  truth: ShopTruth | null,
  seed: number,
  progress: Progress,
  phase: string,
): ScoredExample[] {
  const scorer = new CandidateScorer(model);
  const n = model.products.ids.length;
  const rng = Rng.derive(seed, `random-${phase}`);
  const oracle = new Float32Array(n);
  const out: ScoredExample[] = [];
  replayStates(events, model.products, examples, (example, state) => {
    const c = scorer.candidates(state);
    const targets = new Set(example.targets);
    const random: number[] = [];
    while (random.length < Math.min(LIST_LENGTH, n)) {
      const p = rng.int(n);
      if (!random.includes(p)) random.push(p);
    }
    let oracleList: number[] = [];
    if (truth) {
      oracleScores(truth, example.user, example.asOf, model.products, oracle);
      oracleList = topIndices(oracle, LIST_LENGTH, false);
    }
    out.push({
      example,
      items: c.items,
      features: c.features,
      labels: Float32Array.from(c.items, (p) => (targets.has(p) ? 1 : 0)),
      lists: {
        ...c.lists,
        blend: reciprocalRankFusion(
          SOURCES.map((s) => c.lists[s]),
          LIST_LENGTH,
        ),
        random,
        oracle: oracleList,
      },
      historyEvents: state?.events ?? 0,
    });
    if (out.length % 200 === 0 && out.length < examples.length) progress(phase, out.length, examples.length);
  });
  progress(phase, out.length, examples.length);
  return out;
}

/** Stacks examples' candidates into one ranking set (a query group per example). */
const stack = (scored: readonly ScoredExample[]): SplitData => stackGroups(scored, RECOMMEND_FEATURES);

export interface RerankConfig {
  params: BoosterParams;
  rounds: number;
  early_stopping_rounds: number;
  primary: string;
  shap_rows: number;
}

export interface FittedRecommender {
  booster: Booster;
  rounds: number;
  params: BoosterParams;
  metrics: {
    random: Record<string, number>;
    baseline: Record<string, number>;
    model: Record<string, number>;
    oracle: Record<string, number> | null;
  };
  gapClosed: number | null;
  curve: { round: number; train: number; valid: number }[];
  importance: Record<string, Record<string, number>>;
  /** Mean |SHAP contribution| per feature over a seeded sample of test candidates. */
  shap: Record<string, number>;
  details: RecommendDetails;
}

const HISTORY_BUCKETS: [string, number, number][] = [
  ['new user (0 events)', 0, 0],
  ['1–19 events', 1, 19],
  ['20–99 events', 20, 99],
  ['100+ events', 100, Infinity],
];

/** Every list on the test sessions, as `evaluateRecommender` measures them. */
export interface RecommenderEvaluation {
  metrics: FittedRecommender['metrics'];
  details: RecommendDetails;
  /** The test candidates as one ranking set (for SHAP). */
  testSet: SplitData;
}

/**
 * Scores every list on the test sessions (a seeded sample of `sessions`): each source alone, their
 * reciprocal rank fusion, the re-ranked list, popularity (the baseline), random, and the oracle when
 * the world has one.
 */
export function evaluateRecommender(
  model: RecommendModel,
  booster: Booster,
  events: Interactions,
  test: RecommendExample[],
  truth: ShopTruth | null,
  sessions: number,
  seed: number,
  nthread: number,
  progress: Progress = () => {},
): RecommenderEvaluation {
  const testSample = sampleExamples(test, sessions, seed, 'test-sessions');
  const scoredTest = scoreExamples(model, events, testSample, truth, seed, progress, 'test candidates');
  const testSet = stack(scoredTest);
  const dtest = toDMatrix(testSet, undefined, nthread);
  let scores: Float32Array;
  try {
    scores = booster.predict(dtest, 'value').values;
  } finally {
    dtest.dispose();
  }
  let offset = 0;
  const reranked = scoredTest.map((e) => {
    const list = topIndices(scores.subarray(offset, offset + e.items.length), LIST_LENGTH, false).map(
      (i) => e.items[i],
    );
    offset += e.items.length;
    return list;
  });
  const users = (list: (e: ScoredExample, i: number) => number[]): UserRanking<number>[] =>
    scoredTest.map((e, i) => ({ ranked: list(e, i), relevant: e.example.targets }));
  const named: Record<string, UserRanking<number>[]> = Object.fromEntries([
    ...SOURCES.map((s) => [s, users((e) => e.lists[s].slice(0, LIST_LENGTH))]),
    ['blend', users((e) => e.lists.blend)],
    ['reranked', users((_, i) => reranked[i])],
    ['random', users((e) => e.lists.random)],
    ...(truth ? [['oracle', users((e) => e.lists.oracle)]] : []),
  ]);
  const lists = Object.fromEntries(Object.entries(named).map(([k, u]) => [k, recommendMetrics(u)]));
  const recallOf = (has: (e: ScoredExample, p: number) => boolean) =>
    scoredTest.reduce((s, e) => s + e.example.targets.filter((p) => has(e, p)).length / e.example.targets.length, 0) /
    Math.max(1, scoredTest.length);
  const candidateRecall: Record<string, number> = Object.fromEntries(
    SOURCES.map((s) => [s, recallOf((e, p) => e.lists[s].includes(p))]),
  );
  candidateRecall.union = recallOf((e, p) => e.items.includes(p));
  const byHistory = HISTORY_BUCKETS.map(([bucket, lo, hi]) => {
    const picked = named.reranked.filter(
      (_, i) => scoredTest[i].historyEvents >= lo && scoredTest[i].historyEvents <= hi,
    );
    return { bucket, sessions: picked.length, metrics: recommendMetrics(picked) };
  }).filter((b) => b.sessions > 0);
  return {
    metrics: { random: lists.random, baseline: lists.popular, model: lists.reranked, oracle: lists.oracle ?? null },
    testSet,
    details: {
      family: 'recommend',
      lists,
      coverage: Object.fromEntries(
        Object.entries(named).map(([k, u]) => [k, coverageAt20(u, model.products.ids.length)]),
      ),
      candidate_recall: candidateRecall,
      mean_candidates: scoredTest.reduce((s, e) => s + e.items.length, 0) / Math.max(1, scoredTest.length),
      by_history: byHistory,
      sessions: { rerank_train: 0, rerank_valid: 0, test: scoredTest.length },
    },
  };
}

/**
 * Learns the re-ranker on validation sessions' candidates (rank:ndcg, early stopping on a held-out
 * share of them), then evaluates every list on the test sessions. Throws a LeakError when the
 * re-ranked list beats the oracle.
 */
export function fitReranker(
  model: RecommendModel,
  events: Interactions,
  valid: RecommendExample[],
  test: RecommendExample[],
  truth: ShopTruth | null,
  settings: RecommendSettings,
  rerank: RerankConfig,
  seed: number,
  nthread: number,
  progress: Progress = () => {},
  onRound: (round: number, valid: number) => void = () => {},
): FittedRecommender {
  const validSample = sampleExamples(valid, settings.rerank_sessions, seed, 'rerank-sessions');
  const scoredValid = scoreExamples(model, events, validSample, null, seed, progress, 'validation candidates');
  // Groups without a positive teach rank:ndcg nothing.
  const learnable = scoredValid.filter((e) => e.labels.some((y) => y > 0));
  const rng = Rng.derive(seed, 'early-stopping');
  const held = learnable.map(() => rng.next() < settings.early_stopping_share);
  const fitSet = stack(learnable.filter((_, i) => !held[i]));
  const stopSet = stack(learnable.filter((_, i) => held[i]));
  const params: BoosterParams = { ...rerank.params, nthread, seed };
  const dtrain = trainingMatrix(fitSet, params, nthread);
  const dvalid = toDMatrix(stopSet, undefined, nthread);
  let result: TrainResult;
  try {
    result = train(params, dtrain, {
      rounds: rerank.rounds,
      evals: [
        [dtrain, 'train'],
        [dvalid, 'valid'],
      ],
      earlyStoppingRounds: rerank.early_stopping_rounds,
      onRound: (round, scores) => onRound(round, lastValue(scores.valid)),
    });
  } finally {
    dtrain.dispose();
    dvalid.dispose();
  }
  const rounds = keepBestRounds(result);
  const evaluation = evaluateRecommender(
    model,
    result.booster,
    events,
    test,
    truth,
    settings.test_sessions,
    seed,
    nthread,
    progress,
  );
  const { metrics } = evaluation;
  if (metrics.oracle) assertBelowOracle('recommend', metrics.model, metrics.oracle);
  return {
    booster: result.booster,
    rounds,
    params,
    metrics,
    gapClosed: metrics.oracle
      ? gapClosed(metrics.random[rerank.primary], metrics.model[rerank.primary], metrics.oracle[rerank.primary])
      : null,
    curve: learningCurve(result),
    importance: importanceByKind(result.booster, [...RECOMMEND_FEATURES]),
    shap: meanAbsShap(result.booster, evaluation.testSet, [...RECOMMEND_FEATURES], rerank.shap_rows, seed, nthread),
    details: {
      ...evaluation.details,
      sessions: {
        rerank_train: learnable.length - held.filter(Boolean).length,
        rerank_valid: held.filter(Boolean).length,
        test: evaluation.details.sessions.test,
      },
    },
  };
}
