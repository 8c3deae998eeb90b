import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENT_TYPES } from '../events';
import { type AtomicBatch, copyDaysToParquet, dayFiles, parquetFilesSql, queryRows, sqlString } from '../io/index';

export const DEFAULT_GAP_MINUTES = 30;

/**
 * Events at the same instant are ordered by funnel step (search first, then view, click, cart,
 * removal, purchase) and then by their fields, so any input order gives one result.
 */
const FUNNEL = ['search', ...EVENT_TYPES.filter((t) => t !== 'search')];
const TYPE_RANK = `list_position([${FUNNEL.map((t) => `'${t}'`).join(', ')}], event_type)`;
/** The rank `EVENT_ORDER` gives each event type, by the type's code (its index in `EVENT_TYPES`). */
export const FUNNEL_RANK: readonly number[] = EVENT_TYPES.map((t) => FUNNEL.indexOf(t));
export const EVENT_ORDER = `event_time, ${TYPE_RANK}, product_id NULLS FIRST, price NULLS FIRST, search_id NULLS FIRST`;

/** The columns of table `sessionized` that the stage writes: the canonical events with their settled session ids. */
export const SESSIONIZED_COLUMNS = 'event_time, user_id, session_id, event_type, product_id, price, search_id';

/**
 * What sessionization knows of a group (a source session, or a user's events without one) after
 * some events: its last event, how many pieces the gap rule cut it into, and when the last piece
 * began. With it, later events are cut exactly as if they had been cut with the earlier ones.
 */
export const NO_GROUPS_BEFORE = `(SELECT NULL::VARCHAR AS grp, NULL::TIMESTAMP AS last_time, NULL::BIGINT AS pieces, NULL::TIMESTAMP AS last_start WHERE false)`;

/**
 * Creates table `sessionized` from table `events` (canonical columns): events keep the source
 * session id where they have one; a gap of more than `gapMinutes` without events (strictly
 * longer) starts a new session, inside a source session too. The first piece of a source session
 * keeps its id, later pieces get `#2`, `#3`, ...; events with no source session are grouped by
 * user and named `u<user_id>#<n>`. Besides `SESSIONIZED_COLUMNS`, each event has its piece number
 * `piece`, whether it had no source session (`no_source`) and whether it starts its piece
 * (`starts`); its group is `GROUP_OF` these (kept out of the table, which holds every event).
 *
 * `before` (a relation shaped as `NO_GROUPS_BEFORE`, from `sessionGroups` of earlier events, all
 * of which are earlier than every event of `events`) carries the groups on: a group's first event
 * here continues its last piece unless the gap from its last event is too long, and its pieces
 * are numbered on from there. The result is the one sessionizing all the events at once gives.
 */
export async function sessionize(
  con: DuckDBConnection,
  gapMinutes = DEFAULT_GAP_MINUTES,
  before = NO_GROUPS_BEFORE,
): Promise<void> {
  if (!(gapMinutes > 0)) throw new Error(`the inactivity gap must be positive, got ${gapMinutes} minutes`);
  const gapMicros = Math.round(gapMinutes * 60_000_000);
  // A group is partitioned by its source session, or by its user when it has none: the same
  // partitions as its name (GROUP_OF), without building that text for every event. The name is
  // built only to join the groups going on from `before`.
  const group = 'session_id, no_source_user';
  const lag = `lag(g.event_time) OVER (PARTITION BY ${group} ORDER BY ${EVENT_ORDER})`;
  const gaps =
    before === NO_GROUPS_BEFORE
      ? `SELECT g.*, ${lag} AS previous, 0 AS pieces_before FROM grouped g`
      : `SELECT g.*, coalesce(${lag}, b.last_time) AS previous, coalesce(b.pieces, 0) AS pieces_before
      FROM grouped g LEFT JOIN ${before} b
        ON b.grp = CASE WHEN g.session_id IS NOT NULL THEN 's' || g.session_id ELSE 'u' || CAST(g.user_id AS VARCHAR) END`;
  await con.run(`CREATE TABLE sessionized AS
    WITH grouped AS (
      SELECT *, CASE WHEN session_id IS NULL THEN user_id END AS no_source_user, session_id IS NULL AS no_source FROM events),
    gaps AS (${gaps}),
    pieces AS (
      SELECT *, pieces_before + CAST(sum(CASE WHEN previous IS NULL OR epoch_us(event_time) - epoch_us(previous) > ${gapMicros} THEN 1 ELSE 0 END)
        OVER (PARTITION BY ${group} ORDER BY ${EVENT_ORDER} ROWS UNBOUNDED PRECEDING) AS BIGINT) AS piece
      FROM gaps)
    SELECT event_time, user_id,
      CASE WHEN session_id IS NULL THEN 'u' || CAST(user_id AS VARCHAR) || '#' || CAST(piece AS VARCHAR)
           WHEN piece = 1 THEN session_id ELSE session_id || '#' || CAST(piece AS VARCHAR) END AS session_id,
      event_type, product_id, price, search_id, piece, no_source,
      previous IS NULL OR epoch_us(event_time) - epoch_us(previous) > ${gapMicros} AS starts
    FROM pieces
    ORDER BY ${EVENT_ORDER}, session_id`);
}

