import type { DuckDBConnection } from '@duckdb/node-api';
import { dayStart } from '../io/index';
import { createAsOfLookup, createRunningTotals, joinLookup } from './running-totals';

/**
 * History features are daily snapshots: the snapshot of day d sees only events before midnight
 * UTC starting d. An example at time t reads the snapshot of the day containing its history
 * cutoff (t itself, or the start of its split when history is frozen), so it sees only events
 * strictly before t. Snapshots make millions of examples cheap: they share (product, day) rows.
 *
 * Tables read: `events` (canonical columns), `products`, `impressions` (optional).
 */
export const WINDOWS = [1, 7, 28] as const;
export const FUNNEL = { views: 'view', clicks: 'click', carts: 'add_to_cart', purchases: 'purchase' } as const;

const counts = Object.entries(FUNNEL)
  .map(([name, type]) => `count(*) FILTER (event_type = '${type}') AS ${name}`)
  .join(', ');
// Window sums cast to BIGINT: the same type however they were computed, and one Parquet holds.
const windowSums = (partition: string) =>
  WINDOWS.flatMap((w) =>
    Object.keys(FUNNEL).map(
      (m) =>
        `CAST(sum(${m}) OVER (PARTITION BY ${partition} ORDER BY day ROWS BETWEEN ${w} PRECEDING AND 1 PRECEDING) AS BIGINT) AS ${m}_${w}d`,
    ),
  ).join(',\n      ');

/** The longest window back a snapshot sums over, in days. */
const LONGEST_WINDOW = Math.max(...WINDOWS);

/** Creates `days(day)`: every UTC day from the first event's to the day after the last. */
export async function createDays(con: DuckDBConnection): Promise<void> {
  await con.run(`CREATE OR REPLACE TABLE days AS SELECT CAST(range AS TIMESTAMP) AS day FROM range(
    (SELECT date_trunc('day', min(event_time)) FROM events), (SELECT date_trunc('day', max(event_time)) + INTERVAL 2 DAY FROM events), INTERVAL 1 DAY)`);
}

/**
 * Where a history computation goes on from: the events of UTC day `from` ('YYYY-MM-DD') and later
 * are new (or changed) since the history was computed, the earlier ones are as they were. Tables
 * by event day (daily counts, running totals) then get the days from `from` on, and snapshot
 * tables only the days after it (the snapshot of `from` itself sees none of its events). Without
 * one, every day is computed from nothing.
 */
export interface HistorySince {
  from: string;
}

/**
 * Creates `product_daily`: per product and UTC day of its events, the funnel counts and the last
 * price seen. Reads `events` (from `since`: only its days from `from` on, after `prior`, the rows of
 * earlier days).
 */
export async function createProductDaily(
  con: DuckDBConnection,
  since?: HistorySince & { prior: string },
): Promise<void> {
  await con.run(`CREATE OR REPLACE TABLE product_daily AS
    ${since ? `SELECT product_id, day, ${Object.keys(FUNNEL).join(', ')}, price FROM ${since.prior} UNION ALL` : ''}
    SELECT product_id, date_trunc('day', event_time) AS day, ${counts}, arg_max(price, event_time) AS price
    FROM events WHERE product_id IS NOT NULL ${since ? `AND event_time >= ${dayStart(since.from)}` : ''} GROUP BY ALL`);
}

/**
 * Creates `product_days` and `category_days`: per product (category) and snapshot day, funnel
 * counts over the trailing windows, and for products the last purchase day, the last price seen
 * and the popularity rank in the category by 7-day views (1 = most viewed; ties by product id).
 * Reads `days`, `products` and `product_daily` (from `since`: only the snapshots after its `from`,
 * from the daily rows of the `LONGEST_WINDOW` days before it on, with `priorProducts` the
 * `product_days` rows of day `from` for what came before those).
 */
export async function createProductSnapshots(
  con: DuckDBConnection,
  since?: HistorySince & { priorProducts: string },
): Promise<void> {
  const base = since ? `${dayStart(since.from)} - INTERVAL ${LONGEST_WINDOW} DAY` : null;
  const fromBase = (column: string) => (base ? `AND ${column} >= ${base}` : '');
  const after = (column: string) => (since ? `WHERE ${column} > ${dayStart(since.from)}` : '');
  // The last purchase day and price before the window come from the prior snapshot (none from scratch).
  const prior =
    since?.priorProducts ??
    '(SELECT product_id, day AS last_purchase_day, price AS last_seen_price FROM product_daily WHERE false)';
  await con.run(`CREATE OR REPLACE TABLE product_days AS
    WITH dense AS (
      SELECT p.product_id, p.category_id, d.day, coalesce(v.views, 0) AS views, coalesce(v.clicks, 0) AS clicks,
        coalesce(v.carts, 0) AS carts, coalesce(v.purchases, 0) AS purchases, v.price
      FROM products p CROSS JOIN days d LEFT JOIN product_daily v ON v.product_id = p.product_id AND v.day = d.day
      WHERE true ${fromBase('d.day')}),
    windows AS (
      SELECT product_id, category_id, day, ${windowSums('product_id')},
        max(CASE WHEN purchases > 0 THEN day END) OVER (PARTITION BY product_id ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS last_purchase_day,
        last_value(price IGNORE NULLS) OVER (PARTITION BY product_id ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS last_seen_price
      FROM dense),
    kept AS (
      SELECT w.* REPLACE (coalesce(w.last_purchase_day, b.last_purchase_day) AS last_purchase_day,
          coalesce(w.last_seen_price, b.last_seen_price) AS last_seen_price)
      FROM windows w LEFT JOIN ${prior} b ON b.product_id = w.product_id ${after('w.day')})
    SELECT *, row_number() OVER (PARTITION BY category_id, day ORDER BY views_7d DESC, product_id) AS category_rank FROM kept`);
  await con.run(`CREATE OR REPLACE TABLE category_days AS
    WITH daily AS (SELECT category_id, day, sum(views) AS views, sum(clicks) AS clicks, sum(carts) AS carts, sum(purchases) AS purchases
      FROM product_daily JOIN products USING (product_id) WHERE true ${fromBase('day')} GROUP BY ALL),
    dense AS (SELECT c.category_id, d.day, coalesce(v.views, 0) AS views, coalesce(v.clicks, 0) AS clicks, coalesce(v.carts, 0) AS carts,
        coalesce(v.purchases, 0) AS purchases
      FROM (SELECT DISTINCT category_id FROM products) c CROSS JOIN days d LEFT JOIN daily v ON v.category_id IS NOT DISTINCT FROM c.category_id AND v.day = d.day
      WHERE true ${fromBase('d.day')})
    SELECT * FROM (SELECT category_id, day, ${windowSums('category_id')} FROM dense) ${after('day')}`);
}

