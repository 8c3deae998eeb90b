import type { FloatMatrix } from '../columns';
import { WorkerPool } from '../workers';

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
  // Row by row, a running sum per feature: each feature's sums add up its values in row order.
  const p = m.features.length;
  const v = m.values;
  const counts = new Float64Array(p);
  const sums = new Float64Array(p);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < p; j++) {
      const x = v[i * p + j];
      if (!Number.isNaN(x)) {
        sums[j] += x;
        counts[j]++;
      }
    }
  }
  const means = Array.from(sums, (sum, j) => (counts[j] ? sum / counts[j] : 0));
  const squares = new Float64Array(p);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < p; j++) {
      const x = v[i * p + j];
      if (!Number.isNaN(x)) squares[j] += (x - means[j]) ** 2;
    }
  }
  const scales = Array.from(squares, (ss, j) => (counts[j] > 1 && ss > 0 ? Math.sqrt(ss / counts[j]) : 1));
  return { means, scales };
}

/** Rows per block of the fit's sums: a block of every column stays in cache. */
const BLOCK = 2048;

/** The standardised features a column each (NaN → 0), after a column of ones for the intercept; in `alloc`'s arrays. */
function standardisedColumns(
  m: Matrix,
  means: number[],
  scales: number[],
  alloc: (n: number) => Float64Array = (n) => new Float64Array(n),
): Float64Array[] {
  const p = m.features.length;
  const columns = [alloc(m.rows).fill(1)];
  for (let j = 0; j < p; j++) {
    const column = alloc(m.rows);
    for (let i = 0; i < m.rows; i++) {
      const v = m.values[i * p + j];
      column[i] = Number.isNaN(v) ? 0 : (v - means[j]) / scales[j];
    }
    columns.push(column);
  }
  return columns;
}

/**
 * What the fit's sums read: the standardised columns (the intercept's column of ones first), the
 * labels, and the columns that are not zero on every row (`active`, ascending).
 */
export interface LogisticSumsInput {
  columns: Float64Array[];
  labels: ArrayLike<number>;
  active: number[];
}

/**
 * One Newton iteration's sums at weights `w`, over every row: the gradient entry and the Hessian
 * row (its entries up to the diagonal) of each active column at positions `mine` of `active`; the
 * other entries stay zero. Column-major, a block of rows at a time, yet every entry is still added
 * up row by row in row order: the same to the last bit as a row-at-a-time loop, whichever columns
 * are asked for, so threads that take parts of the entries give the one-thread fit exactly.
 */
export function logisticSums(
  input: LogisticSumsInput,
  w: Float64Array,
  mine: readonly number[],
): { grad: Float64Array; hess: Float64Array } {
  const { columns, labels, active } = input;
  const d = columns.length;
  const n = columns[0].length;
  const a = active.length;
  const z = new Float64Array(BLOCK);
  const r = new Float64Array(BLOCK);
  const s = new Float64Array(BLOCK);
  const sx = new Float64Array(BLOCK);
  const block: Float64Array[] = new Array(a);
  const grad = new Float64Array(d);
  const hess = new Float64Array(d * d);
  for (let from = 0; from < n; from += BLOCK) {
    const size = Math.min(BLOCK, n - from);
    for (let q = 0; q < a; q++) block[q] = columns[active[q]].subarray(from, from + size);
    z.fill(0);
    for (let q = 0; q < a; q++) {
      const x = block[q];
      const wj = w[active[q]];
      for (let i = 0; i < size; i++) z[i] += wj * x[i];
    }
    for (let i = 0; i < size; i++) {
      const mu = 1 / (1 + Math.exp(-z[i]));
      r[i] = mu - labels[from + i];
      s[i] = Math.max(mu * (1 - mu), 1e-12);
    }
    for (const q of mine) {
      const j = active[q];
      const xj = block[q];
      let g = grad[j];
      for (let i = 0; i < size; i++) {
        g += r[i] * xj[i];
        sx[i] = s[i] * xj[i];
      }
      grad[j] = g;
      // Four entries of the row at once: four independent sums keep the core busy.
      const row = j * d;
      let t = 0;
      for (; t + 3 <= q; t += 4) {
        const x0 = block[t];
        const x1 = block[t + 1];
        const x2 = block[t + 2];
        const x3 = block[t + 3];
        const k0 = row + active[t];
        const k1 = row + active[t + 1];
        const k2 = row + active[t + 2];
        const k3 = row + active[t + 3];
        let h0 = hess[k0];
        let h1 = hess[k1];
        let h2 = hess[k2];
        let h3 = hess[k3];
        for (let i = 0; i < size; i++) {
          const v = sx[i];
          h0 += v * x0[i];
          h1 += v * x1[i];
          h2 += v * x2[i];
          h3 += v * x3[i];
        }
        hess[k0] = h0;
        hess[k1] = h1;
        hess[k2] = h2;
        hess[k3] = h3;
      }
      for (; t <= q; t++) {
        const xk = block[t];
        const k = row + active[t];
        let h = hess[k];
        for (let i = 0; i < size; i++) h += sx[i] * xk[i];
        hess[k] = h;
      }
    }
  }
  return { grad, hess };
}

