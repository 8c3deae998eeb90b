import { Rng } from '../random';
import { type Catalog, makeCatalog } from './catalog';
import { planSessions } from './arrivals';
import { type Activity, simulate } from './simulate';
import { makeUsers, type Users } from './users';

export { CATEGORY_TREE } from './vocabulary';
export { PERSONA_PARAMS } from './personas';
export { POSITION_BIAS, RESULTS_PER_SEARCH, relevance } from './simulate';
export { makeQuery, misspell } from './query';
export type { Catalog, Users, Activity };

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

export const WORLD_DEFAULTS = { seed: 42, events: 2_000_000, days: 90, start: '2026-01-01' } as const;

export interface World {
  options: Omit<WorldOptions, 'onProgress'>;
  startMs: number;
  catalog: Catalog;
  users: Users;
  activity: Activity;
  /** First session start per user (ms), NaN for users who never came. */
  firstSeen: Float64Array;
}

/** A whole synthetic shop from a seed: catalog, shoppers, and what they did. Pure and deterministic. */
export function generateWorld(options: WorldOptions): World {
  const { seed, events, days, start } = options;
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative integer, got ${seed}`);
  if (!Number.isInteger(events) || events < 1) throw new Error(`events must be a positive integer, got ${events}`);
  if (!Number.isInteger(days) || days < 1) throw new Error(`days must be a positive integer, got ${days}`);
  const startMs = Date.parse(`${start}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || Number.isNaN(startMs)) throw new Error(`start must be a date YYYY-MM-DD, got ${start}`);
  const rng = new Rng(seed);
  const catalog = makeCatalog(rng.fork('catalog'), events);
  const users = makeUsers(rng.fork('users'), events, catalog);
  // A pilot run measures events per session, so the planned sessions fill the period and hit the target.
  const pilotPlan = planSessions(rng.fork('pilot'), PILOT_SESSIONS, startMs, days, users.activity);
  const pilot = simulate(rng.fork('pilot'), catalog, users, pilotPlan, { startMs, days });
  const perSession = pilot.events.time.length / PILOT_SESSIONS;
  const plan = planSessions(rng.fork('plan'), Math.max(1, Math.round(events / perSession)), startMs, days, users.activity);
  const activity = simulate(rng.fork('activity'), catalog, users, plan, { startMs, days, expectedEvents: events, onProgress: options.onProgress });
  const firstSeen = new Float64Array(users.count).fill(NaN);
  const { user, start: sessionStart } = activity.sessions;
  for (let s = 0; s < user.length; s++) {
    const u = user[s];
    if (!(firstSeen[u] <= sessionStart[s])) firstSeen[u] = sessionStart[s];
  }
  return { options: { seed, events, days, start }, startMs, catalog, users, activity, firstSeen };
}
