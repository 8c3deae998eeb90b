import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Point-in-time machinery. A running-totals table holds, per key and time `upto`, the totals of
 * some measures over every row up to and including `upto`. An ASOF join with a strict `>` finds,
 * for any as-of time t, the totals of rows strictly before t, so no event at or after t can reach
 * a value.
 */
export interface RunningTotals {
  /** Table to create. */
  name: string;
  /** SQL relation of source rows. */
  source: string;
  /** Key expressions by output column name, e.g. `{ product_id: 'product_id' }`. */
  keys: Record<string, string>;
  /** The source's time column (default `event_time`). */
  time?: string;
  /** Per-row SQL expressions summed into each measure. */
  measures: Record<string, string>;
  /** Each running total's SQL type where it is not BIGINT (a type Parquet holds as it is: not HUGEINT). */
  types?: Record<string, string>;
  /** Optional filter on the source rows. */
  where?: string;
  /**
   * Going on from an earlier computation: only source rows at or after `from` (a SQL time) are
   * summed, on top of `prior`, a relation with each key's totals before `from` (the keys and the
   * measures' columns). Without it every row is summed from nothing.
   */
  since?: { from: string; prior: string };
}

export async function createRunningTotals(con: DuckDBConnection, spec: RunningTotals): Promise<void> {
  const keys = Object.entries(spec.keys);
  const measures = Object.entries(spec.measures);
  const keyList = keys.map(([k]) => `x.${k}`).join(', ');
  const time = spec.time ?? 'event_time';
  const where = [spec.where, spec.since && `${time} >= ${spec.since.from}`].filter(Boolean);
  // A running total is the prior's (none from scratch: the empty relation) plus the rows' sum so
  // far; the same SQL either way, so going on gives the very values, and types, of one pass.
  await con.run(`CREATE OR REPLACE TABLE ${spec.name} AS
    WITH x AS (SELECT ${keys.map(([k, e]) => `${e} AS ${k}`).join(', ')}, ${time} AS upto, ${measures.map(([m, e]) => `sum(${e}) AS ${m}`).join(', ')}
          FROM ${spec.source} ${where.length > 0 ? `WHERE ${where.map((w) => `(${w})`).join(' AND ')}` : ''} GROUP BY ALL)
    SELECT ${keyList}, x.upto, ${measures
      .map(
        ([m]) =>
          `CAST(coalesce(p.${m}, 0) + sum(x.${m}) OVER (PARTITION BY ${keyList} ORDER BY x.upto ROWS UNBOUNDED PRECEDING) AS ${spec.types?.[m] ?? 'BIGINT'}) AS ${m}`,
      )
      .join(', ')}
    FROM x LEFT JOIN ${spec.since?.prior ?? '(SELECT * FROM x WHERE false)'} p ON ${keys.map(([k]) => `p.${k} = x.${k}`).join(' AND ')}`);
}

/**
 * An ASOF join of running totals `table` (aliased `alias`) onto the current row: matching keys,
 * totals of rows strictly before `time` (a SQL expression over the current row).
 */
export function asOf(table: string, alias: string, keys: Record<string, string>, time: string): string {
  const on = Object.entries(keys).map(([column, expr]) => `${alias}.${column} = ${expr}`);
  return `ASOF LEFT JOIN ${table} ${alias} ON ${on.join(' AND ')} AND ${time} > ${alias}.upto`;
}

/**
 * Creates table `name`: for each distinct key and `snapshot_day` of `examples`, the running
 * totals of events strictly before that day. Looking distinct keys up once and hash-joining them
 * back is much cheaper than an ASOF join per example.
 */
export async function createAsOfLookup(
  con: DuckDBConnection,
  name: string,
  examples: string,
  totals: string,
  keys: string[],
): Promise<void> {
  await con.run(`CREATE OR REPLACE TABLE ${name} AS
    SELECT k.*, t.* EXCLUDE (${keys.join(', ')})
    FROM (SELECT DISTINCT ${keys.join(', ')}, snapshot_day FROM ${examples} WHERE ${keys.map((k) => `${k} IS NOT NULL`).join(' AND ')}) k
    ${asOf(totals, 't', Object.fromEntries(keys.map((k) => [k, `k.${k}`])), 'k.snapshot_day')}`);
}

/** LEFT JOIN of a lookup made by createAsOfLookup onto rows aliased `row`. */
export function joinLookup(name: string, alias: string, keys: string[], row = 'x'): string {
  return `LEFT JOIN ${name} ${alias} ON ${[...keys, 'snapshot_day'].map((k) => `${alias}.${k} = ${row}.${k}`).join(' AND ')}`;
}
