import { describe, expect, it } from 'vitest';
import { referenceJson } from '../testing';
import { radixSort, rocAuc } from './auc';

const cases = referenceJson('metric-cases').binary as { y: number[]; score: number[]; auc: number }[];

/** AUC by its definition: the share of (positive, negative) pairs the positive wins, ties one half. */
function pairCount(y: ArrayLike<number>, s: ArrayLike<number>): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++)
    for (let j = 0; j < y.length; j++)
      if (y[i] === 1 && y[j] === 0) {
        pairs++;
        wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
      }
  return wins / pairs;
}

describe('rocAuc', () => {
  it('matches scikit-learn on every reference case', () => {
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) expect(rocAuc(c.y, c.score)).toBeCloseTo(c.auc, 12);
  });
  it('counts ties as one half, by hand', () => {
    // Pairs (pos, neg): (0.5 vs 0.5) = 1/2, (0.5 vs 0.1) = 1, (0.9 vs 0.5) = 1, (0.9 vs 0.1) = 1 → 3.5 / 4.
    expect(rocAuc([1, 1, 0, 0], [0.5, 0.9, 0.5, 0.1])).toBe(0.875);
    expect(rocAuc([0, 1], [0.3, 0.3])).toBe(0.5);
    expect(rocAuc([0, 0, 1, 1], [1, 2, 3, 4])).toBe(1);
  });
  it('equals the pair-counting definition on random scores with many ties, negatives and -0', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 20; trial++) {
      const n = 50 + Math.floor(rand() * 100);
      const y = Array.from({ length: n }, (_, i) => (i === 0 ? 1 : i === 1 ? 0 : rand() < 0.3 ? 1 : 0));
      const s = Array.from(
        { length: n },
        () =>
          [Math.round(rand() * 10) / 4 - 1, -0, 0, 1e-300, -1e300, 1e300][Math.floor(rand() * 6) % 6] *
          (rand() < 0.5 ? 1 : 1),
      );
      let wins = 0;
      let pairs = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          if (y[i] === 1 && y[j] === 0) {
            pairs++;
            wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
          }
      expect(rocAuc(y, s)).toBeCloseTo(wins / pairs, 12);
    }
  });

  it('the float32 radix path agrees with pair counting: -0, denormals, infinities, extremes', () => {
    let seed = 11;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const values = [-0, 0, 1e-45, -1e-45, 0.5, -0.5, 3.4e38, -3.4e38, Infinity, -Infinity, 0.25, 1];
    for (let trial = 0; trial < 20; trial++) {
      const n = 60 + Math.floor(rand() * 100);
      const y = Array.from({ length: n }, (_, i) => (i === 0 ? 1 : i === 1 ? 0 : rand() < 0.4 ? 1 : 0));
      const s = Float32Array.from({ length: n }, () =>
        rand() < 0.5 ? values[Math.floor(rand() * values.length)] : Math.fround(rand() * 4 - 2),
      );
      expect(rocAuc(y, s)).toBeCloseTo(pairCount(y, s), 12);
      // The same float32 values in a Float64Array take the key path too; one value off the float32 grid takes the native one.
      expect(rocAuc(y, Float64Array.from(s))).toBe(rocAuc(y, s));
      const off = Float64Array.from(s);
      off[2] = 0.1;
      expect(rocAuc(y, off)).toBeCloseTo(pairCount(y, off), 12);
    }
  });

  it('radix sort orders 32-bit keys as a comparison sort does', () => {
    let seed = 3;
    const keys = Uint32Array.from({ length: 5000 }, () => ((seed = (seed * 16807) % 2147483647) * 2.3) >>> 0);
    expect(Array.from(radixSort(keys.slice()))).toEqual(Array.from(keys).sort((a, b) => a - b));
  });

  it('refuses one-class labels, non-binary labels and NaN scores', () => {
    expect(() => rocAuc([1, 1], [0.1, 0.2])).toThrow(/both/);
    expect(() => rocAuc([2, 0], [0.1, 0.2])).toThrow(/label 0/);
    expect(() => rocAuc([1, 0], [NaN, 0.2])).toThrow(/NaN/);
  });
});
