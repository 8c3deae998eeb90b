import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENT_ORDER } from '../sessions/index';
import { type Cutoffs, SPLITS, splitOfSql } from '../split/index';

/**
 * Examples: what each model family learns from, one row per prediction with the time `as_of`
 * it is made at (features see only events strictly before it) and its split. History features
 * read the snapshot of `snapshot_day`: with history frozen (the default), validation examples see
 * only the training period and test examples training plus validation, as a model deployed at
 * the split's start would; with `asOfExample`, each example sees everything before its own time.
 *
 * Tables read: `events` (sessionized), `products`, `impressions`, `session_splits`. Example
 * tables are unordered; the training sets built from them are sorted.
 */
export type HistoryRule = 'frozen' | 'asOfExample';

export const PURCHASE_CUTS = [1, 3, 5, 10] as const;

const ts = (ms: number) => `make_timestamp(${ms * 1000})`;

/**
 * SQL for the history cutoff of an example with columns `split` and `as_of`: training examples
 * see everything before their own time; frozen, validation and test examples see only what came
 * before their split started.
 */
export function historyCutoffSql(cutoffs: Cutoffs, rule: HistoryRule): string {
  if (rule === 'asOfExample') return 'as_of';
  const frozen = SPLITS.filter((s) => s !== 'train');
  return `CASE split ${frozen.map((s) => `WHEN '${s}' THEN least(as_of, ${ts(cutoffs[s].from)})`).join(' ')} ELSE as_of END`;
}

const withSnapshot = (cutoffs: Cutoffs, rule: HistoryRule) => `${historyCutoffSql(cutoffs, rule)} AS history_as_of,
  date_trunc('day', ${historyCutoffSql(cutoffs, rule)}) AS snapshot_day`;

/**
 * `ranking_examples`: one row per search impression, graded label purchase 3, cart 2, click 1,
 * else 0. Also `query_ids`: every query text with a dense integer id, so query joins compare numbers.
 */
export async function createRankingExamples(con: DuckDBConnection, cutoffs: Cutoffs, rule: HistoryRule): Promise<void> {
  await con.run(`CREATE OR REPLACE TABLE query_ids AS
    SELECT query, CAST(row_number() OVER (ORDER BY query) - 1 AS INTEGER) AS query_id FROM (SELECT DISTINCT query FROM impressions)`);
  await con.run(`CREATE OR REPLACE TABLE ranking_examples AS
    SELECT *, ${withSnapshot(cutoffs, rule)} FROM (
      SELECT i.search_id, i.product_id, i.position, i.user_id, i.session_id, i.query, q.query_id, p.category_id, i.event_time AS as_of,
        ${splitOfSql('i.event_time', cutoffs)} AS split,
        CASE WHEN i.purchased THEN 3 WHEN i.carted THEN 2 WHEN i.clicked THEN 1 ELSE 0 END AS label
      FROM impressions i JOIN products p USING (product_id) JOIN query_ids q USING (query))`);
}

/**
 * What a session prefix holds, the purchase set's session features' inputs (`purchase_prefixes`):
 * aggregates over the prefix's events, each followed by `over` (a window; '' in a GROUP BY).
 * `products` counts the distinct products (a window can sum first sightings instead, much cheaper).
 */
export function prefixAggregates(over: string, products = `count(DISTINCT product_id) ${over}`): string {
  return `count(*) ${over} AS events, ${products} AS products,
    count(*) FILTER (event_type = 'view') ${over} AS views, count(*) FILTER (event_type = 'click') ${over} AS clicks,
    count(*) FILTER (event_type = 'add_to_cart') ${over} AS carts,
    count(*) FILTER (event_type = 'remove_from_cart') ${over} AS removals,
    count(*) FILTER (event_type = 'search') ${over} AS searches,
    min(event_time) ${over} AS first_time, max(event_time) ${over} AS last_time,
    max(price) FILTER (event_type = 'view') ${over} AS max_price,
    CAST(avg(CAST(price AS DECIMAL(38, 6))) FILTER (event_type = 'view') ${over} AS DOUBLE) AS mean_price`;
}

/**
 * SQL for what each session gives the purchase examples, from view `events`: a row per session
 * prefix after its k-th event (k in PURCHASE_CUTS), with what the prefix holds and the session's
 * purchases (`session_purchases`); prefixes that already hold a purchase, and sessions with no
 * event after the cut, are left out. A session's rows depend on its own events alone, and
 * `first_time` is its first event's time: the features stage keeps them a file per day the
 * session began (`examples-store.ts`) and computes only the sessions a new day changes.
 *
 * One pass over the events sorted by session: a prefix is a running frame over the session's
 * events by time (its peers at the same time included), the outcome the session's totals less it.
 * Its distinct products are the first sightings summed over the frame (a product seen first at the
 * frame's last time is inside it, whichever of its events there is marked): the count(DISTINCT)
 * over the frame, in 12 s instead of 19–22 s on a 10 M-event world.
 */
