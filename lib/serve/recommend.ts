import { EVENT_CODE } from '../events';
import {
  applyEvent,
  CandidateScorer,
  topIndices,
  emptyState,
  type Interactions,
  type RecommendModel,
  replayUserStates,
  SOURCES,
  type StoredStates,
  type UserState,
} from '../recommend/index';
import { eventTimeMs, type LiveEvent } from '../live/index';
import type { LoadedModel } from './models';

export interface Recommendation {
  product_id: number;
  score: number;
  /** Each candidate source's score for the product. */
  sources: Record<string, number>;
}

/**
 * Live recommendations: every user's state, built from the data folder's event history and the
 * service's event log, updated by each posted event, and the production re-ranker over the
 * candidate sources. One instance per production model version.
 */
/** What `recommend` answers. */
export type UserAnswer = { cold_start: boolean; known_user: boolean; recent_items: number; items: Recommendation[] };

/** Users whose answers are kept (the least recently computed leave first). */
export const ANSWER_CACHE_USERS = 20_000;

export class LiveRecommender {
  /** Users' states changed or read since the start; the rest are in `stored`. */
  private readonly states = new Map<number, UserState>();
  /** The states the training stage replayed from the history, read one user at a time (see saveStates). */
  private stored: StoredStates | null = null;
  /**
   * Answers by user and k, kept until the user's next event: an answer depends on nothing else (the
   * state, the model and the catalogue), so a repeated request costs a lookup.
   */
  private readonly answers = new Map<number, Map<number, UserAnswer>>();
  private readonly scorer: CandidateScorer;
  unknownProducts = 0;

  constructor(
    readonly model: RecommendModel,
    readonly reranker: LoadedModel,
  ) {
    this.scorer = new CandidateScorer(model);
  }

  /** Takes the users' states as the training stage replayed them (see saveStates): each is read when first needed. */
  restore(stored: StoredStates): void {
    this.answers.clear();
    this.states.clear();
    this.stored = stored;
  }

  /** A user's state now, or undefined for a user with no event. */
  stateOf(user: number): UserState | undefined {
    let state = this.states.get(user);
    if (!state && this.stored) {
      state = this.stored.get(user);
      if (state) this.states.set(user, state);
    }
    return state;
  }

  /** Replays the history (events as typed columns, in time order) into the states. */
  replayHistory(events: Interactions): void {
    this.answers.clear();
    this.stored = null;
    replayUserStates(events, this.model.products, (user, state) => this.states.set(user, state));
  }

  /** Applies posted events (already checked) to their users' states; counts products the catalogue does not know, whoever posted them. */
  apply(events: readonly LiveEvent[]): void {
    const { products } = this.model;
    for (const e of events) {
      const product = e.product_id === null ? -1 : (products.indexOf.get(e.product_id) ?? -1);
      if (e.product_id !== null && product < 0) this.unknownProducts++;
      // Anonymous events (no user) change no user's state: they are the session recommender's.
      if (e.user_id === null) continue;
      this.answers.delete(e.user_id);
      let state = this.stateOf(e.user_id);
      if (!state) this.states.set(e.user_id, (state = emptyState()));
      applyEvent(
        state,
        { time: eventTimeMs(e.event_time), type: EVENT_CODE[e.event_type], product, session: e.session_id },
        products,
      );
    }
  }

  /**
   * The top `k` products for a user. A user with no touched product yet is a cold start: the
   * candidates are then trending and popular products, and they move toward the user's categories
   * as events arrive.
   */
  recommend(userId: number, k: number): UserAnswer {
    let byK = this.answers.get(userId);
    const kept = byK?.get(k);
    if (kept) return kept;
    const answer = this.compute(userId, k);
    if (!byK) {
      if (this.answers.size >= ANSWER_CACHE_USERS) this.answers.delete(this.answers.keys().next().value!);
      this.answers.set(userId, (byK = new Map()));
    }
    byK.set(k, answer);
    return answer;
  }

  /** `recommend` without the kept answers. */
  compute(userId: number, k: number): UserAnswer {
    const state = this.stateOf(userId);
    const c = this.scorer.candidates(state);
    const width = this.reranker.features.length;
    // In place from the booster's own buffer: no DMatrix per request (the same predictions, tested in lib/xgboost).
    const scores = this.reranker.booster.predictDense(c.features, c.items.length, width);
    const order = topIndices(scores, k, false);
    const { ids } = this.model.products;
    return {
      cold_start: !state || state.recent.length === 0,
      known_user: state !== undefined,
      recent_items: state?.recent.length ?? 0,
      items: order.map((i) => ({
        product_id: ids[c.items[i]],
        score: scores[i],
        sources: Object.fromEntries(SOURCES.map((s, j) => [s, c.features[i * width + j]])),
      })),
    };
  }
}
