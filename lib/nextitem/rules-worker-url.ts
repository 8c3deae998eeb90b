/** The rule lists' worker file, for fitRuleLists: loaded only when threads are used (see there). */
export const RULES_WORKER_URL = new URL('./rules-worker.ts', import.meta.url).href;
