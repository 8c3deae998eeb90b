import { Rng } from '../random';
import type { Csr } from './sparse';

/**
 * A linear SVM as scikit-learn's `LinearSVC` trains it with its defaults: L2-regularised squared
 * hinge loss, one class against the rest, the intercept learned as the weight of a constant
 * feature `interceptScaling` (so it is regularised too, as in LIBLINEAR). With fewer rows than
 * columns it is solved in the dual by coordinate descent with shrinking (LIBLINEAR's
 * `solve_l2r_l1l2_svc`, Hsieh et al. 2008; the visiting order is a seeded permutation, so results
 * are reproducible), else in the primal by Newton's method with conjugate gradients and a line
 * search (LIBLINEAR's `NEWTON` on `l2r_l2_svc_fun`), as scikit-learn's `dual='auto'` chooses. Either
 * way the result is the problem's one optimum up to the solver's tolerance.
 */
export interface LinearSvcOptions {
  /** Inverse regularisation strength (scikit-learn's `C`, default 1). */
  C: number;
  /** Stop when the projected gradient's spread is at most this (scikit-learn's `tol`, default 1e-4). */
  tol: number;
  maxIter: number;
  interceptScaling: number;
  seed: number;
  /**
   * Which problem to solve (scikit-learn's `dual`): the dual by coordinate descent, or the primal
   * by Newton's method. `auto` (the default), as scikit-learn ≥ 1.5 chooses: the dual when there are
   * fewer rows than columns (titles' n-grams), else the primal (brand and price alone).
   */
  dual?: boolean | 'auto';
}

export const DEFAULT_LINEAR_SVC: LinearSvcOptions = {
  C: 1,
  tol: 1e-4,
  maxIter: 1000,
  interceptScaling: 1,
  seed: 0,
  dual: 'auto',
};

/** Whether `options` solve the dual on `x`. */
export const solvesDual = (x: Csr, options: LinearSvcOptions) =>
  options.dual === 'auto' || options.dual === undefined ? x.rows < x.cols : options.dual;

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
 * and the solver's passes (coordinate-descent passes, or Newton steps). The dual's visiting order
 * comes from the problem's own seeded generator, so classes can be fitted in any order or thread
 * with the same result. `norms` (`rowNorms`) serve the dual, `groups` (`groupRows`) the primal.
 */
export function fitBinary(
  x: Csr,
  y: Int32Array,
  positive: number,
  norms: Float64Array,
  options: LinearSvcOptions,
  groups?: RowGroups,
): { w: Float64Array; iterations: number } {
  if (solvesDual(x, options)) return fitDual(x, y, positive, norms, options);
  return fitPrimal(x, y, positive, groups ?? groupRows(x), options);
}

