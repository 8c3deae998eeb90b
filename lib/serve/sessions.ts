import { CLICK_EVENT, type NextItemReranker } from '../nextitem/index';
import { DEFAULT_GAP_MINUTES } from '../sessions/index';
import { eventTimeMs, type LiveEvent } from '../live/index';
import type { LoadedModel } from './models';

/** Clicks of a session the model reads (the most recent): bounds the work of one answer. */
export const MAX_PREFIX = 50;

interface SessionState {
  /** Item indices of the session's product views, in arrival order. */
  clicks: number[];
  user: number | null;
  /** Time (ms) of its latest event. */
  last: number;
}

export interface SessionAnswer {
  cold_start: boolean;
  known_session: boolean;
  /** Clicks the list was computed from (the session's, or the user's history when the session has none yet). */
  clicks: number;
  from_user_history: boolean;
  items: { product_id: number; score: number | null }[];
}

/**
 * Live next-item recommendations for sessions, anonymous or not: each session's product views so
 * far (from the service's event log, replayed at start, and every posted event), and the production
 * session model over them. A session idle longer than the session gap (by the events' own clock:
 * the newest event time seen) leaves memory; its events stay in the log.
 */
export class LiveSessions {
  private readonly sessions = new Map<string, SessionState>();
  private readonly index: Map<string, number>;
  private newest = -Infinity;
  private swept = -Infinity;
  unknownProducts = 0;
  expired = 0;

  constructor(
    readonly model: NextItemReranker,
    /** Item (product id as text) by model index. */
    readonly items: readonly string[],
    readonly version: LoadedModel,
    /** A known user's recent product ids, most recent first (the user recommender's state). */
    private readonly userHistory: (user: number) => number[] = () => [],
    readonly gapMs = DEFAULT_GAP_MINUTES * 60_000,
  ) {
    this.index = new Map(items.map((item, i) => [item, i]));
  }

  /** Sessions held in memory now. */
  get size(): number {
    return this.sessions.size;
  }

  /** Applies posted (checked) events: every event keeps its session alive, a product view is a click. */
  apply(events: readonly LiveEvent[]): void {
    for (const e of events) {
      const time = eventTimeMs(e.event_time);
      let s = this.sessions.get(e.session_id);
      if (!s) this.sessions.set(e.session_id, (s = { clicks: [], user: null, last: time }));
      s.last = Math.max(s.last, time);
      if (e.user_id !== null) s.user = e.user_id;
      if (e.event_type === CLICK_EVENT && e.product_id !== null) {
        const item = this.index.get(String(e.product_id));
        if (item === undefined) this.unknownProducts++;
        else s.clicks.push(item);
      }
      if (time > this.newest) this.newest = time;
    }
    // Sweep at most once a minute of event time.
    if (this.newest - this.swept >= 60_000) {
      this.swept = this.newest;
      for (const [id, s] of this.sessions) {
        if (s.last < this.newest - this.gapMs) {
          this.sessions.delete(id);
          this.expired++;
        }
      }
    }
  }

  /**
   * The top `k` items after the session's clicks so far. A session without a click falls back to
   * its user's recent products when it carries a known user, otherwise to the most clicked items
   * (cold_start: true).
   */
  recommend(sessionId: string, k: number): SessionAnswer {
    const s = this.sessions.get(sessionId);
    let clicks = s?.clicks ?? [];
    let fromUser = false;
    if (clicks.length === 0 && s?.user !== null && s?.user !== undefined) {
      clicks = this.userHistory(s.user)
        .map((id) => this.index.get(String(id)))
        .filter((i): i is number => i !== undefined)
        .reverse();
      fromUser = clicks.length > 0;
    }
    const known = s !== undefined;
    if (clicks.length === 0) {
      return {
        cold_start: true,
        known_session: known,
        clicks: 0,
        from_user_history: false,
        items: Array.from(this.model.popular(k), (i) => ({ product_id: Number(this.items[i]), score: null })),
      };
    }
    const prefix = Int32Array.from(clicks.slice(-MAX_PREFIX));
    const ranked = this.model.rank(prefix, k);
    return {
      cold_start: false,
      known_session: known,
      clicks: prefix.length,
      from_user_history: fromUser,
      items: Array.from(ranked.items, (i, r) => ({ product_id: Number(this.items[i]), score: ranked.scores[r] })),
    };
  }
}
