import type * as TF from '@tensorflow/tfjs';

import { DotKernel } from './dot-kernel';
import { i32 } from '../columns';
import { cumulative, drawIndex, Rng } from '../random';
import { tfjs } from '../tf/index';
import { type Interactions, sessionRanges } from './interactions';
import { EVENT_WEIGHT_BY_CODE } from './state';

export interface Item2VecParams {
  dim: number;
  /** Context positions on each side of an item in its session. */
  window: number;
  negatives: number;
  /** Positive pairs used per epoch (a seeded sample when there are more). */
  max_pairs: number;
  epochs: number;
  batch: number;
  learning_rate: number;
}

/** Item vectors, row-major `products × dim`, each of unit length (zero for items never seen in training). */
export interface Embedding {
  dim: number;
  vectors: Float32Array;
}

/**
 * A sequence with runs of one item merged, copied into a reused buffer: `merge` returns its length
 * and `seq` (read after the call: it grows for long sequences) holds it until the next call.
 */
class MergedRuns {
  seq = new Int32Array(64);

  merge(values: ArrayLike<number>): number {
    if (this.seq.length < values.length) this.seq = new Int32Array(Math.max(values.length, 2 * this.seq.length));
    const seq = this.seq;
    let len = 0;
    for (let i = 0; i < values.length; i++) if (len === 0 || seq[len - 1] !== values[i]) seq[len++] = values[i];
    return len;
  }
}

/**
 * Skip-gram pairs (centre, context) from sequences of items; repeats in a row count once, an item is
 * never its own context. `sequences` is read twice (a function giving a fresh iteration each time):
 * once to count the pairs, once to fill typed arrays of that size (a month of sessions makes about
 * 100 M pairs, gigabytes as JS arrays).
 */
export function sequencePairs(
  sequences: () => Iterable<ArrayLike<number>>,
  window: number,
): { centre: Int32Array; context: Int32Array } {
  // Two passes over the sequences, the first counting the pairs, the second writing them (no
  // callback per pair: a month of sessions has about 100 M). Each sequence with runs of one item
  // merged is copied into a reused buffer.
  const runs = new MergedRuns();
  let n = 0;
  for (const items of sequences()) {
    const len = runs.merge(items);
    const seq = runs.seq;
    for (let i = 0; i < len; i++) {
      const hi = Math.min(len - 1, i + window);
      for (let j = Math.max(0, i - window); j <= hi; j++) if (j !== i && seq[j] !== seq[i]) n++;
    }
  }
  const centre = new Int32Array(n);
  const context = new Int32Array(n);
  n = 0;
  for (const items of sequences()) {
    const len = runs.merge(items);
    const seq = runs.seq;
    for (let i = 0; i < len; i++) {
      const hi = Math.min(len - 1, i + window);
      const a = seq[i];
      for (let j = Math.max(0, i - window); j <= hi; j++) {
        if (j !== i && seq[j] !== a) {
          centre[n] = a;
          context[n++] = seq[j];
        }
      }
    }
  }
  return { centre, context };
}

/** Skip-gram pairs as item2vec reads them: how many, each item's count as a context, and the r-th pair. */
export interface PairSource {
  readonly length: number;
  /** Each item's count as a context, over every pair. */
  readonly contextCounts: Float64Array;
  /** Writes the r-th pair's centre to `out[0]` and its context to `out[1]`. */
  pair(r: number, out: Int32Array): void;
}

/** Pairs written out in arrays (`sequencePairs`, `skipGramPairs`) as a source over `items` items. */
export function arrayPairSource(all: { centre: Int32Array; context: Int32Array }, items: number): PairSource {
  const contextCounts = new Float64Array(items);
  for (const c of all.context) contextCounts[c]++;
  return {
    length: all.centre.length,
    contextCounts,
    pair(r, out) {
      out[0] = all.centre[r];
      out[1] = all.context[r];
    },
  };
}

/** Sequences longer than this (once repeats in a row are merged) have their pairs written out. */
const LONG_SEQUENCE = 64;

/**
 * The pairs `sequencePairs` gives for `sequences`, in the same order, without writing them all out:
 * one pass counts each sequence's pairs and every item's contexts, and the r-th pair is found when
 * asked for, in its sequence (a binary search over the counts' running sums). An epoch samples a few
 * hundred thousand of a month's hundred million pairs: writing them all cost seconds and a
 * gigabyte. A long sequence's pairs (a crawler's thousands of views) are written out, so finding
 * one never walks a long sequence.
 */
