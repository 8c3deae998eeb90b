/**
 * Prints how fast every product's item2vec cosine with a request's vector is computed, by the
 * scalar loop and by the WebAssembly SIMD kernel (the same float32 bits):
 * `npx tsx bench/similarity.ts [products] [dim]` (default: the month's 166,000 products × 32).
 */
import { DotKernel, dotRows } from '../lib/recommend/index';
import { Rng } from '../lib/random';
import { report } from './report';

const products = Number(process.argv[2] ?? 166_000);
const dim = Number(process.argv[3] ?? 32);
const rng = new Rng(1);
const vectors = Float32Array.from({ length: products * dim }, () => rng.next() - 0.5);
const units = Array.from({ length: 16 }, () => Float32Array.from({ length: dim }, () => rng.next() - 0.5));
const kernel = new DotKernel(vectors, dim);
const scalar = new Float32Array(products);
const simd = new Float32Array(products);

/** Milliseconds per request, the best of five rounds of 100 requests after a warm-up. */
function time(run: (unit: Float32Array) => void): number {
  for (let i = 0; i < 20; i++) run(units[i % units.length]);
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) run(units[i % units.length]);
    best = Math.min(best, (performance.now() - t0) / 100);
  }
  return best;
}

const scalarMs = time((unit) => dotRows(vectors, dim, unit, scalar));
const simdMs = time((unit) => kernel.dots(unit, simd));
dotRows(vectors, dim, units[0], scalar);
kernel.dots(units[0], simd);
const same = new Uint32Array(scalar.buffer).every((bits, i) => bits === new Uint32Array(simd.buffer)[i]);
report('similarity', {
  products,
  dim,
  simd: kernel.simd ? 1 : 0,
  scalar_ms: scalarMs,
  simd_ms: simdMs,
  same_bits: same ? 1 : 0,
});
