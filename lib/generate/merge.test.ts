import { describe, expect, it } from 'vitest';
import { mergeActivities, type WorldActivity } from './merge';
import type { Activity } from './simulate';

/** A shard with one session of `n` events, its searches given as query texts. */
function shard(session: number, queries: string[], searchQueries: number[]): Activity {
  const searches = searchQueries.length;
  return {
    events: {
      time: Float64Array.from({ length: searches + 1 }, (_, i) => 1000 * (session + i)),
      user: Int32Array.from({ length: searches + 1 }, () => session),
      session: Int32Array.from({ length: searches + 1 }, () => session),
      type: Uint8Array.from({ length: searches + 1 }, (_, i) => (i < searches ? 5 : 0)),
      product: Int32Array.from({ length: searches + 1 }, (_, i) => (i < searches ? -1 : 3)),
      price: Float64Array.from({ length: searches + 1 }, (_, i) => (i < searches ? NaN : 9.5)),
      search: Int32Array.from({ length: searches + 1 }, (_, i) => (i < searches ? i : -1)),
    },
    sessions: {
      user: Int32Array.of(session),
      start: Float64Array.of(1000 * session),
      intent: Float64Array.of(0.5),
      pPurchase: Float64Array.of(0),
      purchased: Uint8Array.of(0),
    },
    searches: {
      time: Float64Array.from(searchQueries, (_, i) => 1000 * (session + i)),
      user: Int32Array.from(searchQueries, () => session),
      session: Int32Array.from(searchQueries, () => session),
      query: Int32Array.from(searchQueries),
    },
    queries,
    impressions: {
      search: Int32Array.from(searchQueries, (_, i) => i),
      product: Int32Array.from(searchQueries, () => 3),
      position: Uint8Array.from(searchQueries, () => 1),
      clicked: new Uint8Array(searches),
      carted: new Uint8Array(searches),
      purchased: new Uint8Array(searches),
      pClick: new Float64Array(searches),
      pCart: new Float64Array(searches),
      pPurchase: new Float64Array(searches),
    },
  };
}

/** A column of every shard's table, end to end. */
const all = (world: WorldActivity, pick: (s: WorldActivity['shards'][number]) => ArrayLike<number>) =>
  world.shards.flatMap((s) => Array.from(pick(s)));

describe('mergeActivities', () => {
  it('shifts search indices past earlier shards and renumbers queries into one dictionary', () => {
    // Shard 0 knows queries [tent, lamp]; shard 1 knows [lamp, pen] with its own codes.
    const merged = mergeActivities([shard(0, ['tent', 'lamp'], [0, 1, 0]), shard(1, ['lamp', 'pen'], [1, 0])]);
    expect(merged.queries).toEqual(['tent', 'lamp', 'pen']);
    expect(Array.from(merged.searches.query).map((q) => merged.queries[q])).toEqual([
      'tent',
      'lamp',
      'tent',
      'pen',
      'lamp',
    ]);
    expect(all(merged, (s) => s.events.search)).toEqual([0, 1, 2, -1, 3, 4, -1]);
    expect(all(merged, (s) => s.impressions.search)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(merged.searches.session)).toEqual([0, 0, 0, 1, 1]);
    expect(all(merged, (s) => s.sessions.user)).toEqual([0, 1]);
    expect(all(merged, (s) => s.events.price).slice(-1)).toEqual([9.5]);
  });
});
