import { describe, expect, it } from 'vitest';
import { cumulative, drawIndex, Rng, shuffle, zipfWeights } from './random';

describe('Rng', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const c = new Rng(124);
    const seqA = Array.from({ length: 50 }, () => a.uint32());
    expect(Array.from({ length: 50 }, () => b.uint32())).toEqual(seqA);
    expect(Array.from({ length: 50 }, () => c.uint32())).not.toEqual(seqA);
  });

  it('draws uniforms in [0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = new Rng(1);
    const xs = Array.from({ length: 200_000 }, () => rng.next());
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 2);
  });

  it('draws standard normals and exponentials with the right moments', () => {
    const rng = new Rng(2);
    const n = 200_000;
    const zs = Array.from({ length: n }, () => rng.normal());
    const mean = zs.reduce((a, b) => a + b, 0) / n;
    const variance = zs.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(variance).toBeCloseTo(1, 1);
    // P(|Z| < 1.96) = 0.95 for a standard normal.
    expect(zs.filter((z) => Math.abs(z) < 1.96).length / n).toBeCloseTo(0.95, 2);
    const es = Array.from({ length: n }, () => rng.exponential(3));
    expect(es.reduce((a, b) => a + b, 0) / n).toBeCloseTo(3, 1);
  });

  it('int(n) covers 0..n-1 evenly', () => {
    const rng = new Rng(3);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[rng.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });

  it('forks into streams that differ from each other and from the parent', () => {
    const parent = new Rng(9);
    const x = parent.fork('x');
    const y = parent.fork('y');
    const xs = Array.from({ length: 20 }, () => x.uint32());
    expect(Array.from({ length: 20 }, () => y.uint32())).not.toEqual(xs);
    expect(Array.from({ length: 20 }, () => parent.uint32())).not.toEqual(xs);
  });
});

describe('weighted draws', () => {
  it('drawIndex picks indices in proportion to weight, within a range too', () => {
    const rng = new Rng(4);
    const cum = cumulative([1, 0, 3, 6]);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 100_000; i++) counts[drawIndex(rng, cum)]++;
    expect(counts[1]).toBe(0);
    expect(counts[0] / 100_000).toBeCloseTo(0.1, 2);
    expect(counts[2] / 100_000).toBeCloseTo(0.3, 2);
    expect(counts[3] / 100_000).toBeCloseTo(0.6, 2);
    const inRange = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) inRange[drawIndex(rng, cum, 2, 4)]++;
    expect(inRange[0] + inRange[1]).toBe(0);
    expect(inRange[2] / 40_000).toBeCloseTo(1 / 3, 1);
  });

  it('rejects negative or all-zero weights', () => {
    expect(() => cumulative([1, -1])).toThrow(/non-negative/);
    expect(() => cumulative([0, 0])).toThrow(/zero/);
  });

  it('zipf weights fall as 1/rank^s', () => {
    const w = zipfWeights(4, 1);
    expect(Array.from(w)).toEqual([1, 1 / 2, 1 / 3, 1 / 4]);
  });

  it('shuffle permutes without losing items', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const shuffled = shuffle(new Rng(5), [...items]);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
  });
});
