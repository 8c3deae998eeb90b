import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';

import { droppedLine, EventLog, type LiveEvent } from './events';

/** A worker's link to the primary process, which owns the event log. */
export interface PrimaryChannel {
  /** Logs events (fsync) and has every worker apply them; resolves with this worker's count of unknown products. */
  record(events: LiveEvent[]): Promise<number>;
  /** Has every worker swap to the current production versions; resolves with this worker's swap. */
  reload(): Promise<ReloadAnswer>;
  /** The metrics of every worker, summed (Prometheus text). */
  metrics(): Promise<string>;
  /** Where the event log ends as far as the primary has committed it (flushed and sent to every worker). */
  committed(): Promise<number>;
}

export type ReloadAnswer = { before: Record<string, number>; after: Record<string, number> };

/**
 * The service on every core: one primary process and `workers` worker processes (Node's cluster:
 * the workers share the listening port, connections are dealt round-robin). Each worker loads the
 * models and indexes itself and answers requests alone; the primary holds the one thing that must
 * be single, the event log:
 * - a worker checks a posted batch and sends it to the primary, which appends it and fsyncs (with
 *   the batches posted while the last flush ran: one write and one fsync for all, the fsync on a
 *   background thread), then sends it to every worker; the worker answers once every worker has applied it, so an
 *   acknowledged event is visible to the next /v1/recommend whichever worker answers;
 * - a worker that starts (or restarts after a crash) reads the log as far as the primary has
 *   committed it, says where it stopped, and gets what was committed since before it takes part;
 * - /v1/models/reload swaps every worker (each finishes its requests in flight on the old set);
 * - /metrics sums every worker's counters and histograms.
 * A worker that dies is replaced; when the primary dies, its workers exit with it (Node closes
 * their channel) and nothing acknowledged is lost, because it was on disk before the answer.
 */

/** Messages between the primary and a worker. */
type ToPrimary =
  | { t: 'joined'; end: number }
  | { t: 'listening'; address: string }
  | { t: 'record'; id: number; events: LiveEvent[] }
  | { t: 'applied'; seq: number; unknown: number }
  | { t: 'reload'; id: number }
  | { t: 'reloaded'; seq: number; answer?: ReloadAnswer; error?: string }
  | { t: 'metrics'; id: number }
  | { t: 'committed'; id: number };
type ToWorker =
  | { t: 'apply'; seq: number; events: LiveEvent[]; end: number }
  | { t: 'reload'; seq: number }
  | { t: 'answer'; id: number; value?: unknown; error?: string; status?: number };

export interface PrimaryOptions {
  workers: number;
  eventLog: string;
  /** Progress lines (serve: …). */
  say: (line: string) => void;
  /** Called once the service has stopped because workers could not start. */
  onFatal: () => void;
}

/** Replacement workers that fail to start in a row before the service stops. */
const MAX_FAILED_STARTS = 3;

