import { describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { fitLogistic, predictLogistic, solveSpd } from './logistic';

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
    const model = fitLogistic({ features: ['a', 'b'], rows, values }, labels, { l2: 1e-6, maxIterations: 50, tolerance: 1e-10 });
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

  it('treats NaN as the training mean and refuses a different feature order', () => {
    const model = fitLogistic({ features: ['a'], rows: 4, values: Float64Array.of(0, 1, NaN, 3) }, [0, 0, 1, 1]);
    expect(model.means[0]).toBeCloseTo(4 / 3, 12);
    expect(() => predictLogistic(model, { features: ['b'], rows: 1, values: Float64Array.of(1) })).toThrow(/expects features \[a\]/);
  });
});
