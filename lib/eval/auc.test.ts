import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../testing';
import { rocAuc } from './auc';

const cases = JSON.parse(readFileSync(join(ROOT, '..', 'shared', 'reference', 'metric-cases.json'), 'utf8')).binary as { y: number[]; score: number[]; auc: number }[];

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
  it('refuses one-class labels, non-binary labels and NaN scores', () => {
    expect(() => rocAuc([1, 1], [0.1, 0.2])).toThrow(/both/);
    expect(() => rocAuc([2, 0], [0.1, 0.2])).toThrow(/label 0/);
    expect(() => rocAuc([1, 0], [NaN, 0.2])).toThrow(/NaN/);
  });
});
