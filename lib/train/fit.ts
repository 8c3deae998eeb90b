import { Rng, shuffle } from '../random';
import { type Booster, type BoosterParams, DMatrix, type TrainResult, train } from '../xgboost/index';
import type { FamilyData, SplitData } from './data';
import type { FamilyConfig, RunSettings } from './config';
import { assertBelowOracle, gapClosed, type Metrics } from './evaluate';
import type { SetFamilySpec } from './spec';

export interface FittedFamily {
  result: TrainResult;
  /** The parameters XGBoost was given, after 'auto' values were resolved. */
  params: BoosterParams;
  /** Rounds the saved model keeps (the best validation round + 1). */
  rounds: number;
  /** Test metrics of the random floor, baseline, model and oracle (null without truth). */
  metrics: { random: Metrics; baseline: Metrics; model: Metrics; oracle: Metrics | null };
  /** Share of the random → oracle distance the model covers on the primary metric. */
  gapClosed: number | null;
  /** Per round: train and valid values of the early-stopping metric. */
  curve: { round: number; train: number; valid: number }[];
  importance: Record<'gain' | 'weight' | 'cover' | 'total_gain', Record<string, number>>;
  /** Mean |SHAP contribution| per feature over a sample of test rows (all classes for category). */
  shap: Record<string, number>;
  /** Model test scores (category: rows × classes probabilities). */
  testScores: Float32Array;
  /** Curves and breakdowns for reports (the family's `details`). */
  details: unknown;
}

/**
 * The XGBoost matrix of a split (or of some of its rows), dense float32. `nthread` builds it, as
 * the booster's own thread count should.
 */
export function toDMatrix(data: SplitData, rows?: Uint32Array, nthread = 0): DMatrix {
  const labels = Float32Array.from(data.labels);
  const { values, features } = data.matrix;
  const p = features.length;
  if (!rows) return new DMatrix(values, data.matrix.rows, p, { labels, groups: data.groups, nthread });
  const subset = new Float32Array(rows.length * p);
  rows.forEach((r, i) => subset.set(values.subarray(r * p, (r + 1) * p), i * p));
  return new DMatrix(subset, rows.length, p, { labels: Float32Array.from(rows, (r) => labels[r]), nthread });
}

/**
 * The matrix a booster trains on: with `tree_method: 'hist'` (every family's default) XGBoost's
 * QuantileDMatrix (`DMatrix.quantile`: the same trees and metrics without XGBoost's own copy of
 * every value, 8 bytes each, beside the split's float32 matrix), otherwise `toDMatrix`'s. Only
 * for training and XGBoost's metrics: SHAP and predictions read a `toDMatrix`.
 */
export function trainingMatrix(data: SplitData, params: BoosterParams, nthread = 0): DMatrix {
  if (params.tree_method !== 'hist') return toDMatrix(data, undefined, nthread);
  const { values, rows, features } = data.matrix;
  return DMatrix.quantile(values, rows, features.length, {
    labels: Float32Array.from(data.labels),
    groups: data.groups,
    nthread,
    maxBin: params.max_bin === undefined ? undefined : Number(params.max_bin),
  });
}

/**
 * `scale_pos_weight = w` multiplies the odds the model learns by w; dividing them back out gives
 * calibrated probabilities again (the ranking, so ROC and PR AUC, is unchanged). In place.
 */
export function unweightProbabilities(p: Float32Array, params: BoosterParams): Float32Array {
  const w = Number(params.scale_pos_weight ?? 1);
  if (w === 1 || params.objective !== 'binary:logistic') return p;
  for (let i = 0; i < p.length; i++) p[i] = p[i] / (p[i] + w * (1 - p[i]));
  return p;
}

/** Up to `k` row indices out of `n`, drawn without replacement by a seeded generator, ascending. */
export function sampleRows(n: number, k: number, seed: number): Uint32Array {
  const all = Array.from({ length: n }, (_, i) => i);
  const picked = k >= n ? all : shuffle(Rng.derive(seed, 'sample-rows'), all).slice(0, k);
  return Uint32Array.from(picked).sort();
}

/** XGBoost parameters with the run's seed and threads, 'auto' resolved against the training split, and what the data decides. */
export function resolveParams(fc: FamilyConfig, run: RunSettings, data: FamilyData): BoosterParams {
  const params: BoosterParams = { ...fc.params, nthread: run.nthread, seed: run.seed };
  if (params.scale_pos_weight === 'auto') {
    const positives = data.train.labels.reduce((s, y) => s + (y > 0 ? 1 : 0), 0);
    params.scale_pos_weight = positives > 0 ? (data.train.labels.length - positives) / positives : 1;
  }
  return params;
}

/**
 * Above this many training rows (without query groups), the learning curve's 'train' values are
 * XGBoost's metric on a seeded sample of this many of them: on a month's 11 M purchase rows the
 * metric over every training row took longer than the boosting round itself. The model, its early
 * stopping (on the validation split) and its test scores are the same either way.
 */
export const TRAIN_CURVE_ROWS = 1_000_000;

