import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
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
  const workers = Array.from(
    { length: Math.min(threads, queue.length) },
    () =>
      // tsx registers its loader in the main thread only, so each worker registers it first.
      new Worker(
        `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL)}); })`,
        {
          eval: true,
          workerData: { options: planned.options, startMs: planned.startMs },
        },
      ),
  );
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const next = () => {
              const job = queue.shift();
              if (job) worker.postMessage(job);
              else resolve();
            };
            worker.on(
              'message',
              (message: { kind: 'progress' | 'done'; k: number; events?: number; activity?: Activity }) => {
                if (message.kind === 'progress') {
                  progress[message.k] = message.events!;
                  options.onProgress?.(progress.reduce((a, b) => a + b, 0));
                } else {
                  results[message.k] = message.activity!;
                  progress[message.k] = message.activity!.events.time.length;
                  next();
                }
              },
            );
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (code !== 0) reject(new Error(`a generator thread exited with code ${code}`));
            });
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return assembleWorld(planned, results);
}