export function purchaseCutsSql(): string {
  const upto = 'OVER upto';
  return `SELECT * EXCLUDE (purchases_before, session_events) FROM (
      SELECT session_id, user_id, event_time,
        row_number() OVER (PARTITION BY session_id ORDER BY ${EVENT_ORDER}) AS cut,
        ${prefixAggregates(upto, `CAST(sum(first_sight) ${upto} AS BIGINT)`)},
        count(*) FILTER (event_type = 'purchase') ${upto} AS purchases_before,
        count(*) OVER (PARTITION BY session_id) AS session_events,
        count(*) FILTER (event_type = 'purchase') OVER (PARTITION BY session_id) AS session_purchases
      FROM (
        -- 1 on a product's first event in the session (one of them when several share its first
        -- time): summed over a prefix, its distinct products, as count(DISTINCT) over the frame counts them.
        SELECT *, (product_id IS NOT NULL AND row_number() OVER (PARTITION BY session_id, product_id ORDER BY event_time) = 1)::INTEGER AS first_sight
        FROM events)
      WINDOW upto AS (PARTITION BY session_id ORDER BY event_time RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
    WHERE cut IN (${PURCHASE_CUTS.join(', ')}) AND purchases_before = 0 AND session_events > events`;
}

/**
 * `purchase_examples`, from relation `purchase_cuts` (`purchaseCutsSql`'s rows): a session prefix
 * after its k-th event, predicted right after it (as_of = that event's time + 1 µs); the label is
 * whether the session purchases later. Also `purchase_prefixes`: what each example's prefix holds
 * (every event before its as_of, so events at the cut's very time too), the session features' inputs.
 */
export async function createPurchaseExamples(
  con: DuckDBConnection,
  cutoffs: Cutoffs,
  rule: HistoryRule,
): Promise<void> {
  await con.run(`CREATE OR REPLACE TABLE purchase_examples AS
    SELECT c.session_id, c.user_id, c.cut, c.event_time + INTERVAL 1 MICROSECOND AS as_of, s.split,
      (c.session_purchases > 0)::INTEGER AS label, ${withSnapshot(cutoffs, rule)}
    FROM purchase_cuts c JOIN session_splits s USING (session_id)`);
  await con.run(`CREATE OR REPLACE TABLE purchase_prefixes AS
    SELECT session_id, cut, events, products, views, clicks, carts, removals, searches, first_time, last_time, max_price, mean_price
    FROM purchase_cuts`);
}

/**
 * SQL for what each session with a known user gives the recommend examples, from view `events`:
 * the products it touched (`targets`, sessions touching none left out), its user, the time of its
 * first event with that user (`as_of`) and of its first event (`start_time`, the day its file is
 * kept under, as `purchaseCutsSql`'s rows are).
 */
export function recommendSessionsSql(): string {
  const known = 'FILTER (user_id IS NOT NULL)';
  return `SELECT * FROM (
      SELECT session_id, min(user_id) AS user_id, min(event_time) ${known} AS as_of,
        list_sort(list_distinct(list(product_id) FILTER (product_id IS NOT NULL AND user_id IS NOT NULL))) AS targets,
        min(event_time) AS start_time
      FROM events GROUP BY session_id)
    WHERE user_id IS NOT NULL AND len(targets) > 0`;
}

/**
 * `recommend_examples`, from relation `recommend_sessions` (`recommendSessionsSql`'s rows): per
 * session with a known user, the products it touched (the targets), to be recommended as of the
 * session's start. The events are grouped first and the sessions' splits joined to the groups (on
 * a month's log, 12 M sessions instead of 42 M events: 25 s instead of 60 s, the same rows).
 */
export async function createRecommendExamples(
  con: DuckDBConnection,
  cutoffs: Cutoffs,
  rule: HistoryRule,
): Promise<void> {
  await con.run(`CREATE OR REPLACE TABLE recommend_examples AS
    SELECT *, ${withSnapshot(cutoffs, rule)} FROM (
      SELECT g.session_id, g.user_id, g.as_of, s.split, g.targets
      FROM recommend_sessions g JOIN session_splits s USING (session_id))`);
}
