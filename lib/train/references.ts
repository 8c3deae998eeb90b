import { fitLogisticOnThreads, type LogisticModel, predictLogistic } from '../models/index';
import { Rng } from '../random';
import type { SplitData } from './data';

/**
 * The scores every evaluation sets beside the model: a random floor, a simple baseline and the
 * oracle (the generator's true probabilities). Pure functions over split data.
 */

/** Random floor: uniform scores (ranking, and probabilities for category rows × classes) from a seeded generator. */
export function randomScores(rows: number, seed: number, classes = 1): Float64Array {
  const rng = Rng.derive(seed, 'random-floor');
  const out = new Float64Array(rows * classes);
  for (let i = 0; i < out.length; i++) out[i] = rng.next();
  return out;
}

/** Random floor for purchase: every session gets the training positive rate (ROC AUC 0.5, PR AUC = prevalence). */
export function constantScores(rows: number, value: number): Float64Array {
  return new Float64Array(rows).fill(value);
}

/** Ranking baseline: historical click-through of the query–product pair (shown order breaks ties). */
export function ctrBaseline(test: SplitData): Float64Array {
  return Float64Array.from(test.extras.pair_ctr, (v) => (v === null ? 0 : Number(v)));
}

/** Purchase baseline: L2 logistic regression on the same features (fitted on `threads` threads: the same model as on one). */
export async function logisticBaseline(
  train: SplitData,
  test: SplitData,
  threads = 1,
): Promise<{ scores: Float64Array; model: LogisticModel }> {
  const model = await fitLogisticOnThreads(train.matrix, train.labels, threads);
  return { scores: predictLogistic(model, test.matrix), model };
}

/**
 * Category baseline: each brand's most frequent category in training (ties to the smaller class
 * index); brands never seen, or no brand, get the most frequent category overall. Returns one-hot
 * rows × classes.
 */
export function brandMajority(
  trainBrands: readonly (string | number | null)[],
  trainLabels: ArrayLike<number>,
  testBrands: readonly (string | number | null)[],
  classes: number,
): Float64Array {
  const counts = new Map<string, Float64Array>();
  const overall = new Float64Array(classes);
  trainBrands.forEach((brand, i) => {
    overall[trainLabels[i]]++;
    if (brand === null) return;
    const key = String(brand);
    if (!counts.has(key)) counts.set(key, new Float64Array(classes));
    counts.get(key)![trainLabels[i]]++;
  });
  const argmax = (c: Float64Array) => c.reduce((best, v, k) => (v > c[best] ? k : best), 0);
  const fallback = argmax(overall);
  const out = new Float64Array(testBrands.length * classes);
  testBrands.forEach((brand, i) => {
    const c = brand === null ? undefined : counts.get(String(brand));
    out[i * classes + (c ? argmax(c) : fallback)] = 1;
  });
  return out;
}

/**
 * Ranking oracle: the expected gain 2^rel − 1 of each impression under the true probabilities
 * (click, then cart given click, then purchase given cart): ordering by it maximises expected DCG.
 */
export function expectedGain(pClick: number, pCart: number, pPurchase: number): number {
  return pClick * ((1 - pCart) * 1 + pCart * ((1 - pPurchase) * 3 + pPurchase * 7));
}

/** Ranking oracle: each impression's expected gain under the truth, or null when the world has none (imported logs). */
export function expectedGainOracle(data: SplitData): Float64Array | null {
  const { extras } = data;
  if (!extras.p_click) return null;
  return Float64Array.from(extras.p_click, (pc, i) =>
    expectedGain(Number(pc), Number(extras.p_cart[i]), Number(extras.p_purchase[i])),
  );
}

/** Purchase oracle: each session's true purchase probability, or null without truth. */
export function purchaseProbabilityOracle(data: SplitData): Float64Array | null {
  const { extras } = data;
  if (!extras.p_purchase) return null;
  // A session the truth table lacks cannot happen in a generated world; NaN makes it loud.
  return Float64Array.from(extras.p_purchase, (p) => (p === null ? NaN : Number(p)));
}

/** Category oracle: the generator assigns each product its category, so the truth is the label itself (one-hot rows × classes). */
export function labelOracle(data: SplitData, classes: number): Float64Array {
  const out = new Float64Array(data.labels.length * classes);
  data.labels.forEach((y, i) => {
    out[i * classes + y] = 1;
  });
  return out;
}
