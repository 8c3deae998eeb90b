/** item2vec's worker file, for fitSessionEmbeddingOnThread: loaded only when a thread is used (see there). */
export const EMBEDDING_WORKER_URL = new URL('./embedding-worker.ts', import.meta.url).href;
