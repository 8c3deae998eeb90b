/** Worker thread for fitSessionEmbeddingOnThread: fits item2vec on the shared sessions, posting its progress, then the vectors. */
import { parentPort, workerData } from 'node:worker_threads';
import { unflattenLists } from '../columns';
import type { Item2VecParams } from '../recommend/index';
import { type EmbeddingMessage, fitSessionEmbedding } from './embedding';

const { start, values, items, params, seed } = workerData as {
  start: Int32Array;
  values: Int32Array;
  items: number;
  params: Item2VecParams;
  seed: number;
};

const post = (message: EmbeddingMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);

parentPort!.on('message', async () => {
  const e = await fitSessionEmbedding(unflattenLists(start, values), items, params, seed, (step, steps) =>
    post({ kind: 'step', step, steps }),
  );
  post({ kind: 'done', dim: e.dim, vectors: e.vectors }, [e.vectors.buffer as ArrayBuffer]);
});