/**
 * Creates running totals per user (`user_totals`) and per user and category
 * (`user_category_totals`), by day, for as-of lookups of the user's history. From `since`: only
 * the days from its `from` on, going on from `priorUsers` / `priorUserCategories` (each key's
 * latest totals before `from`), with `continuedSessions` the ids of sessions that began earlier
 * (already counted on the day they began).
 */
export async function createUserTotals(
  con: DuckDBConnection,
  since?: HistorySince & { priorUsers: string; priorUserCategories: string; continuedSessions: string },
): Promise<void> {
  const from = since ? dayStart(since.from) : null;
  const onOrAfter = (column: string) => (from ? `WHERE ${column} >= ${from}` : '');
  const begins = since ? `WHERE session_id NOT IN (SELECT session_id FROM ${since.continuedSessions})` : '';
  // A session counts once, for the user and day of its first event (by time, type, product), and
  // only where it began: its first row is found per session rather than by numbering every event.
  const firsts = `SELECT session_id, arg_min_null(user_id, (event_time, event_type, product_id)) AS user_id,
      date_trunc('day', min(event_time)) AS day FROM events ${onOrAfter('event_time')} GROUP BY session_id`;
  await createRunningTotals(con, {
    name: 'user_totals',
    source: `(SELECT user_id, date_trunc('day', event_time) AS day, 1 AS is_event, 0 AS is_first, event_type, price
        FROM events ${onOrAfter('event_time')}
      UNION ALL SELECT user_id, day, 0, 1, NULL, NULL FROM (${firsts}) ${begins}) e`,
    keys: { user_id: 'user_id' },
    time: 'day',
    measures: {
      events: 'is_event',
      sessions: 'is_first',
      purchases: `CASE WHEN event_type = 'purchase' THEN 1 ELSE 0 END`,
      // Money is summed as DECIMAL: exact, so totals do not depend on the order rows are added in.
      spend: `CASE WHEN event_type = 'purchase' THEN coalesce(CAST(price AS DECIMAL(38, 6)), 0) ELSE 0 END`,
      priced_views: `CASE WHEN event_type = 'view' AND price IS NOT NULL THEN 1 ELSE 0 END`,
      viewed_price: `CASE WHEN event_type = 'view' AND price IS NOT NULL THEN CAST(price AS DECIMAL(38, 6)) ELSE 0 END`,
    },
    types: { spend: 'DECIMAL(38, 6)', viewed_price: 'DECIMAL(38, 6)' },
    where: 'user_id IS NOT NULL',
    ...(since && from ? { since: { from, prior: since.priorUsers } } : {}),
  });
  await createRunningTotals(con, {
    name: 'user_category_totals',
    source: `(SELECT e.*, p.category_id, date_trunc('day', e.event_time) AS day FROM events e JOIN products p USING (product_id) ${onOrAfter('e.event_time')}) e`,
    keys: { user_id: 'user_id', category_id: 'category_id' },
    time: 'day',
    measures: { events: '1' },
    where: 'user_id IS NOT NULL AND category_id IS NOT NULL',
    ...(since && from ? { since: { from, prior: since.priorUserCategories } } : {}),
  });
}

/**
 * Creates the user-history lookups of an examples table (`<examples>_ut`, and with a category
 * column `<examples>_uct`) and returns the joins that attach them as aliases `ut` and `uct`.
 */
export async function userHistoryJoins(
  con: DuckDBConnection,
  examples: string,
  withCategory: boolean,
): Promise<string> {
  await createAsOfLookup(con, `${examples}_ut`, examples, 'user_totals', ['user_id']);
  const joins = [joinLookup(`${examples}_ut`, 'ut', ['user_id'])];
  if (withCategory) {
    await createAsOfLookup(con, `${examples}_uct`, examples, 'user_category_totals', ['user_id', 'category_id']);
    joins.push(joinLookup(`${examples}_uct`, 'uct', ['user_id', 'category_id']));
  }
  return joins.join('\n    ');
}
