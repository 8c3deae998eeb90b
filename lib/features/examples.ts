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
 * `purchase_examples`: a session prefix after its k-th event (k in PURCHASE_CUTS), predicted
 * right after it (as_of = that event's time + 1 µs); the label is whether the session purchases
 * later. Prefixes that already hold a purchase, and sessions with no event after the cut, are left out.
 */
export async function createPurchaseExamples(
  con: DuckDBConnection,
  cutoffs: Cutoffs,
  rule: HistoryRule,
): Promise<void> {
  await con.run(`CREATE OR REPLACE TABLE ranked_events AS
    SELECT e.*, row_number() OVER (PARTITION BY session_id ORDER BY ${EVENT_ORDER}) AS k FROM events e`);
  await con.run(`CREATE OR REPLACE TABLE purchase_examples AS
    WITH cuts AS (
      SELECT session_id, user_id, k AS cut, event_time + INTERVAL 1 MICROSECOND AS as_of FROM ranked_events WHERE k IN (${PURCHASE_CUTS.join(', ')})),
    outcome AS (
      SELECT c.session_id, c.cut, count(*) FILTER (e.event_time >= c.as_of) AS later_events,
        count(*) FILTER (e.event_type = 'purchase' AND e.event_time < c.as_of) AS purchases_before,
        count(*) FILTER (e.event_type = 'purchase' AND e.event_time >= c.as_of) AS purchases_after
      FROM cuts c JOIN ranked_events e USING (session_id) GROUP BY ALL)
    SELECT c.session_id, c.user_id, c.cut, c.as_of, s.split, (o.purchases_after > 0)::INTEGER AS label, ${withSnapshot(cutoffs, rule)}
    FROM cuts c JOIN outcome o USING (session_id, cut) JOIN session_splits s USING (session_id)
    WHERE o.purchases_before = 0 AND o.later_events > 0`);
}

/**
 * `recommend_examples`: per session with a known user, the products it touched (the targets),
 * to be recommended as of the session's start.
 */
export async function createRecommendExamples(
  con: DuckDBConnection,
  cutoffs: Cutoffs,
  rule: HistoryRule,
): Promise<void> {
  await con.run(`CREATE OR REPLACE TABLE recommend_examples AS
    SELECT *, ${withSnapshot(cutoffs, rule)} FROM (
      SELECT e.session_id, min(e.user_id) AS user_id, min(e.event_time) AS as_of, any_value(s.split) AS split,
        list_sort(list_distinct(list(e.product_id) FILTER (e.product_id IS NOT NULL))) AS targets
      FROM events e JOIN session_splits s USING (session_id) WHERE e.user_id IS NOT NULL GROUP BY e.session_id)
    WHERE len(targets) > 0`);
}
