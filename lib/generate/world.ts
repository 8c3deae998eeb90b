import { Rng } from '../random';
import { type Catalog, makeCatalog } from './catalog';
import { planSessions } from './arrivals';
import { mergeActivities, type WorldActivity } from './merge';
import { type Activity, type SessionPlan, simulate } from './simulate';
import { makeUsers, type Users } from './users';

export { CATEGORY_TREE } from './vocabulary';
export { PERSONA_PARAMS } from './personas';
export { POSITION_BIAS, RESULTS_PER_SEARCH, relevance } from './simulate';
export { makeQuery, misspell } from './query';
export type { Catalog, Users, Activity, SessionPlan, WorldActivity };

export interface WorldOptions {
  seed: number;
  /** Target number of events: the session count is planned for it, so the result is within a few percent. */
  events: number;
  /** Length of the period in days. */
  days: number;
  /** First day of the period, YYYY-MM-DD (UTC). */
  start: string;
  onProgress?: (events: number) => void;
}

const PILOT_SESSIONS = 5000;
/**
 * The plan is simulated in this many consecutive shards, each with its own derived generator, so
 * shards can run on several threads and still give the same world. Fixed, never the core count.
 */
export const SHARDS = 8;

export const WORLD_DEFAULTS = { seed: 42, events: 2_000_000, days: 90, start: '2026-01-01' } as const;

export interface World {
  options: Omit<WorldOptions, 'onProgress'>;
  startMs: number;
  catalog: Catalog;
  users: Users;
  activity: WorldActivity;
  /** First session start per user (ms), NaN for users who never came. */
  firstSeen: Float64Array;
}

/** The catalogue and the shoppers: cheap and deterministic, so every thread can make its own copy. */
export function makeShop(options: Pick<WorldOptions, 'seed' | 'events'>): { catalog: Catalog; users: Users } {
  const rng = new Rng(options.seed);
  const catalog = makeCatalog(rng.fork('catalog'), options.events);
  const users = makeUsers(rng.fork('users'), options.events, catalog);
  return { catalog, users };
}

export interface WorldPlan {
  options: Omit<WorldOptions, 'onProgress'>;
  startMs: number;
  catalog: Catalog;
  users: Users;
  plan: SessionPlan;
  /** [first, end) plan indices of each shard. */
  shards: [number, number][];
}

/** Validates options, makes the shop and plans the sessions (sized by a pilot run to hit the target). */
export function planWorld(options: WorldOptions): WorldPlan {
  const { seed, events, days, start } = options;
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative integer, got ${seed}`);
  if (!Number.isInteger(events) || events < 1) throw new Error(`events must be a positive integer, got ${events}`);
  if (!Number.isInteger(days) || days < 1) throw new Error(`days must be a positive integer, got ${days}`);
  const startMs = Date.parse(`${start}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || Number.isNaN(startMs))
    throw new Error(`start must be a date YYYY-MM-DD, got ${start}`);
  const { catalog, users } = makeShop(options);
  const pilotPlan = planSessions(Rng.derive(seed, 'pilot-plan'), PILOT_SESSIONS, startMs, days, users.activity);
  const pilot = simulate(Rng.derive(seed, 'pilot'), catalog, users, pilotPlan, { startMs, days });
  const perSession = pilot.events.time.length / PILOT_SESSIONS;
  const plan = planSessions(
    Rng.derive(seed, 'plan'),
    Math.max(1, Math.round(events / perSession)),
    startMs,
    days,
    users.activity,
  );
  const n = plan.start.length;
  const shards = Array.from(
    { length: SHARDS },
    (_, k) => [Math.floor((k * n) / SHARDS), Math.floor(((k + 1) * n) / SHARDS)] as [number, number],
  );
  return { options: { seed, events, days, start }, startMs, catalog, users, plan, shards };
}

/** Simulates shard k of a plan; the same call on any thread gives the same activity. */
export function simulateShard(
  world: Pick<WorldPlan, 'options' | 'startMs' | 'catalog' | 'users'>,
  plan: SessionPlan,
  first: number,
  k: number,
  onProgress?: (events: number) => void,
): Activity {
  const { seed, days, events } = world.options;
  return simulate(Rng.derive(seed, `shard-${k}`), world.catalog, world.users, plan, {
    startMs: world.startMs,
    days,
    firstSession: first,
    expectedEvents: Math.ceil(events / SHARDS),
    onProgress,
  });
}

/** Puts shards' activity together and derives each user's first visit. */
export function assembleWorld(planned: WorldPlan, shards: Activity[]): World {
  const activity = mergeActivities(shards);
  const { users } = planned;
  const firstSeen = new Float64Array(users.count).fill(NaN);
  for (const shard of activity.shards) {
    const { user, start: sessionStart } = shard.sessions;
    for (let s = 0; s < user.length; s++) {
      const u = user[s];
      if (!(firstSeen[u] <= sessionStart[s])) firstSeen[u] = sessionStart[s];
    }
  }
  return { options: planned.options, startMs: planned.startMs, catalog: planned.catalog, users, activity, firstSeen };
}

/** Slice of a plan, for one shard. */
export const planSlice = (plan: SessionPlan, [first, end]: [number, number]): SessionPlan => ({
  start: plan.start.subarray(first, end),
  user: plan.user.subarray(first, end),
});

/**
 * A whole synthetic shop from a seed: catalog, shoppers, and what they did. Pure and
 * deterministic; `generateWorldInParallel` gives the same world using worker threads.
 */
export function generateWorld(options: WorldOptions): World {
  const planned = planWorld(options);
  let done = 0;
  const activities = planned.shards.map((range, k) => {
    const activity = simulateShard(planned, planSlice(planned.plan, range), range[0], k, (n) =>
      options.onProgress?.(done + n),
    );
    done += activity.events.time.length;
    return activity;
  });
  return assembleWorld(planned, activities);
}