function fitDual(
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
 * Rows with the same features, found once for every binary problem of a fit: `of` is each row's
 * group, `first` each group's first row (groups numbered in order of their first row; explicit
 * zeros are ignored). A catalogue without titles has few distinct rows (brand and price bucket:
 * 14 k of 116 k products on a month's log), and equal rows of one sign are one row of that many
 * times the cost in the primal.
 */
export interface RowGroups {
  count: number;
  of: Int32Array;
  first: Int32Array;
}

export function groupRows(x: Csr): RowGroups {
  const { rows, indptr, indices, values } = x;
  const of = new Int32Array(rows);
  const first: number[] = [];
  const byHash = new Map<number, number[]>();
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const same = (a: number, b: number) => {
    let k = indptr[a];
    let l = indptr[b];
    for (;;) {
      while (k < indptr[a + 1] && values[k] === 0) k++;
      while (l < indptr[b + 1] && values[l] === 0) l++;
      if (k === indptr[a + 1] || l === indptr[b + 1]) return k === indptr[a + 1] && l === indptr[b + 1];
      if (indices[k++] !== indices[l] || values[k - 1] !== values[l++]) return false;
    }
  };
  for (let r = 0; r < rows; r++) {
    let h = 0x811c9dc5;
    for (let k = indptr[r]; k < indptr[r + 1]; k++) {
      if (values[k] === 0) continue;
      h = Math.imul(h ^ indices[k], 0x01000193);
      h = Math.imul(h ^ bits[2 * k], 0x01000193);
      h = Math.imul(h ^ bits[2 * k + 1], 0x01000193);
    }
    let candidates = byHash.get(h);
    if (!candidates) byHash.set(h, (candidates = []));
    const g = candidates.find((c) => same(first[c], r));
    if (g !== undefined) of[r] = g;
    else {
      of[r] = first.length;
      candidates.push(first.length);
      first.push(r);
    }
  }
  return { count: first.length, of, first: Int32Array.from(first) };
}

/**
 * The primal (LIBLINEAR's `l2r_l2_svc_fun` with instance weights, solved by its `NEWTON`):
 * min ½‖w‖² + Σ C·n_i·max(0, 1 − y_i w·x_i)² over each group's rows of one sign (n_i of them), by
 * Newton steps whose direction conjugate gradients find (diagonally preconditioned, stopped at half
 * the preconditioned residual) and whose length a backtracking line search picks (Armijo, η = 0.01).
 * Stops when ‖∇f‖ ≤ tol·max(min(#pos, #neg), 1)/rows · ‖∇f(0)‖, as LIBLINEAR's primal solvers do.
 */
function fitPrimal(
  x: Csr,
  y: Int32Array,
  positive: number,
  groups: RowGroups,
  options: LinearSvcOptions,
): { w: Float64Array; iterations: number } {
  const { rows, cols, indptr, indices, values } = x;
  const bias = options.interceptScaling;
  // Each group's rows of one sign: negative first, then positive.
  const pos = new Int32Array(groups.count);
  const all = new Int32Array(groups.count);
  let positives = 0;
  for (let r = 0; r < rows; r++) {
    all[groups.of[r]]++;
    if (y[r] === positive) {
      pos[groups.of[r]]++;
      positives++;
    }
  }
  const rowList: number[] = [];
  const signList: number[] = [];
  const costList: number[] = [];
  for (let g = 0; g < groups.count; g++) {
    if (all[g] > pos[g]) {
      rowList.push(groups.first[g]);
      signList.push(-1);
      costList.push(options.C * (all[g] - pos[g]));
    }
    if (pos[g] > 0) {
      rowList.push(groups.first[g]);
      signList.push(1);
      costList.push(options.C * pos[g]);
    }
  }
  const row = Int32Array.from(rowList);
  const sign = Float64Array.from(signList);
  const cost = Float64Array.from(costList);
  const n = row.length;
  const d = cols + 1;
  const dot = (i: number, v: Float64Array) => {
    const r = row[i];
    let t = v[cols] * bias;
    for (let k = indptr[r]; k < indptr[r + 1]; k++) t += v[indices[k]] * values[k];
    return t;
  };
  const add = (i: number, a: number, out: Float64Array) => {
    const r = row[i];
    for (let k = indptr[r]; k < indptr[r + 1]; k++) out[indices[k]] += a * values[k];
    out[cols] += a * bias;
  };
  const dotV = (a: Float64Array, b: Float64Array) => {
    let t = 0;
    for (let j = 0; j < d; j++) t += a[j] * b[j];
    return t;
  };
  const w = new Float64Array(d);
  const g = new Float64Array(d);
  const margin = new Float64Array(n);
  // f(w), its gradient into g, and each row's margin y·w·x.
  const evaluate = () => {
    let f = 0.5 * dotV(w, w);
    g.set(w);
    for (let i = 0; i < n; i++) {
      const m = sign[i] * dot(i, w);
      margin[i] = m;
      if (m < 1) {
        f += cost[i] * (1 - m) * (1 - m);
        add(i, 2 * cost[i] * (m - 1) * sign[i], g);
      }
    }
    return f;
  };
  // The generalized Hessian at w times v: v + 2 Σ_{margin < 1} C_i (x_i·v) x_i.
  const hessianTimes = (v: Float64Array, out: Float64Array) => {
    out.set(v);
    for (let i = 0; i < n; i++) if (margin[i] < 1) add(i, 2 * cost[i] * dot(i, v), out);
  };
  const s = new Float64Array(d);
  const r = new Float64Array(d);
  const z = new Float64Array(d);
  const p = new Float64Array(d);
  const hp = new Float64Array(d);
  const m = new Float64Array(d);
  const xs = new Float64Array(n);
  let f = evaluate();
  const gnorm0 = Math.sqrt(dotV(g, g));
  const eps = (options.tol * Math.max(Math.min(positives, rows - positives), 1)) / rows;
  let iter = 0;
  while (iter < options.maxIter && Math.sqrt(dotV(g, g)) > eps * gnorm0) {
    // Diagonal preconditioner, blended toward the identity as LIBLINEAR does.
    m.fill(1);
    for (let i = 0; i < n; i++) {
      if (margin[i] >= 1) continue;
      const rr = row[i];
      for (let k = indptr[rr]; k < indptr[rr + 1]; k++) m[indices[k]] += 2 * cost[i] * values[k] * values[k];
      m[cols] += 2 * cost[i] * bias * bias;
    }
    for (let j = 0; j < d; j++) {
      m[j] = 0.99 + 0.01 * m[j];
      s[j] = 0;
      r[j] = -g[j];
      z[j] = r[j] / m[j];
      p[j] = z[j];
    }
    let zr = dotV(z, r);
    const cgTol = 0.5 * Math.sqrt(zr);
    for (let cg = 0; cg < Math.max(d, 5) && Math.sqrt(zr) > cgTol; cg++) {
      hessianTimes(p, hp);
      const alpha = zr / dotV(p, hp);
      for (let j = 0; j < d; j++) {
        s[j] += alpha * p[j];
        r[j] -= alpha * hp[j];
        z[j] = r[j] / m[j];
      }
      const zrNew = dotV(z, r);
      const beta = zrNew / zr;
      zr = zrNew;
      for (let j = 0; j < d; j++) p[j] = z[j] + beta * p[j];
    }
    // Backtracking line search along s, from the margins' changes x·s.
    const gs = dotV(g, s);
    const ws = dotV(w, s);
    const ss = dotV(s, s);
    const ww = dotV(w, w);
    for (let i = 0; i < n; i++) xs[i] = sign[i] * dot(i, s);
    let step = 1;
    let accepted = false;
    for (let tries = 0; tries < 20; tries++, step /= 2) {
      let fNew = 0.5 * (ww + 2 * step * ws + step * step * ss);
      for (let i = 0; i < n; i++) {
        const mi = margin[i] + step * xs[i];
        if (mi < 1) fNew += cost[i] * (1 - mi) * (1 - mi);
      }
      if (fNew - f <= 0.01 * step * gs) {
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
    for (let j = 0; j < d; j++) w[j] += step * s[j];
    const fOld = f;
    f = evaluate();
    iter++;
    if (Math.abs(fOld - f) <= 1e-12 * Math.abs(f)) break;
  }
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
  const dual = solvesDual(x, options);
  const norms = dual ? rowNorms(x, options.interceptScaling) : new Float64Array(0);
  const groups = dual ? undefined : groupRows(x);
  const fitted = binaryProblems(classes).map((c, done) => {
    const result = fitBinary(x, y, c, norms, options, groups);
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
