import type { CategoryInput, ProductScorer } from '../classify/index';
import { WorkerPool } from '../workers';

const SCORE_WORKER_URL = new URL('./category-worker.ts', import.meta.url).href;

/** See `bulkCategoryScorer` in category.ts. */
export function bulkCategoryScorer(
  dir: string,
  modelPath: string,
  classes: string[],
  k: number,
  threads: number,
): ProductScorer & { close(): Promise<void> } {
  const pool = new WorkerPool<CategoryInput[], { classes: Int32Array; probabilities: Float64Array }>(
    SCORE_WORKER_URL,
    { dir, modelPath, k },
    threads,
    'category scoring',
  );
  return { classes, topK: (products) => pool.run(products), close: () => pool.close() };
}
