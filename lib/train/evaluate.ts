import { StageFailure } from '../errors';
import { improves } from '../eval/index';

export type Metrics = Record<string, number>;

/** What a family's model is scored on: row labels and, for ranking, the search groups. */
export interface Truth {
  labels: ArrayLike<number>;
  groups?: ArrayLike<number>;
}

/** The index of the largest value of each row of a rows × classes array (first on ties). */
export function argmaxRows(values: ArrayLike<number>, classes: number): Int32Array {
  const rows = values.length / classes;
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (values[i * classes + c] > values[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

/**
 * How much of the distance from the random floor to the oracle the model covers on `metric`
 * (1 = as good as the oracle); null when the floor and oracle coincide.
 */
export function gapClosed(random: number, model: number, oracle: number): number | null {
  return oracle === random ? null : (model - random) / (oracle - random);
}

/** Thrown when a model scores better than the truth allows: some feature knows the label. */
export class LeakError extends StageFailure {
  override name = 'LeakError';
}

/** Throws a LeakError when `model` beats `oracle` on any metric both have. */
export function assertBelowOracle(family: string, model: Metrics, oracle: Metrics): void {
  const beaten = Object.keys(oracle).filter((m) => m in model && improves(m, model[m], oracle[m]));
  if (beaten.length) {
    const detail = beaten.map((m) => `${m} ${model[m].toFixed(4)} vs oracle ${oracle[m].toFixed(4)}`).join(', ');
    throw new LeakError(
      `${family}: the model beats the oracle (${detail}); the true probabilities are the best any honest model can do, so a feature leaks the label. Not registered.`,
    );
  }
}

/** How a family scores one set of test scores against the truth (its `evaluate`). */
export type Evaluate = (truth: Truth, scores: ArrayLike<number>) => Metrics;

/** A family's metrics on each set of rows sharing a key (purchase: per cut point), keys in ascending order. Not for ranking groups. */
export function metricsByKey(
  evaluate: Evaluate,
  keys: ArrayLike<number>,
  truth: Truth,
  scores: ArrayLike<number>,
): { key: number; rows: number; metrics: Metrics }[] {
  const distinct = [...new Set(Array.from(keys))].sort((a, b) => a - b);
  return distinct.map((key) => {
    const rows: number[] = [];
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) rows.push(i);
    const labels = rows.map((i) => truth.labels[i]);
    const subset = rows.map((i) => scores[i]);
    return { key, rows: rows.length, metrics: evaluate({ ...truth, labels }, subset) };
  });
}
