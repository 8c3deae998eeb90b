/** The live states' worker file, for replayLiveStates: loaded only when threads are used (see there). */
export const STATES_WORKER_URL = new URL('./states-worker.ts', import.meta.url).href;
