/** The threaded co-visitation fit's worker file, for fitCovisitationOnThreads: loaded only when threads are used (see there). */
export const COVISIT_WORKER_URL = new URL('./covisit-worker.ts', import.meta.url).href;
