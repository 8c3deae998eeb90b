import { type TransferListItem, Worker } from 'node:worker_threads';

/**
 * A typed array in shared memory, so every worker reads the one copy: `a` itself when it already is
 * (readers can allocate there: `readColumns`' `shared`), else a copy (a month's events: 3 s, 0.7 GB).
 */
export function shared<T extends Uint8Array | Int32Array | Float64Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const out = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

/**
 * Splits `0 .. n)` into at most `chunks` consecutive ranges `[from, to)` of about equal weight,
 * where `starts` is the running total of the weights (`starts[i]` before element i, `starts[n]` in
 * all): each range holds at least one element, and a heavy element makes a range of its own.
 */
export function balancedRanges(starts: ArrayLike<number>, n: number, chunks: number): [number, number][] {
  const total = starts[n];
  const ranges: [number, number][] = [];
  for (let c = 1, from = 0; c <= chunks && from < n; c++) {
    let to = from + 1;
    while (to < n && starts[to] < (total * c) / chunks) to++;
    if (c === chunks) to = n;
    ranges.push([from, to]);
    from = to;
  }
  return ranges;
}

/** One job of a threaded fit over ranges: elements `from .. to)`; `index` orders the parts. */
export interface RangeJob {
  index: number;
  from: number;
  to: number;
}

/** `balancedRanges` as numbered jobs, for `runOnWorkers`. */
export const rangeJobs = (starts: ArrayLike<number>, n: number, chunks: number): RangeJob[] =>
  balancedRanges(starts, n, chunks).map(([from, to], index) => ({ index, from, to }));

/** A worker thread running the module at `url` (a .ts file: tsx registers its loader in the main thread only, so the worker registers it first). */
function startWorker(url: string, workerData: unknown): Worker {
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); })`, {
    eval: true,
    workerData,
  });
}

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
  const workers = Array.from({ length: Math.max(1, Math.min(threads, queue.length)) }, () =>
    startWorker(url, workerData),
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

/**
 * A fixed set of worker threads answering jobs as they come: `run` sends a job to an idle worker
 * (or queues it) and resolves with the one message the worker posts back for it. A worker that
 * fails or exits fails its job and every later one, naming `what` runs on it. `close` terminates them.
 */
export class WorkerPool<Job, Result> {
  private readonly idle: Worker[] = [];
  private readonly waiting: {
    job: Job;
    transfer: TransferListItem[];
    resolve: (r: Result) => void;
    reject: (e: Error) => void;
  }[] = [];
  private readonly busy = new Map<Worker, { resolve: (r: Result) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;
  private readonly workers: Worker[];

  constructor(url: string, workerData: unknown, threads: number, what: string) {
    this.workers = Array.from({ length: Math.max(1, threads) }, () => startWorker(url, workerData));
    for (const worker of this.workers) {
      worker.on('message', (result: Result) => {
        const job = this.busy.get(worker);
        this.busy.delete(worker);
        job?.resolve(result);
        this.idle.push(worker);
        this.next();
      });
      const fail = (error: Error) => {
        this.failure ??= error;
        this.busy.get(worker)?.reject(error);
        this.busy.delete(worker);
        for (const w of this.waiting.splice(0)) w.reject(error);
      };
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (code !== 0) fail(new Error(`a ${what} thread exited with code ${code}`));
      });
      this.idle.push(worker);
    }
  }

  run(job: Job, transfer: TransferListItem[] = []): Promise<Result> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Result>((resolve, reject) => {
      this.waiting.push({ job, transfer, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.idle.length > 0 && this.waiting.length > 0) {
      const worker = this.idle.shift()!;
      const { job, transfer, resolve, reject } = this.waiting.shift()!;
      this.busy.set(worker, { resolve, reject });
      worker.postMessage(job, transfer);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
