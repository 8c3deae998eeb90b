import {
  type Embedding,
  fitSkipGram,
  type Item2VecParams,
  scoreBySimilarity,
  sequencePairSource,
} from '../recommend/index';
import { flattenLists } from '../columns';
import { runOnWorkers, shared } from '../workers';

/**
 * item2vec for sessions: skip-gram with negative sampling over the training sessions' click
 * sequences (the recommend family's trainer), so items clicked near each other in sessions get
 * close vectors. A prefix is the recency-weighted mean of its items' vectors.
 */
export async function fitSessionEmbedding(
  train: readonly Int32Array[],
  items: number,
  params: Item2VecParams,
  seed: number,
  onStep?: (step: number, steps: number) => void,
): Promise<Embedding> {
  const { dim, vectors } = await fitSkipGram(
    sequencePairSource(train, params.window, items),
    items,
    params,
    seed,
    onStep,
  );
  return { dim, vectors };
}

/** Below this many clicks `fitSessionEmbeddingOnThread` fits in-process: starting a thread costs more. */
export const PARALLEL_EMBEDDING_CLICKS = 2_000_000;

/** What the embedding's worker thread posts: each step's progress, then the vectors. */
export type EmbeddingMessage =
  { kind: 'step'; step: number; steps: number } | { kind: 'done'; dim: number; vectors: Float32Array };

/**
 * `fitSessionEmbedding` on a worker thread with its own tfjs, so that it runs beside the caller's
 * work, when the sessions have `minClicks` clicks or more (else in-process). The thread runs the
 * same WebAssembly build with the same seed, so the vectors are the same as in-process. `onStep`
 * gets the thread's progress as it comes.
 */
export async function fitSessionEmbeddingOnThread(
  train: readonly Int32Array[],
  items: number,
  params: Item2VecParams,
  seed: number,
  onStep?: (step: number, steps: number) => void,
  minClicks = PARALLEL_EMBEDDING_CLICKS,
): Promise<Embedding> {
  const clicks = train.reduce((n, t) => n + t.length, 0);
  if (clicks < minClicks) return fitSessionEmbedding(train, items, params, seed, onStep);
  const { start, values } = flattenLists(train);
  let result: Embedding | undefined;
  const { EMBEDDING_WORKER_URL } = await import('./embedding-worker-url');
  const data = { start: shared(start), values: shared(values), items, params, seed };
  await runOnWorkers(EMBEDDING_WORKER_URL, data, [0], 1, 'item2vec', (m: EmbeddingMessage) => {
    if (m.kind === 'step') {
      onStep?.(m.step, m.steps);
      return false;
    }
    result = { dim: m.dim, vectors: m.vectors };
    return true;
  });
  if (!result) throw new Error('item2vec: the thread ended without its vectors');
  return result;
}

/** The weight of the r-th click before the last in a prefix's mean vector is PREFIX_DECAY^r. */
export const PREFIX_DECAY = 0.8;

/** At most this many of a prefix's last clicks make its mean vector. */
const PREFIX_CLICKS = 10;

/** Cosines of items with a prefix's mean vector, into a reused array (one per model: not re-entrant). */
export class PrefixSimilarity {
  /** After `score`: every item's cosine with the prefix, 0 for items without a vector. */
  readonly scores: Float32Array;

  constructor(readonly embedding: Embedding) {
    this.scores = new Float32Array(embedding.vectors.length / embedding.dim);
  }

  /** Scores every item against `prefix`; false (all zero) when none of its items has a vector. */
  score(prefix: Int32Array): boolean {
    const from = Math.max(0, prefix.length - PREFIX_CLICKS);
    const items = Array.from(prefix.subarray(from));
    const weights = items.map((_, i) => PREFIX_DECAY ** (items.length - 1 - i));
    return scoreBySimilarity(this.embedding, items, weights, this.scores);
  }

  /** The cosine of two items (0 when either has no vector). */
  cosine(a: number, b: number): number {
    const { dim, vectors } = this.embedding;
    let s = 0;
    for (let d = 0; d < dim; d++) s += vectors[a * dim + d] * vectors[b * dim + d];
    return s;
  }

  /** The `k` items of highest positive cosine after `score`, best first (ties: more clicks, then index). */
  top(k: number, clicks: Float64Array): Int32Array {
    const scores = this.scores;
    // A sorted window of the best k so far, worst first: an item enters only when it beats the worst.
    const best: number[] = [];
    const before = (a: number, b: number) =>
      scores[a] < scores[b] ||
      (scores[a] === scores[b] && (clicks[a] < clicks[b] || (clicks[a] === clicks[b] && a > b)));
    for (let i = 0; i < scores.length; i++) {
      if (!(scores[i] > 0)) continue;
      if (best.length === k && !before(best[0], i)) continue;
      if (best.length === k) best.shift();
      let at = best.length;
      while (at > 0 && before(i, best[at - 1])) at--;
      best.splice(at, 0, i);
    }
    return Int32Array.from(best.reverse());
  }
}
