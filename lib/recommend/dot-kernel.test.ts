import { describe, expect, it } from 'vitest';

import { Rng } from '../random';
import { DotKernel, dotRows } from './dot-kernel';

describe('DotKernel', () => {
  it('a hand-computed case: each row times the vector', () => {
    const vectors = Float32Array.from([1, 2, 3, 4, 0.5, -1, 0, 2, 0, 0, 0, 0]);
    const kernel = new DotKernel(vectors, 4);
    expect(kernel.simd).toBe(true);
    const out = new Float32Array(3);
    kernel.dots(Float32Array.from([1, 1, 1, 0.5]), out);
    expect(Array.from(out)).toEqual([1 + 2 + 3 + 2, 0.5 - 1 + 0 + 1, 0]);
    // The four running sums are added left to right: ((s0 + s1) + s2) + s3, so a cancellation shows the order.
    const big = new DotKernel(Float32Array.from([1e20, -1e20, 1, 0, 1, 1e20, -1e20, 0, 0, 1, 1e20, -1e20]), 4);
    big.dots(Float32Array.from([1, 1, 1, 1]), out);
    expect(Array.from(out)).toEqual([1, 0, 0]);
  });

  it('the same float32 bits as the scalar loop, for every width the kernel takes, and the scalar loop for the others', () => {
    const rng = new Rng(3);
    for (const dim of [4, 8, 12, 32, 64, 6, 1]) {
      const rows = 1 + rng.int(3000);
      // Values of very different sizes, so the sums' rounding depends on their order.
      const vectors = Float32Array.from({ length: rows * dim }, () => (rng.next() - 0.5) * 10 ** (rng.int(7) - 3));
      const unit = Float32Array.from({ length: dim }, () => rng.next() - 0.5);
      const kernel = new DotKernel(vectors, dim);
      expect(kernel.simd, `dim ${dim}`).toBe(dim % 4 === 0);
      const got = new Float32Array(rows);
      const want = new Float32Array(rows);
      kernel.dots(unit, got);
      dotRows(vectors, dim, unit, want);
      expect(new Uint32Array(got.buffer), `dim ${dim}`).toEqual(new Uint32Array(want.buffer));
      // Reused: a second vector gives its own products, not the first's.
      unit.reverse();
      kernel.dots(unit, got);
      dotRows(vectors, dim, unit, want);
      expect(new Uint32Array(got.buffer), `dim ${dim}, again`).toEqual(new Uint32Array(want.buffer));
      // And the sums are the float64 dot products rounded once to float32 (to within that rounding).
      for (let p = 0; p < rows; p += 97) {
        let s = 0;
        for (let d = 0; d < dim; d++) s += unit[d] * vectors[p * dim + d];
        expect(Math.abs(got[p] - s)).toBeLessThanOrEqual(Math.abs(s) * 2 ** -23 + 1e-12);
      }
    }
  });
});