export function sequencePairSource(sequences: readonly ArrayLike<number>[], window: number, items: number): PairSource {
  const runs = new MergedRuns();
  // before[s]: the pairs of the sequences before s (float64: exact far past 2^32).
  const before = new Float64Array(sequences.length + 1);
  const contextCounts = new Float64Array(items);
  // Long sequences: where their pairs start in the written-out columns.
  const written = new Map<number, number>();
  const centres = i32();
  const contexts = i32();
  let n = 0;
  for (let s = 0; s < sequences.length; s++) {
    before[s] = n;
    const len = runs.merge(sequences[s]);
    const seq = runs.seq;
    const long = len > LONG_SEQUENCE;
    if (long) written.set(s, centres.length);
    for (let i = 0; i < len; i++) {
      const hi = Math.min(len - 1, i + window);
      for (let j = Math.max(0, i - window); j <= hi; j++)
        if (j !== i && seq[j] !== seq[i]) {
          contextCounts[seq[j]]++;
          n++;
          if (long) {
            centres.push(seq[i]);
            contexts.push(seq[j]);
          }
        }
    }
  }
  before[sequences.length] = n;
  return {
    length: n,
    contextCounts,
    pair(r, out) {
      if (!(r >= 0 && r < n)) throw new RangeError(`pair ${r} of ${n}`);
      // The last sequence s with before[s] <= r (empty sequences share their start with the next).
      let lo = 0;
      let hi = sequences.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (before[mid] <= r) lo = mid;
        else hi = mid - 1;
      }
      let k = r - before[lo];
      const at = written.get(lo);
      if (at !== undefined) {
        out[0] = centres.get(at + k);
        out[1] = contexts.get(at + k);
        return;
      }
      const len = runs.merge(sequences[lo]);
      const seq = runs.seq;
      for (let i = 0; i < len; i++) {
        const top = Math.min(len - 1, i + window);
        for (let j = Math.max(0, i - window); j <= top; j++)
          if (j !== i && seq[j] !== seq[i] && k-- === 0) {
            out[0] = seq[i];
            out[1] = seq[j];
            return;
          }
      }
      throw new Error(`pair ${r}: not found in sequence ${lo}`);
    },
  };
}

/** Skip-gram pairs from each session's sequence of touched products. */
export function skipGramPairs(x: Interactions, window: number): { centre: Int32Array; context: Int32Array } {
  function* sessions() {
    const seq: number[] = [];
    for (const [from, to] of sessionRanges(x)) {
      seq.length = 0;
      for (let i = from; i < to; i++) {
        const p = x.product[i];
        if (p >= 0 && EVENT_WEIGHT_BY_CODE[x.type[i]] > 0) seq.push(p);
      }
      yield seq;
    }
  }
  return sequencePairs(sessions, window);
}

/**
 * The pairs one epoch trains on, in order: all `n` shuffled when `k ≥ n`; otherwise a seeded sample
 * of `k`, drawn by the first `k` steps of a shuffle kept in a map of the moved positions, so an
 * epoch costs its sample and not every pair (a month of sessions has about 100 M pairs and
 * `max_pairs` is 200 k: shuffling them all took seconds per epoch).
 */
export function epochOrder(n: number, k: number, rng: Rng): Int32Array {
  if (k >= n) {
    const order = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  }
  const moved = new Map<number, number>();
  const order = new Int32Array(k);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    order[i] = moved.get(j) ?? j;
    moved.set(j, moved.get(i) ?? i);
  }
  return order;
}

/**
 * item2vec: skip-gram with negative sampling (negatives drawn from unigram^0.75), trained with
 * tfjs on the wasm backend by Adam. The wasm backend has no kernel for the gradient of `gather`
 * (UnsortedSegmentSum), so the row lookup carries its own gradient through `scatterND`, which sums
 * repeated rows the same way.
 */
export async function fitItem2Vec(
  x: Interactions,
  products: number,
  params: Item2VecParams,
  seed: number,
  onStep: (step: number, steps: number, loss: number) => void = () => {},
): Promise<Embedding & { loss: number[] }> {
  return fitSkipGram(arrayPairSource(skipGramPairs(x, params.window), products), products, params, seed, onStep);
}