/** Columns that are zero on every row (a constant or missing feature) add exactly nothing to any sum: the sums skip them (their weights only meet the penalty). */
const activeColumns = (columns: Float64Array[]) =>
  columns.flatMap((column, j) => (column.some((x) => x !== 0) ? [j] : []));

/** Completes the sums (the Hessian's upper half, the penalty) and takes the Newton step on `w`; returns the largest change. */
function newtonStep(grad: Float64Array, hess: Float64Array, w: Float64Array, l2: number): number {
  const d = w.length;
  for (let j = 0; j < d; j++) {
    for (let k = 0; k < j; k++) hess[k * d + j] = hess[j * d + k];
    if (j > 0) {
      grad[j] += l2 * w[j];
      hess[j * d + j] += l2;
    }
  }
  const step = solveSpd(hess, grad, d);
  let change = 0;
  for (let j = 0; j < d; j++) {
    w[j] -= step[j];
    change = Math.max(change, Math.abs(step[j]));
  }
  return change;
}

function checkLabels(m: Matrix, labels: ArrayLike<number>): void {
  if (labels.length !== m.rows) throw new Error(`fitLogistic: ${m.rows} rows but ${labels.length} labels`);
}

export function fitLogistic(
  m: Matrix,
  labels: ArrayLike<number>,
  params: LogisticParams = DEFAULT_LOGISTIC,
): LogisticModel {
  checkLabels(m, labels);
  const { means, scales } = fitStandardisation(m);
  const columns = standardisedColumns(m, means, scales);
  const input = { columns, labels, active: activeColumns(columns) };
  const all = input.active.map((_, q) => q);
  const d = columns.length;
  const w = new Float64Array(d);
  let iterations = 0;
  for (; iterations < params.maxIterations; iterations++) {
    const { grad, hess } = logisticSums(input, w, all);
    if (newtonStep(grad, hess, w, params.l2) < params.tolerance) {
      iterations++;
      break;
    }
  }
  return { kind: 'logistic', features: [...m.features], params, means, scales, weights: Array.from(w), iterations };
}

/** Below this many rows the threaded fit runs in-process: starting threads costs more. */
export const PARALLEL_LOGISTIC_ROWS = 1_000_000;

/**
 * `fitLogistic` with each iteration's sums split over `threads` worker threads, which share the
 * standardised columns and each add up whole Hessian rows (balanced by their entries): the same
 * model to the last bit as in-process (see `logisticSums`). One thread, or fewer than `minRows`
 * rows, fits in-process.
 */
export async function fitLogisticOnThreads(
  m: Matrix,
  labels: ArrayLike<number>,
  threads: number,
  params: LogisticParams = DEFAULT_LOGISTIC,
  minRows = PARALLEL_LOGISTIC_ROWS,
): Promise<LogisticModel> {
  if (threads <= 1 || m.rows < minRows) return fitLogistic(m, labels, params);
  checkLabels(m, labels);
  const { means, scales } = fitStandardisation(m);
  const columns = standardisedColumns(m, means, scales, (n) => new Float64Array(new SharedArrayBuffer(n * 8)));
  const sharedLabels = new Float64Array(new SharedArrayBuffer(labels.length * 8));
  for (let i = 0; i < labels.length; i++) sharedLabels[i] = labels[i];
  const input: LogisticSumsInput = { columns, labels: sharedLabels, active: activeColumns(columns) };
  // Hessian rows dealt to the threads, the longest first, each to the least loaded.
  const parts: number[][] = Array.from({ length: Math.min(threads, input.active.length) }, () => []);
  const load = new Array<number>(parts.length).fill(0);
  for (let q = input.active.length - 1; q >= 0; q--) {
    const t = load.indexOf(Math.min(...load));
    parts[t].push(q);
    load[t] += q + 2;
  }
  const d = columns.length;
  const { LOGISTIC_WORKER_URL } = await import('./logistic-worker-url');
  const pool = new WorkerPool<LogisticJob, { grad: Float64Array; hess: Float64Array }>(
    LOGISTIC_WORKER_URL,
    input,
    parts.length,
    'logistic fit',
  );
  try {
    const w = new Float64Array(d);
    let iterations = 0;
    for (; iterations < params.maxIterations; iterations++) {
      const results = await Promise.all(parts.map((mine) => pool.run({ w: w.slice(), mine })));
      // Each entry from the thread that added it up.
      const grad = new Float64Array(d);
      const hess = new Float64Array(d * d);
      parts.forEach((mine, t) => {
        for (const q of mine) {
          const j = input.active[q];
          grad[j] = results[t].grad[j];
          for (let u = 0; u <= q; u++) hess[j * d + input.active[u]] = results[t].hess[j * d + input.active[u]];
        }
      });
      if (newtonStep(grad, hess, w, params.l2) < params.tolerance) {
        iterations++;
        break;
      }
    }
    return { kind: 'logistic', features: [...m.features], params, means, scales, weights: Array.from(w), iterations };
  } finally {
    await pool.close();
  }
}

/** One thread's part of an iteration: the weights and its active columns' positions. */
export interface LogisticJob {
  w: Float64Array;
  mine: number[];
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
