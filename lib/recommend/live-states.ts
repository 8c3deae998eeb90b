import { type RangeJob, rangeJobs, runOnWorkers, shared } from '../workers';
import type { Interactions } from './interactions';
import { groupByUser, replayUsers, type UserRows } from './replay';
import type { StateCatalogue } from './state';
import type { StatesChunk } from './state-columns';
import { StatesWriter } from './state-file';

/** Below this many events the users' live states are replayed in-process: starting threads costs more. */
export const PARALLEL_STATE_EVENTS = 2_000_000;

/** User ranges the threads take one at a time. */
const CHUNKS = 48;

/** One job: the states of users `from .. to)` (dense, in ascending user id); `index` orders the chunks. */
export type StatesJob = RangeJob;

/** The states of one job's users, in their order. */
export interface StatesReply {
  index: number;
  chunk: StatesChunk;
}

/**
 * Every known user's state after all their events (`replayUserStates`), in ascending user id,
 * collected into a `StatesWriter`. With more than one thread and `minEvents` events or more, ranges
 * of users are replayed on worker threads that share the events, and their chunks are appended in
 * user order: each state is replayed exactly as in-process, so the writer holds the same states
 * whatever the threads (tsx runs the workers; one thread, or a short log, replays in-process).
 */
export async function replayLiveStates(
  events: Interactions,
  products: StateCatalogue,
  threads: number,
  minEvents = PARALLEL_STATE_EVENTS,
): Promise<StatesWriter> {
  const { users, starts, rows } = groupByUser(events.user);
  const out = new StatesWriter();
  if (threads <= 1 || events.time.length < minEvents || users.length < 2) {
    replayUsers({ events, products, users, starts, rows }, 0, users.length, (u, state) => out.add(u, state));
    return out;
  }
  const data: UserRows = {
    events: {
      time: shared(events.time),
      type: shared(events.type),
      product: shared(events.product),
      session: shared(events.session),
    },
    products: { category: shared(products.category), group: shared(products.group), price: shared(products.price) },
    users: shared(users),
    starts: shared(starts),
    rows: shared(rows),
  };
  // Ranges of about equal numbers of events.
  const jobs = rangeJobs(starts, users.length, CHUNKS);
  const chunks: StatesChunk[] = new Array(jobs.length);
  const { STATES_WORKER_URL } = await import('./states-worker-url');
  await runOnWorkers(STATES_WORKER_URL, data, jobs, threads, 'live states', (reply: StatesReply) => {
    chunks[reply.index] = reply.chunk;
    return true;
  });
  out.appendAll(chunks);
  return out;
}
