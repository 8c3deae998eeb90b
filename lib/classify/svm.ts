import { Rng } from '../random';
import type { Csr } from './sparse';

/**
 * A linear SVM as scikit-learn's `LinearSVC` trains it with its defaults: L2-regularised squared
 * hinge loss, solved in the dual by coordinate descent with shrinking (LIBLINEAR's
 * `solve_l2r_l1l2_svc`, Hsieh et al. 2008), one class against the rest, the intercept learned as
 * the weight of a constant feature `interceptScaling` (so it is regularised too, as in LIBLINEAR).
 * The visiting order is a seeded permutation, so results are reproducible; they equal
 * scikit-learn's up to the solver's tolerance.
 */
export interface LinearSvcOptions {
  /** Inverse regularisation strength (scikit-learn's `C`, default 1). */
  C: number;
  /** Stop when the projected gradient's spread is at most this (scikit-learn's `tol`, default 1e-4). */
  tol: number;
  maxIter: number;
  interceptScaling: number;
  seed: number;
}

export const DEFAULT_LINEAR_SVC: LinearSvcOptions = { C: 1, tol: 1e-4, maxIter: 1000, interceptScaling: 1, seed: 0 };

export interface LinearSvc {
  classes: number;
  cols: number;
  /** Per class, `cols` weights then the intercept (row-major, classes × (cols + 1)). */
  weights: Float64Array;
  /** Coordinate-descent passes each class took (maxIter when it did not converge). */
  iterations: number[];
  interceptScaling: number;
}

/** Each row's squared length with the constant intercept feature: the diagonal of the dual's Hessian. */
export function rowNorms(x: Csr, interceptScaling: number): Float64Array {
  const norms = new Float64Array(x.rows);
  for (let r = 0; r < x.rows; r++) {
    let s = interceptScaling ** 2;
    for (let k = x.indptr[r]; k < x.indptr[r + 1]; k++) s += x.values[k] ** 2;
    norms[r] = s;
  }
  return norms;
}

/**
 * One binary problem: +1 for rows of `positive`, −1 for the rest; returns the weights (bias last)
 * and passes. Its visiting order comes from its own seeded generator, so classes can be fitted in
 * any order or thread with the same result.
 */
export function fitBinary(
  x: Csr,
  y: Int32Array,
  positive: number,
  norms: Float64Array,
  options: LinearSvcOptions,
): { w: Float64Array; iterations: number } {
  const rng = Rng.derive(options.seed, `linear-svc-${positive}`);
  const { rows, cols, indptr, indices, values } = x;
  const bias = options.interceptScaling;
  const diag = 0.5 / options.C;
  const w = new Float64Array(cols + 1);
  const alpha = new Float64Array(rows);
  const sign = Int8Array.from(y, (label) => (label === positive ? 1 : -1));
  const index = Int32Array.from({ length: rows }, (_, i) => i);
  let active = rows;
  let pgMaxOld = Infinity;
  let pgMinOld = -Infinity;
  let iter = 0;
  while (iter < options.maxIter) {
    let pgMaxNew = -Infinity;
    let pgMinNew = Infinity;
    for (let i = 0; i < active; i++) {
      const j = i + rng.int(active - i);
      const t = index[i];
      index[i] = index[j];
      index[j] = t;
    }
    for (let s = 0; s < active; s++) {
      const i = index[s];
      const yi = sign[i];
      const from = indptr[i];
      const to = indptr[i + 1];
      let dot = w[cols] * bias;
      for (let k = from; k < to; k++) dot += w[indices[k]] * values[k];
      const g = yi * dot - 1 + alpha[i] * diag;
      let pg = 0;
      if (alpha[i] === 0) {
        if (g > pgMaxOld) {
          // Shrink: this row is at its bound and likely to stay there.
          active--;
          index[s] = index[active];
          index[active] = i;
          s--;
          continue;
        } else if (g < 0) pg = g;
      } else pg = g;
      if (pg > pgMaxNew) pgMaxNew = pg;
      if (pg < pgMinNew) pgMinNew = pg;
      if (Math.abs(pg) > 1e-12) {
        const old = alpha[i];
        alpha[i] = Math.max(old - g / (norms[i] + diag), 0);
        const d = (alpha[i] - old) * yi;
        for (let k = from; k < to; k++) w[indices[k]] += d * values[k];
        w[cols] += d * bias;
      }
    }
    iter++;
    if (pgMaxNew - pgMinNew <= options.tol) {
      if (active === rows) break;
      // Converged on the shrunk set: check every row once more.
      active = rows;
      pgMaxOld = Infinity;
      pgMinOld = -Infinity;
      continue;
    }
    pgMaxOld = pgMaxNew <= 0 ? Infinity : pgMaxNew;
    pgMinOld = pgMinNew >= 0 ? -Infinity : pgMinNew;
  }
  void pgMinOld;
  return { w, iterations: iter };
}

