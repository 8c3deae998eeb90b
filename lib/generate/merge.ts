import type { Activity } from './simulate';

type Columns = Record<string, Float64Array | Int32Array | Uint8Array>;

/** `values` with `offset` added to every non-negative entry (negative ones mean none). Plain loop: TypedArray.map is slow. */
function shifted(values: Int32Array, offset: number): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] >= 0 ? values[i] + offset : values[i];
  return out;
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
 * Joins the activity of consecutive shards into one: search indices are shifted past earlier
 * shards' searches and query codes renumbered into one dictionary in order of first use.
 * Session indices are already global (each shard starts at its first planned session).
 */
export function mergeActivities(shards: Activity[]): Activity {
  if (shards.length === 1) return shards[0];
  const queries: string[] = [];
  const queryIndex = new Map<string, number>();
  let searchOffset = 0;
  const events: Activity['events'][] = [];
  const searches: Activity['searches'][] = [];
  const impressions: Activity['impressions'][] = [];
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
    const query = new Int32Array(shard.searches.query.length);
    for (let i = 0; i < query.length; i++) query[i] = code[shard.searches.query[i]];
    events.push({ ...shard.events, search: shifted(shard.events.search, searchOffset) });
    searches.push({ ...shard.searches, query });
    impressions.push({ ...shard.impressions, search: shifted(shard.impressions.search, searchOffset) });
    searchOffset += shard.searches.time.length;
  }
  return {
    events: concat(events),
    sessions: concat(shards.map((s) => s.sessions)),
    searches: concat(searches),
    queries,
    impressions: concat(impressions),
  };
}
