import { availableParallelism } from 'node:os';
import { runOnWorkers } from '../workers';
import { assembleWorld, planSlice, planWorld, type World, type WorldOptions } from './world';
import type { Activity } from './simulate';

const WORKER_URL = new URL('./shard-worker.ts', import.meta.url).href;

/**
 * generateWorld on worker threads: the same shards, each with its own derived generator, so the
 * world is identical whatever `threads` is. Needs a runtime that loads .ts in workers (tsx does).
 */
export async function generateWorldInParallel(
  options: WorldOptions,
  threads = Math.min(2, availableParallelism()),
): Promise<World> {
  const planned = planWorld(options);
  if (threads <= 1) {
    const { generateWorld } = await import('./world');
    return generateWorld(options);
  }
  const results: Activity[] = new Array(planned.shards.length);
  const progress = new Array(planned.shards.length).fill(0);
  const queue = planned.shards.map((range, k) => ({ k, first: range[0], plan: planSlice(planned.plan, range) }));
  await runOnWorkers(
    WORKER_URL,
    { options: planned.options, startMs: planned.startMs },
    queue,
    threads,
    'generator',
    (message: { kind: 'progress' | 'done'; k: number; events?: number; activity?: Activity }) => {
      if (message.kind === 'progress') {
        progress[message.k] = message.events!;
        options.onProgress?.(progress.reduce((a, b) => a + b, 0));
        return false;
      }
      results[message.k] = message.activity!;
      progress[message.k] = message.activity!.events.time.length;
      return true;
    },
  );
  return assembleWorld(planned, results);
}
