/** Worker thread for generateWorldInParallel: builds the shop once, then simulates the shards it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { makeShop, simulateShard, type WorldOptions } from './world';
import type { SessionPlan } from './simulate';

export interface ShardJob {
  k: number;
  first: number;
  plan: SessionPlan;
}

const { options, startMs } = workerData as { options: Omit<WorldOptions, 'onProgress'>; startMs: number };
const { catalog, users } = makeShop(options);

parentPort!.on('message', (job: ShardJob) => {
  const activity = simulateShard({ options, startMs, catalog, users }, job.plan, job.first, job.k, (events) =>
    parentPort!.postMessage({ kind: 'progress', k: job.k, events }),
  );
  const buffers = new Set<ArrayBuffer>();
  for (const table of [activity.events, activity.sessions, activity.searches, activity.impressions]) {
    for (const column of Object.values(table)) buffers.add(column.buffer as ArrayBuffer);
  }
  parentPort!.postMessage({ kind: 'done', k: job.k, activity }, [...buffers]);
});
