import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENT_TYPES } from '../events';
import { sqlString } from '../io/index';

export const DEFAULT_GAP_MINUTES = 30;

/**
 * Events at the same instant are ordered by funnel step (search first, then view, click, cart,
 * removal, purchase) and then by their fields, so any input order gives one result.
 */
const TYPE_RANK = `list_position(['search', ${EVENT_TYPES.filter((t) => t !== 'search')
  .map((t) => `'${t}'`)
  .join(', ')}], event_type)`;
export const EVENT_ORDER = `event_time, ${TYPE_RANK}, product_id NULLS FIRST, price NULLS FIRST, search_id NULLS FIRST`;

/**
 * Creates table `sessionized` from table `events` (canonical columns): events keep the source
 * session id where they have one; a gap of more than `gapMinutes` without events (strictly
 * longer) starts a new session, inside a source session too. The first piece of a source session
 * keeps its id, later pieces get `#2`, `#3`, ...; events with no source session are grouped by
 * user and named `u<user_id>#<n>`.
 */
export async function sessionize(con: DuckDBConnection, gapMinutes = DEFAULT_GAP_MINUTES): Promise<void> {
  if (!(gapMinutes > 0)) throw new Error(`the inactivity gap must be positive, got ${gapMinutes} minutes`);
  const gapMicros = Math.round(gapMinutes * 60_000_000);
  await con.run(`CREATE TABLE sessionized AS
    WITH grouped AS (
      SELECT *, CASE WHEN session_id IS NOT NULL THEN 's' || session_id ELSE 'u' || CAST(user_id AS VARCHAR) END AS grp FROM events),
    gaps AS (
      SELECT *, lag(event_time) OVER (PARTITION BY grp ORDER BY ${EVENT_ORDER}) AS previous FROM grouped),
    pieces AS (
      SELECT *, sum(CASE WHEN previous IS NULL OR epoch_us(event_time) - epoch_us(previous) > ${gapMicros} THEN 1 ELSE 0 END)
        OVER (PARTITION BY grp ORDER BY ${EVENT_ORDER} ROWS UNBOUNDED PRECEDING) AS piece
      FROM gaps)
    SELECT event_time, user_id,
      CASE WHEN session_id IS NULL THEN 'u' || CAST(user_id AS VARCHAR) || '#' || CAST(piece AS VARCHAR)
           WHEN piece = 1 THEN session_id ELSE session_id || '#' || CAST(piece AS VARCHAR) END AS session_id,
      event_type, product_id, price, search_id
    FROM pieces
    ORDER BY ${EVENT_ORDER}, session_id`);
}

/** Creates table `sessions` from `sessionized`: one row per session with its span and funnel counts. */
export async function summariseSessions(con: DuckDBConnection): Promise<void> {
  await con.run(`CREATE TABLE sessions AS
    SELECT session_id, min(user_id) AS user_id, min(event_time) AS start_time, max(event_time) AS end_time,
      count(*) AS events, count(*) FILTER (event_type = 'view') AS views, count(*) FILTER (event_type = 'search') AS searches,
      count(*) FILTER (event_type = 'add_to_cart') AS carts, count(*) FILTER (event_type = 'purchase') AS purchases,
      count(*) FILTER (event_type = 'purchase') > 0 AS purchased
    FROM sessionized GROUP BY session_id ORDER BY start_time, session_id`);
}

/**
 * A sessions file's sessions (`summariseSessions`), each with its number (1, 2, … in session_id
 * order) and start: readers join it to the events instead of ranking and partitioning every event
 * by its text id.
 */
export const numberedSessionsSql = (sessionsPath: string) =>
  `SELECT session_id, row_number() OVER (ORDER BY session_id) AS session_number, start_time FROM read_parquet(${sqlString(sessionsPath)})`;