/**
 * Trains a family's XGBoost model with early stopping on the validation split, then scores the
 * test split beside the random floor, the baseline and the oracle. Throws a LeakError when the
 * model beats the oracle.
 */
export async function fitFamily(
  spec: SetFamilySpec,
  data: FamilyData,
  fc: FamilyConfig,
  config: RunSettings,
  onRound: (round: number, valid: number) => void = () => {},
  curveRows = TRAIN_CURVE_ROWS,
  onPhase: (phase: string) => void = () => {},
): Promise<FittedFamily> {
  const params = resolveParams(fc, config, data);
  const dtrain = trainingMatrix(data.train, params, config.nthread);
  const dvalid = toDMatrix(data.valid, undefined, config.nthread);
  const dtest = toDMatrix(data.test, undefined, config.nthread);
  const n = data.train.matrix.rows;
  const dcurve =
    n > curveRows && !data.train.groups
      ? toDMatrix(data.train, sampleRows(n, curveRows, config.seed), config.nthread)
      : dtrain;
  try {
    const result = train(params, dtrain, {
      rounds: fc.rounds,
      evals: [
        [dcurve, 'train'],
        [dvalid, 'valid'],
      ],
      earlyStoppingRounds: fc.early_stopping_rounds,
      onRound: (round, scores) => onRound(round, lastValue(scores.valid)),
    });
    const rounds = keepBestRounds(result);
    onPhase('scoring the test split and the references (the baseline is fitted now)');
    const testScores = unweightProbabilities(result.booster.predict(dtest, 'value', rounds).values, params);
    const truth = spec.truth(data);
    const references = await spec.references(data, config.seed, config.nthread);
    const metrics = {
      random: spec.evaluate(truth, references.random),
      baseline: spec.evaluate(truth, references.baseline),
      model: spec.evaluate(truth, testScores),
      oracle: references.oracle ? spec.evaluate(truth, references.oracle) : null,
    };
    if (metrics.oracle) assertBelowOracle(spec.name, metrics.model, metrics.oracle);
    const details = spec.details(data, { ...references, model: testScores });
    const primary = fc.primary;
    onPhase('importance and SHAP values');
    return {
      result,
      params,
      rounds,
      metrics,
      testScores,
      importance: importanceByKind(result.booster, data.features),
      details,
      gapClosed: metrics.oracle
        ? gapClosed(metrics.random[primary], metrics.model[primary], metrics.oracle[primary])
        : null,
      curve: learningCurve(result),
      shap: meanAbsShap(result.booster, data.test, data.features, fc.shap_rows, config.seed, config.nthread, rounds),
    };
  } finally {
    dtrain.dispose();
    dvalid.dispose();
    dtest.dispose();
    if (dcurve !== dtrain) dcurve.dispose();
  }
}

/** The last metric of an evaluation set's scores (the one early stopping watches). */
export const lastValue = (scores: Record<string, number> | undefined) => {
  const values = Object.values(scores ?? {});
  return values[values.length - 1];
};

/** Cuts the booster to the rounds up to the best validation round, so the saved model is the evaluated one; returns that count. */
export function keepBestRounds(result: TrainResult): number {
  const rounds = result.bestRound + 1;
  if (rounds < result.booster.rounds) {
    const all = result.booster;
    result.booster = all.slice(rounds);
    all.dispose();
  }
  return rounds;
}

/** The train and valid metric after every round. */
export const learningCurve = (result: TrainResult) =>
  result.history.map((h, round) => ({ round, train: lastValue(h.train), valid: lastValue(h.valid) }));

/** Importance by weight, gain, cover and total gain, keyed by feature name. */
export function importanceByKind(
  booster: Booster,
  features: string[],
): Record<'gain' | 'weight' | 'cover' | 'total_gain', Record<string, number>> {
  return {
    gain: booster.importance('gain', features),
    weight: booster.importance('weight', features),
    cover: booster.importance('cover', features),
    total_gain: booster.importance('total_gain', features),
  };
}

/** Mean |SHAP contribution| per feature (bias left out) over a seeded sample of a set's rows. */
export function meanAbsShap(
  booster: Booster,
  set: SplitData,
  features: string[],
  sampleSize: number,
  seed: number,
  nthread: number,
  rounds = 0,
): Record<string, number> {
  if (sampleSize === 0 || set.labels.length === 0) return {};
  const rows = sampleRows(set.labels.length, sampleSize, seed);
  const matrix = toDMatrix(set, rows, nthread);
  try {
    return meanAbsContributions(booster, matrix, features, rounds);
  } finally {
    matrix.dispose();
  }
}

/** Mean |SHAP contribution| per feature (bias left out, every class of a multi-class model pooled) over a matrix's rows. */
export function meanAbsContributions(
  booster: Booster,
  matrix: DMatrix,
  features: string[],
  rounds = 0,
): Record<string, number> {
  const { values, shape } = booster.predict(matrix, 'contributions', rounds);
  const width = shape[shape.length - 1];
  const sums = new Float64Array(width);
  for (let i = 0; i < values.length; i++) sums[i % width] += Math.abs(values[i]);
  const count = values.length / width;
  return Object.fromEntries(features.map((name, j) => [name, sums[j] / count]));
}