/**
 * Fits one-vs-rest linear SVMs for `classes` classes (labels 0..classes − 1). Two classes train
 * one SVM (class 1 against class 0), as LIBLINEAR does; its decision for class 0 is the negation.
 */
export function fitLinearSvc(
  x: Csr,
  y: Int32Array,
  classes: number,
  options: LinearSvcOptions = DEFAULT_LINEAR_SVC,
  onClass?: (done: number, total: number) => void,
): LinearSvc {
  checkProblem(x, y, classes);
  const norms = rowNorms(x, options.interceptScaling);
  const fitted = binaryProblems(classes).map((c, done) => {
    const result = fitBinary(x, y, c, norms, options);
    onClass?.(done + 1, binaryProblems(classes).length);
    return result;
  });
  return assembleSvc(x.cols, classes, fitted, options.interceptScaling);
}

export function checkProblem(x: Csr, y: Int32Array, classes: number): void {
  if (y.length !== x.rows) throw new Error(`linear SVM: ${x.rows} rows but ${y.length} labels`);
  if (classes < 2) throw new Error('linear SVM: needs at least two classes');
}

/** The binary problems of `classes` classes: each class against the rest, or class 1 alone for two. */
export const binaryProblems = (classes: number) => (classes === 2 ? [1] : Array.from({ length: classes }, (_, c) => c));

/** The model from its binary problems' weights, in `binaryProblems` order. */
export function assembleSvc(
  cols: number,
  classes: number,
  fitted: readonly { w: Float64Array; iterations: number }[],
  interceptScaling: number,
): LinearSvc {
  const width = cols + 1;
  const weights = new Float64Array(classes * width);
  binaryProblems(classes).forEach((c, k) => {
    weights.set(fitted[k].w, c * width);
    if (classes === 2)
      weights.set(
        fitted[k].w.map((v) => -v),
        0,
      );
  });
  return { classes, cols, weights, iterations: fitted.map((f) => f.iterations), interceptScaling };
}

/**
 * Each model's weights feature-major (cols × classes), so a row's features read contiguous runs.
 * Float32 when every weight is one already (a saved or float32-rounded model): the same values in
 * half the memory a row's features pull through the cache.
 */
const BY_FEATURE = new WeakMap<LinearSvc, Float64Array | Float32Array>();

function byFeature(model: LinearSvc): Float64Array | Float32Array {
  let t = BY_FEATURE.get(model);
  if (t) return t;
  const { classes, cols, weights } = model;
  const exact = weights.every((w) => Math.fround(w) === w);
  t = exact ? new Float32Array(cols * classes) : new Float64Array(cols * classes);
  for (let c = 0; c < classes; c++) for (let j = 0; j < cols; j++) t[j * classes + c] = weights[c * (cols + 1) + j];
  BY_FEATURE.set(model, t);
  return t;
}

/** Decision values, rows × classes (row-major): w·x + intercept per class. */
export function decisionFunction(model: LinearSvc, x: Csr): Float64Array {
  if (x.cols !== model.cols) throw new Error(`linear SVM: trained on ${model.cols} columns, given ${x.cols}`);
  const { classes, weights, interceptScaling } = model;
  const width = model.cols + 1;
  const t = byFeature(model);
  const out = new Float64Array(x.rows * classes);
  for (let r = 0; r < x.rows; r++) {
    const o = r * classes;
    for (let c = 0; c < classes; c++) out[o + c] = weights[c * width + model.cols] * interceptScaling;
    for (let k = x.indptr[r]; k < x.indptr[r + 1]; k++) {
      const v = x.values[k];
      const base = x.indices[k] * classes;
      for (let c = 0; c < classes; c++) out[o + c] += t[base + c] * v;
    }
  }
  return out;
}
