/** The SVM worker's file, for fitLinearSvcInParallel: loaded only when threads are used (see there). */
export const SVM_WORKER_URL = new URL('./svm-worker.ts', import.meta.url).href;
