import type { FloatMatrix } from '../columns';

/**
 * Logistic regression with an L2 penalty, fitted by Newton's method (IRLS) on standardised
 * features; missing values (NaN) take the training mean. Deterministic: no random start, no batches.
 */
export interface LogisticParams {
  l2: number;
  maxIterations: number;
  tolerance: number;
}

export const DEFAULT_LOGISTIC: LogisticParams = { l2: 1, maxIterations: 50, tolerance: 1e-8 };

export interface LogisticModel {
  kind: 'logistic';
  features: string[];
  params: LogisticParams;
  means: number[];
  scales: number[];
  /** Intercept first, then one weight per standardised feature. */
  weights: number[];
  iterations: number;
}

export type Matrix = FloatMatrix<Float32Array> | FloatMatrix<Float64Array>;

export function standardise(m: Matrix, means: number[], scales: number[]): Float64Array {
  const p = m.features.length;
  const out = new Float64Array(m.rows * p);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < p; j++) {
      const v = m.values[i * p + j];
      out[i * p + j] = Number.isNaN(v) ? 0 : (v - means[j]) / scales[j];
    }
  }
  return out;
}

/** Solves A x = b for a symmetric positive-definite A (n × n, row-major) by Cholesky. */
export function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 0)) throw new Error('solveSpd: the matrix is not positive definite');
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/** Mean and standard deviation of each feature over its non-missing values (scale 1 when constant). */
export function fitStandardisation(m: Matrix): { means: number[]; scales: number[] } {
  const p = m.features.length;
  const means = new Array(p).fill(0);
  const scales = new Array(p).fill(0);
  for (let j = 0; j < p; j++) {
    let n = 0;
    let sum = 0;
    for (let i = 0; i < m.rows; i++) {
      const v = m.values[i * p + j];
      if (!Number.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    means[j] = n ? sum / n : 0;
    let ss = 0;
    for (let i = 0; i < m.rows; i++) {
      const v = m.values[i * p + j];
      if (!Number.isNaN(v)) ss += (v - means[j]) ** 2;
    }
    scales[j] = n > 1 && ss > 0 ? Math.sqrt(ss / n) : 1;
  }
  return { means, scales };
}

export function fitLogistic(
  m: Matrix,
  labels: ArrayLike<number>,
  params: LogisticParams = DEFAULT_LOGISTIC,
): LogisticModel {
  const p = m.features.length;
  if (labels.length !== m.rows) throw new Error(`fitLogistic: ${m.rows} rows but ${labels.length} labels`);
  const { means, scales } = fitStandardisation(m);
  const x = standardise(m, means, scales);
  const d = p + 1;
  const w = new Float64Array(d);
  let iterations = 0;
  for (; iterations < params.maxIterations; iterations++) {
    const grad = new Float64Array(d);
    const hess = new Float64Array(d * d);
    const row = new Float64Array(d);
    for (let i = 0; i < m.rows; i++) {
      row[0] = 1;
      for (let j = 0; j < p; j++) row[j + 1] = x[i * p + j];
      let z = 0;
      for (let j = 0; j < d; j++) z += w[j] * row[j];
      const mu = 1 / (1 + Math.exp(-z));
      const r = mu - labels[i];
      const s = Math.max(mu * (1 - mu), 1e-12);
      for (let j = 0; j < d; j++) {
        grad[j] += r * row[j];
        for (let k = 0; k <= j; k++) hess[j * d + k] += s * row[j] * row[k];
      }
    }
    for (let j = 0; j < d; j++) {
      for (let k = 0; k < j; k++) hess[k * d + j] = hess[j * d + k];
      if (j > 0) {
        grad[j] += params.l2 * w[j];
        hess[j * d + j] += params.l2;
      }
    }
    const step = solveSpd(hess, grad, d);
    let change = 0;
    for (let j = 0; j < d; j++) {
      w[j] -= step[j];
      change = Math.max(change, Math.abs(step[j]));
    }
    if (change < params.tolerance) {
      iterations++;
      break;
    }
  }
  return { kind: 'logistic', features: [...m.features], params, means, scales, weights: Array.from(w), iterations };
}

export function predictLogistic(model: LogisticModel, m: Matrix): Float64Array {
  if (m.features.join('\u0000') !== model.features.join('\u0000')) {
    throw new Error(
      `predictLogistic: the model expects features [${model.features.join(', ')}], got [${m.features.join(', ')}]`,
    );
  }
  const p = m.features.length;
  const x = standardise(m, model.means, model.scales);
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    let z = model.weights[0];
    for (let j = 0; j < p; j++) z += model.weights[j + 1] * x[i * p + j];
    out[i] = 1 / (1 + Math.exp(-z));
  }
  return out;
}
