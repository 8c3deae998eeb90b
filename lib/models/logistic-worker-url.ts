/** The threaded logistic fit's worker file, for fitLogisticOnThreads: loaded only when threads are used (see there). */
export const LOGISTIC_WORKER_URL = new URL('./logistic-worker.ts', import.meta.url).href;