/** An event's group in table `sessionized`: its source session (the id without the `#<piece>` added), or its user. */
const GROUP_OF = `CASE WHEN no_source THEN 'u' || CAST(user_id AS VARCHAR) WHEN piece = 1 THEN 's' || session_id
  ELSE 's' || left(session_id, length(session_id) - length(CAST(piece AS VARCHAR)) - 1) END`;

/**
 * Creates table `session_groups` (shaped as `NO_GROUPS_BEFORE`): the groups `sessionized` has
 * events of, as it leaves them, going on from `before`. `mergedGroupsSql` adds the untouched ones.
 */
export async function sessionGroups(con: DuckDBConnection, before = NO_GROUPS_BEFORE): Promise<void> {
  // Pieces follow each other in time: the last piece began at the group's last piece start.
  await con.run(`CREATE TABLE session_groups AS
    WITH g AS (SELECT ${GROUP_OF} AS grp, max(event_time) AS last_time, max(piece) AS pieces,
      max(event_time) FILTER (starts) AS first_of_last FROM sessionized GROUP BY 1)
    SELECT g.grp, g.last_time, g.pieces, CASE WHEN g.pieces = b.pieces THEN b.last_start ELSE g.first_of_last END AS last_start
    FROM g LEFT JOIN ${before} b ON g.grp = b.grp`);
}

/** Every group after `sessionized`: those of `before` (or some of them) it did not touch, and `session_groups`. */
export const mergedGroupsSql = (before: string) =>
  `(SELECT b.* FROM ${before} b ANTI JOIN session_groups g ON b.grp = g.grp UNION ALL SELECT * FROM session_groups)`;

/** The UTC days on which the sessions `sessionized` continues from `before` began: their rows in the sessions table change. */
export async function continuedSessionDays(con: DuckDBConnection, before: string): Promise<string[]> {
  const rows = await queryRows(
    con,
    `SELECT DISTINCT strftime(CAST(b.last_start AS DATE), '%Y-%m-%d') AS day
    FROM (SELECT DISTINCT ${GROUP_OF} AS grp, piece FROM sessionized) s JOIN ${before} b ON s.grp = b.grp AND s.piece = b.pieces ORDER BY day`,
  );
  return rows.map((r) => String(r.day));
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
 * A sessions relation that adds the sessions of `sessions` (those of `sessionized`) to `earlier`
 * (rows of the sessions table from before): a session in both is one session, its counts summed
 * and its span the union. Same columns and types as `summariseSessions`.
 */
export const mergedSessionsSql = (earlier: string) => `(
  SELECT session_id, min(user_id) AS user_id, min(start_time) AS start_time, max(end_time) AS end_time,
    CAST(sum(events) AS BIGINT) AS events, CAST(sum(views) AS BIGINT) AS views, CAST(sum(searches) AS BIGINT) AS searches,
    CAST(sum(carts) AS BIGINT) AS carts, CAST(sum(purchases) AS BIGINT) AS purchases, sum(purchases) > 0 AS purchased
  FROM (SELECT * FROM ${earlier} UNION ALL BY NAME SELECT * FROM sessions) GROUP BY session_id)`;

/**
 * A sessions file's sessions (`summariseSessions`), each with its number (1, 2, … in session_id
 * order) and start: readers join it to the events instead of ranking and partitioning every event
 * by its text id.
 */
export const numberedSessionsSql = (sessionsPath: string) =>
  `SELECT session_id, row_number() OVER (ORDER BY session_id) AS session_number, start_time FROM read_parquet(${sqlString(sessionsPath)})`;

/**
 * Writes table `session_groups` (merged with `before`) into `dir`, a file per UTC day of the
 * groups' last event, each file in group order. Going on from `before`, only the new days' files
 * and those of the days the touched groups last had events on are written (the latter without
 * them; a day left with none loses its file).
 */
export async function writeSessionGroups(
  con: DuckDBConnection,
  dir: string,
  before: string,
  incremental: boolean,
  batch: AtomicBatch,
): Promise<void> {
  if (!incremental) {
    await copyDaysToParquet(con, 'session_groups', 'last_time', dir, batch, { replace: true, orderBy: 'grp' });
    return;
  }
  const touched = await queryRows(
    con,
    `SELECT DISTINCT strftime(CAST(b.last_time AS DATE), '%Y-%m-%d') AS day FROM ${before} b SEMI JOIN session_groups g ON b.grp = g.grp`,
  );
  const days = new Set(touched.map((r) => String(r.day)));
  const earlier = dayFiles(dir).filter((d) => days.has(d.day));
  const written = await copyDaysToParquet(
    con,
    earlier.length > 0 ? mergedGroupsSql(parquetFilesSql(earlier.map((d) => d.path))) : 'session_groups',
    'last_time',
    dir,
    batch,
    { replace: false, orderBy: 'grp' },
  );
  for (const d of earlier) if (!written.includes(d.day)) batch.remove(d.path);
}
