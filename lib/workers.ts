import { Worker } from 'node:worker_threads';

/**
 * Runs `jobs` on up to `threads` worker threads of the module at `url` (a .ts file: tsx registers
 * its loader in the main thread only, so each worker registers it first), one job at a time per
 * worker, in order. Every message a worker posts goes to `onMessage`, which returns true when it
 * ends the worker's current job; the worker is then sent the next. Rejects when a worker fails or
 * exits early, naming `what` runs on it; every worker is terminated either way.
 */
export async function runOnWorkers<Job, Message>(
  url: string,
  workerData: unknown,
  jobs: readonly Job[],
  threads: number,
  what: string,
  onMessage: (message: Message) => boolean,
): Promise<void> {
  const queue = [...jobs];
  const workers = Array.from(
    { length: Math.max(1, Math.min(threads, queue.length)) },
    () =>
      new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); })`, {
        eval: true,
        workerData,
      }),
  );
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const next = () => {
              const job = queue.shift();
              if (job !== undefined) worker.postMessage(job);
              else resolve();
            };
            worker.on('message', (message: Message) => {
              if (onMessage(message)) next();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (code !== 0) reject(new Error(`a ${what} thread exited with code ${code}`));
            });
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
