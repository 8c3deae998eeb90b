import type { Activity } from './simulate';

type Columns = Record<string, Float64Array | Int32Array | Uint8Array>;

/** A world's activity as its shards left it, with one numbering of searches and queries. */
export interface WorldActivity {
  /** Each shard's events, sessions and impressions, in order; their search indices index `searches`. */
  shards: Pick<Activity, 'events' | 'sessions' | 'impressions'>[];
  /** Every shard's searches, in order; `query` indexes `queries`. */
  searches: Activity['searches'];
  queries: string[];
}

/** Adds `offset` to every non-negative entry of `values` (negative ones mean none), in place. */
function shift(values: Int32Array, offset: number): void {
  if (offset === 0) return;
  for (let i = 0; i < values.length; i++) if (values[i] >= 0) values[i] += offset;
}

function concat<T extends Columns>(parts: T[]): T {
  const out: Record<string, Float64Array | Int32Array | Uint8Array> = {};
  for (const key of Object.keys(parts[0])) {
    const length = parts.reduce((n, p) => n + p[key].length, 0);
    const column = new (parts[0][key].constructor as new (n: number) => Float64Array | Int32Array | Uint8Array)(length);
    let offset = 0;
    for (const p of parts) {
      column.set(p[key], offset);
      offset += p[key].length;
    }
    out[key] = column;
  }
  return out as T;
}

/**
 * Joins the activity of consecutive shards: search indices are shifted past earlier shards'
 * searches and query codes renumbered into one dictionary in order of first use, in place. The
 * events, sessions and impressions stay in their shards (writing reads them a shard at a time:
 * copying a large world into new arrays costs seconds of fresh memory); only the searches are
 * concatenated, for looking up by index. Session indices are already global (each shard starts
 * at its first planned session).
 */
export function mergeActivities(shards: Activity[]): WorldActivity {
  const queries: string[] = [];
  const queryIndex = new Map<string, number>();
  let searchOffset = 0;
  for (const shard of shards) {
    const code = shard.queries.map((text) => {
      let q = queryIndex.get(text);
      if (q === undefined) {
        q = queries.length;
        queries.push(text);
        queryIndex.set(text, q);
      }
      return q;
    });
    const query = shard.searches.query;
    for (let i = 0; i < query.length; i++) query[i] = code[query[i]];
    shift(shard.events.search, searchOffset);
    shift(shard.impressions.search, searchOffset);
    searchOffset += shard.searches.time.length;
  }
  return {
    shards: shards.map(({ events, sessions, impressions }) => ({ events, sessions, impressions })),
    searches: concat(shards.map((s) => s.searches)),
    queries,
  };
}
