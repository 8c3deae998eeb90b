import { describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { fitLogistic, fitLogisticOnThreads, predictLogistic, solveSpd } from './logistic';
import { fitLogisticTfjs } from './logistic-tfjs';

describe('solveSpd', () => {
  it('solves a small system by hand', () => {
    // [[4, 2], [2, 3]] x = [2, 1]  →  x = [0.5, 0]
    expect(Array.from(solveSpd(Float64Array.of(4, 2, 2, 3), Float64Array.of(2, 1), 2))).toEqual([0.5, 0]);
  });
});

describe('fitLogistic', () => {
  it('recovers the coefficients that generated the labels', () => {
    const rng = new Rng(3);
    const rows = 20_000;
    const values = new Float64Array(rows * 2);
    const labels = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      const a = rng.normal();
      const b = rng.normal();
      values[i * 2] = a;
      values[i * 2 + 1] = b;
      labels[i] = rng.bernoulli(1 / (1 + Math.exp(-(0.5 + 2 * a - 1 * b)))) ? 1 : 0;
    }
    const model = fitLogistic({ features: ['a', 'b'], rows, values }, labels, {
      l2: 1e-6,
      maxIterations: 50,
      tolerance: 1e-10,
    });
    // Weights are per standardised feature; undo the scaling to compare with the truth.
    const slopeA = model.weights[1] / model.scales[0];
    const slopeB = model.weights[2] / model.scales[1];
    const intercept = model.weights[0] - slopeA * model.means[0] - slopeB * model.means[1];
    expect(slopeA).toBeCloseTo(2, 1);
    expect(slopeB).toBeCloseTo(-1, 1);
    expect(intercept).toBeCloseTo(0.5, 1);
    const p = predictLogistic(model, { features: ['a', 'b'], rows: 1, values: Float64Array.of(0, 0) });
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(-0.5)), 1);
  });

  it('gives, to the last bit, what a textbook row-at-a-time Newton loop gives, in-process and on threads', async () => {
    // 5,000 rows (blocks of 2,048 and a partial one) × 8 features: a tenth of one missing, one
    // constant and one always missing (both zero once standardised, which the fit's sums skip).
    const rng = new Rng(5);
    const rows = 5000;
    const p = 8;
    const values = new Float32Array(rows * p);
    const labels = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < 6; j++) values[i * p + j] = j === 5 && rng.bernoulli(0.1) ? NaN : rng.normal() * (j + 1);
      values[i * p + 6] = 2.5;
      values[i * p + 7] = NaN;
      labels[i] = rng.bernoulli(1 / (1 + Math.exp(-(values[i * p] - 0.3 * values[i * p + 1])))) ? 1 : 0;
    }
    const params = { l2: 1, maxIterations: 50, tolerance: 1e-8 };
    const model = fitLogistic({ features: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], rows, values }, labels, params);

    // The reference: means and scales feature by feature (mean 0 without values, scale 1 when
    // constant), then Newton steps summing every column row by row.
    const means: number[] = [];
    const scales: number[] = [];
    for (let j = 0; j < p; j++) {
      let n = 0;
      let sum = 0;
      for (let i = 0; i < rows; i++) if (!Number.isNaN(values[i * p + j])) ((sum += values[i * p + j]), n++);
      means.push(n ? sum / n : 0);
      let ss = 0;
      for (let i = 0; i < rows; i++) if (!Number.isNaN(values[i * p + j])) ss += (values[i * p + j] - means[j]) ** 2;
      scales.push(n > 1 && ss > 0 ? Math.sqrt(ss / n) : 1);
    }
    const d = p + 1;
    const w = new Float64Array(d);
    let iterations = 0;
    for (; iterations < params.maxIterations; iterations++) {
      const grad = new Float64Array(d);
      const hess = new Float64Array(d * d);
      for (let i = 0; i < rows; i++) {
        const row = [1];
        for (let j = 0; j < p; j++) {
          const v = values[i * p + j];
          row.push(Number.isNaN(v) ? 0 : (v - means[j]) / scales[j]);
        }
        let z = 0;
        for (let j = 0; j < d; j++) z += w[j] * row[j];
        const mu = 1 / (1 + Math.exp(-z));
        const s = Math.max(mu * (1 - mu), 1e-12);
        for (let j = 0; j < d; j++) {
          grad[j] += (mu - labels[i]) * row[j];
          for (let k = 0; k <= j; k++) hess[j * d + k] += s * row[j] * row[k];
        }
      }
      for (let j = 0; j < d; j++) {
        for (let k = 0; k < j; k++) hess[k * d + j] = hess[j * d + k];
        if (j > 0) ((grad[j] += params.l2 * w[j]), (hess[j * d + j] += params.l2));
      }
      const step = solveSpd(hess, grad, d);
      let change = 0;
      for (let j = 0; j < d; j++) ((w[j] -= step[j]), (change = Math.max(change, Math.abs(step[j]))));
      if (change < params.tolerance) {
        iterations++;
        break;
      }
    }
    expect(model.means).toEqual(means);
    expect(model.scales).toEqual(scales);
    expect(model.iterations).toBe(iterations);
    expect(model.weights).toEqual(Array.from(w));
    expect(model.weights.slice(7)).toEqual([0, 0]);
    // Each iteration's sums split over two and three worker threads (whole Hessian rows each): the same bits.
    const matrix = { features: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], rows, values };
    for (const threads of [2, 3]) {
      const threaded = await fitLogisticOnThreads(matrix, labels, threads, params, 0);
      expect(threaded.iterations, `${threads} threads`).toBe(iterations);
      expect(threaded.weights, `${threads} threads`).toEqual(Array.from(w));
    }
  });

  it('treats NaN as the training mean and refuses a different feature order', () => {
    const model = fitLogistic({ features: ['a'], rows: 4, values: Float64Array.of(0, 1, NaN, 3) }, [0, 0, 1, 1]);
    expect(model.means[0]).toBeCloseTo(4 / 3, 12);
    expect(() => predictLogistic(model, { features: ['b'], rows: 1, values: Float64Array.of(1) })).toThrow(
      /expects features \[a\]/,
    );
  });
});

describe('fitLogisticTfjs', () => {
  it('reaches the Newton solution of the same objective (wasm backend)', async () => {
    const rng = new Rng(11);
    const rows = 5000;
    const values = new Float64Array(rows * 3);
    const labels = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < 3; j++)
        values[i * 3 + j] = j === 2 ? (rng.bernoulli(0.1) ? NaN : rng.uniform(0, 50)) : rng.normal();
      const z =
        -0.3 +
        values[i * 3] -
        0.5 * values[i * 3 + 1] +
        (Number.isNaN(values[i * 3 + 2]) ? 0 : 0.02 * values[i * 3 + 2]);
      labels[i] = rng.bernoulli(1 / (1 + Math.exp(-z))) ? 1 : 0;
    }
    const m = { features: ['a', 'b', 'c'], rows, values };
    const params = { l2: 1, maxIterations: 50, tolerance: 1e-10 };
    const newton = fitLogistic(m, labels, params);
    const adam = await fitLogisticTfjs(m, labels, { ...params, epochs: 500, learningRate: 0.05 });
    expect(adam.means).toEqual(newton.means);
    adam.weights.forEach((w, j) => expect(w).toBeCloseTo(newton.weights[j], 2));
    const [pa, pb] = [predictLogistic(newton, m), predictLogistic(adam, m)];
    for (let i = 0; i < rows; i += 97) expect(pb[i]).toBeCloseTo(pa[i], 3);
  });
});