/** Runs the primary process: forks the workers, writes the event log, relays reloads and metrics. */
export function runPrimary(options: PrimaryOptions): { close: () => Promise<void> } {
  const opened = EventLog.open(options.eventLog);
  if (opened.droppedBytes) options.say(droppedLine(options.eventLog, opened.droppedBytes));
  const log = opened.log;
  // prom-client answers the workers' metric requests through cluster messages once this exists.
  const aggregator = new AggregatorRegistry();
  /** Workers that have caught up with the log: every append goes to each of them. */
  const members = new Set<Worker>();
  /** Broadcasts (appends, reloads) waiting for workers, by sequence number. */
  const pending = new Map<
    number,
    { waiting: Set<Worker>; origin: Worker; id: number; result?: unknown; error?: string; status?: number }
  >();
  let seq = 0;
  let closing = false;
  let announced = false;
  const listening = new Set<Worker>();
  let failedStarts = 0;

  const send = (worker: Worker, message: ToWorker) => {
    if (worker.isConnected()) worker.send(message);
  };
  const settle = (key: number) => {
    const p = pending.get(key);
    if (!p || p.waiting.size > 0) return;
    pending.delete(key);
    send(p.origin, { t: 'answer', id: p.id, value: p.result, error: p.error, status: p.status });
  };
  const broadcast = (origin: Worker, id: number, message: (seq: number) => ToWorker) => {
    const key = ++seq;
    pending.set(key, { waiting: new Set(members), origin, id });
    for (const w of members) send(w, message(key));
    settle(key);
  };

  /** Posted batches waiting for the next group commit. */
  const queued: { worker: Worker; id: number; events: LiveEvent[] }[] = [];
  /** Where the log ends as every member has been sent it: appended, flushed and broadcast. */
  let committed = log.size;
  let flushing = false;
  const commit = () => {
    if (flushing || queued.length === 0) return;
    const group = queued.splice(0);
    const refuse = (e: Error) => {
      for (const g of group)
        send(g.worker, {
          t: 'answer',
          id: g.id,
          status: 503,
          error: `could not write the event log ${options.eventLog}: ${e.message}; nothing was recorded`,
        });
    };
    let flushed: Promise<number[]>;
    try {
      flushed = log.appendBatchesAsync(group.map((g) => g.events));
    } catch (e) {
      refuse(e as Error);
      return;
    }
    // While the disk works, posts keep arriving and queue for the next commit.
    flushing = true;
    flushed.then(
      (ends) => {
        flushing = false;
        committed = ends.at(-1)!;
        group.forEach((g, i) =>
          broadcast(g.worker, g.id, (s) => ({ t: 'apply', seq: s, events: g.events, end: ends[i] })),
        );
        commit();
      },
      (e: Error) => {
        flushing = false;
        refuse(e);
        commit();
      },
    );
  };

  const fork = () => {
    const worker = cluster.fork();
    worker.on('message', (m: ToPrimary) => {
      switch (m.t) {
        case 'committed':
          // A starting worker reads the log up to here: what is being flushed now reaches it by broadcast.
          send(worker, { t: 'answer', id: m.id, value: committed });
          break;
        case 'joined': {
          // What was committed after the worker's read, before it takes part in appends: nothing can come between.
          const since = EventLog.readRange(options.eventLog, m.end, committed);
          send(worker, { t: 'apply', seq: 0, events: since.events, end: since.end });
          members.add(worker);
          break;
        }
        case 'listening':
          // Announced once every first worker serves (the address line is what callers wait for).
          listening.add(worker);
          failedStarts = 0;
          if (!announced && listening.size >= options.workers) {
            announced = true;
            options.say(
              `serve: ${m.address} (docs at /docs, metrics at /metrics; ${options.workers} workers); Ctrl-C stops`,
            );
          }
          break;
        case 'record':
          // Appended with whatever else arrives before the next turn of the event loop: one write and
          // one fsync for all of them.
          if (queued.push({ worker, id: m.id, events: m.events }) === 1) setImmediate(commit);
          break;
        case 'applied':
        case 'reloaded': {
          const p = pending.get(m.seq);
          if (!p) break;
          p.waiting.delete(worker);
          if (worker === p.origin) {
            if (m.t === 'applied') p.result = m.unknown;
            else if (m.error) p.error = m.error;
            else p.result = m.answer;
          } else if (m.t === 'reloaded' && m.error && !p.error) p.error = `another worker: ${m.error}`;
          settle(m.seq);
          break;
        }
        case 'reload':
          broadcast(worker, m.id, (s) => ({ t: 'reload', seq: s }));
          break;
        case 'metrics':
          aggregator.clusterMetrics().then(
            (text) => send(worker, { t: 'answer', id: m.id, value: text }),
            (e: Error) => send(worker, { t: 'answer', id: m.id, status: 500, error: e.message }),
          );
          break;
      }
    });
    worker.on('exit', (code, signal) => {
      members.delete(worker);
      for (const [key, p] of pending) {
        p.waiting.delete(worker);
        settle(key);
      }
      if (closing) return;
      if (!listening.has(worker)) {
        // A worker that never served: at start (a port in use, a damaged folder) the service stops
        // rather than fork forever; a replacement is retried a few times, a second apart.
        failedStarts++;
        if (!announced || failedStarts >= MAX_FAILED_STARTS) {
          options.say(
            `serve: a worker could not start (exit ${signal ?? code}${announced ? `, ${failedStarts} times in a row` : ''}); stopping`,
          );
          void stop().then(() => options.onFatal());
          return;
        }
        options.say(
          `serve: worker ${worker.process.pid} could not start (exit ${signal ?? code}); trying again in 1 s`,
        );
        setTimeout(fork, 1000);
        return;
      }
      options.say(`serve: worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
      fork();
    });
  };
  for (let i = 0; i < options.workers; i++) fork();

  const stop = async () => {
    closing = true;
    await Promise.all(
      Object.values(cluster.workers ?? {}).map(
        (w) =>
          new Promise<void>((resolve) => {
            if (!w || w.isDead()) return resolve();
            w.once('exit', () => resolve());
            w.disconnect();
          }),
      ),
    );
    log.close();
  };
  return { close: stop };
}

/**
 * A worker's side of the channel. `apply` and `reload` are this worker's own (the Service's);
 * `joined` tells the primary where this worker's read of the log ended, once it can apply.
 */
export function workerChannel(): PrimaryChannel & {
  attach(handlers: { apply: (events: LiveEvent[], end: number) => number; reload: () => Promise<ReloadAnswer> }): void;
  /** Tells the primary where this worker's read of the log ended; resolves once it has applied what came after. */
  joined(end: number): Promise<void>;
  listening(address: string): void;
} {
  new AggregatorRegistry(); // answers the primary's metric requests
  // A primary that dies while this worker loads takes it along: nothing here is serving yet.
  let serving = false;
  process.once('disconnect', () => {
    if (!serving) process.exit(0);
  });
  const post = (message: ToPrimary) => {
    if (process.connected) process.send!(message);
    else if (!serving) process.exit(0);
  };
  let next = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const ask = <T>(message: ToPrimary & { id: number }): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (serving && !process.connected) {
        reject(Object.assign(new Error('the service is stopping'), { statusCode: 503 }));
        return;
      }
      waiting.set(message.id, { resolve: resolve as (v: unknown) => void, reject });
      post(message);
    });
  let handlers: { apply: (events: LiveEvent[], end: number) => number; reload: () => Promise<ReloadAnswer> } | null =
    null;
  const queued: ToWorker[] = [];
  let caughtUp: (() => void) | null = null;
  const handle = (m: ToWorker) => {
    if (m.t === 'answer') {
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      if (m.error !== undefined) w.reject(Object.assign(new Error(m.error), { statusCode: m.status ?? 500 }));
      else w.resolve(m.value);
      return;
    }
    if (!handlers) {
      queued.push(m);
      return;
    }
    if (m.t === 'apply') {
      const unknown = m.events.length ? handlers.apply(m.events, m.end) : 0;
      if (m.seq > 0) post({ t: 'applied', seq: m.seq, unknown });
      else caughtUp?.();
    } else if (m.t === 'reload') {
      handlers.reload().then(
        (answer) => post({ t: 'reloaded', seq: m.seq, answer }),
        (e: Error) => post({ t: 'reloaded', seq: m.seq, error: e.message }),
      );
    }
  };
  process.on('message', (m: ToWorker | { type?: string }) => {
    if ('t' in m) handle(m as ToWorker);
  });
  return {
    attach(h) {
      handlers = h;
      for (const m of queued.splice(0)) handle(m);
    },
    joined: (end) =>
      new Promise<void>((resolve) => {
        caughtUp = resolve;
        post({ t: 'joined', end });
      }),
    listening: (address) => {
      serving = true;
      post({ t: 'listening', address });
    },
    record: (events) => ask<number>({ t: 'record', id: ++next, events }),
    reload: () => ask<ReloadAnswer>({ t: 'reload', id: ++next }),
    metrics: () => ask<string>({ t: 'metrics', id: ++next }),
    committed: () => ask<number>({ t: 'committed', id: ++next }),
  };
}

export { cluster };