/** Skip-gram with negative sampling over given (centre, context) pairs; see `fitItem2Vec`. */
export async function fitSkipGram(
  all: PairSource,
  products: number,
  params: Item2VecParams,
  seed: number,
  onStep: (step: number, steps: number, loss: number) => void = () => {},
): Promise<Embedding & { loss: number[] }> {
  const tf = await tfjs();
  const rng = new Rng(seed);
  const counts = all.contextCounts;
  if (counts.length !== products)
    throw new Error(`fitSkipGram: context counts for ${counts.length} items, not ${products}`);
  const noise = cumulative(Float64Array.from(counts, (c) => Math.pow(c, 0.75)));
  const { dim, negatives, batch } = params;
  const width = negatives + 1;
  const pairs = Math.min(all.length, params.max_pairs);
  const steps = params.epochs * Math.ceil(pairs / batch);
  const inputs = tf.variable(tf.randomUniform([products, dim], -0.5 / dim, 0.5 / dim, 'float32', seed));
  const outputs = tf.variable(tf.zeros([products, dim]));
  const rows = tf.customGrad(((table: TF.Tensor, index: TF.Tensor, save: TF.GradSaveFunc) => {
    save([index]);
    return {
      value: tf.gather(table, index),
      gradFunc: (dy: TF.Tensor, [saved]: TF.Tensor[]) => [
        tf.scatterND(saved.expandDims(1), dy, table.shape),
        tf.zerosLike(saved),
      ],
    };
  }) as unknown as Parameters<typeof TF.customGrad>[0]) as unknown as (table: TF.Tensor, index: TF.Tensor) => TF.Tensor;
  const optimizer = tf.train.adam(params.learning_rate);
  const labels = Float32Array.from({ length: batch * width }, (_, i) => (i % width === 0 ? 1 : 0));
  const pair = new Int32Array(2);
  const loss: number[] = [];
  let step = 0;
  try {
    for (let epoch = 0; epoch < params.epochs; epoch++) {
      // A fresh seeded sample and order of the pairs each epoch.
      const order = epochOrder(all.length, pairs, rng);
      for (let from = 0; from < pairs; from += batch) {
        const b = Math.min(batch, pairs - from);
        const centre = new Int32Array(b);
        const context = new Int32Array(b * width);
        for (let k = 0; k < b; k++) {
          all.pair(order[from + k], pair);
          centre[k] = pair[0];
          context[k * width] = pair[1];
          for (let q = 1; q < width; q++) context[k * width + q] = drawIndex(rng, noise);
        }
        const tensors = [
          tf.tensor1d(centre, 'int32'),
          tf.tensor1d(context, 'int32'),
          tf.tensor2d(labels.subarray(0, b * width), [b, width]),
        ];
        const value = optimizer.minimize(() => {
          const u = rows(inputs, tensors[0]).reshape([b, 1, dim]);
          const v = rows(outputs, tensors[1]).reshape([b, width, dim]);
          return tf.losses.sigmoidCrossEntropy(tensors[2], u.mul(v).sum(2)) as TF.Scalar;
        }, true)!;
        const l = (await value.data())[0];
        tf.dispose([...tensors, value]);
        loss.push(l);
        onStep(++step, steps, l);
      }
    }
    const vectors = new Float32Array(await inputs.data());
    for (let p = 0; p < products; p++) {
      let norm = 0;
      for (let d = 0; d < dim; d++) norm += vectors[p * dim + d] ** 2;
      const scale = counts[p] > 0 && norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let d = 0; d < dim; d++) vectors[p * dim + d] *= scale;
    }
    return { dim, vectors, loss };
  } finally {
    tf.dispose([inputs, outputs]);
    optimizer.dispose();
  }
}

const kernels = new WeakMap<Float32Array, DotKernel>();

/** The dot-product kernel of an embedding's vectors (made once per vectors array). */
function kernelOf(e: Embedding): DotKernel {
  let kernel = kernels.get(e.vectors);
  if (!kernel) kernels.set(e.vectors, (kernel = new DotKernel(e.vectors, e.dim)));
  return kernel;
}

/** The cosine of every item with the unit-length, recency-weighted mean of `items`' vectors, into `out`; false when none has a vector. */
export function scoreBySimilarity(
  e: Embedding,
  items: readonly number[],
  weights: readonly number[],
  out: Float32Array,
): boolean {
  const { dim, vectors } = e;
  const u = new Float64Array(dim);
  items.forEach((p, i) => {
    for (let d = 0; d < dim; d++) u[d] += weights[i] * vectors[p * dim + d];
  });
  const norm = Math.sqrt(u.reduce((s, v) => s + v * v, 0));
  if (!(norm > 0)) {
    out.fill(0);
    return false;
  }
  const unit = Float32Array.from(u, (v) => v / norm);
  // The hot loop of every recommendation request: every product's cosine, in WebAssembly SIMD.
  kernelOf(e).dots(unit, out);
  return true;
}
