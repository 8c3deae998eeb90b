import type { DuckDBConnection } from '@duckdb/node-api';
import type { DataCatalog } from '../catalog';
import { queryRows, sqlString } from '../io/index';

/**
 * Descriptive views of a world for notebooks and reports: each a query over the catalog's tables
 * returning plain records, one idea per function.
 */
const t = (path: string) => `read_parquet(${sqlString(path)})`;

export interface TableCounts {
  products: number;
  users: number;
  events: number;
  sessions: number;
  searches: number;
}

export async function tableCounts(con: DuckDBConnection, catalog: DataCatalog): Promise<TableCounts> {
  const [row] = await queryRows(
    con,
    `SELECT (SELECT count(*) FROM ${t(catalog.raw.products)}) AS products,
    (SELECT count(*) FROM ${t(catalog.raw.users)}) AS users, (SELECT count(*) FROM ${t(catalog.interim.events)}) AS events,
    (SELECT count(*) FROM ${t(catalog.interim.sessions)}) AS sessions,
    (SELECT count(*) FROM ${t(catalog.interim.events)} WHERE event_type = 'search') AS searches`,
  );
  return row as unknown as TableCounts;
}

/** Events per UTC day and type. */
export async function eventsPerDay(
  con: DuckDBConnection,
  catalog: DataCatalog,
): Promise<{ day: string; event_type: string; events: number }[]> {
  return (await queryRows(
    con,
    `SELECT strftime(date_trunc('day', event_time), '%Y-%m-%d') AS day, event_type, count(*) AS events
    FROM ${t(catalog.interim.events)} GROUP BY ALL ORDER BY day, event_type`,
  )) as never;
}

/** Events per hour of day (UTC) and weekday (1 = Monday). */
export async function eventsByHourAndWeekday(
  con: DuckDBConnection,
  catalog: DataCatalog,
): Promise<{ weekday: number; hour: number; events: number }[]> {
  return (await queryRows(
    con,
    `SELECT isodow(event_time) AS weekday, hour(event_time) AS hour, count(*) AS events
    FROM ${t(catalog.interim.events)} GROUP BY ALL ORDER BY weekday, hour`,
  )) as never;
}

export const FUNNEL_STEPS = ['view', 'click', 'add_to_cart', 'purchase'] as const;

/** Per persona: sessions, and the share of sessions reaching each funnel step. */
export async function funnelByPersona(
  con: DuckDBConnection,
  catalog: DataCatalog,
): Promise<{ persona: string; sessions: number; step: string; share: number }[]> {
  return (await queryRows(
    con,
    `WITH s AS (
      SELECT e.session_id, coalesce(u.persona, 'unknown') AS persona,
        ${FUNNEL_STEPS.map((step) => `max(CASE WHEN e.event_type = '${step}' THEN 1 ELSE 0 END) AS ${step}`).join(', ')}
      FROM ${t(catalog.interim.events)} e LEFT JOIN ${t(catalog.raw.users)} u USING (user_id) GROUP BY e.session_id, persona)
    SELECT persona, count(*) AS sessions, step, avg(reached) AS share
    FROM s UNPIVOT (reached FOR step IN (${FUNNEL_STEPS.join(', ')}))
    GROUP BY persona, step ORDER BY persona, list_position([${FUNNEL_STEPS.map((x) => `'${x}'`).join(', ')}], step)`,
  )) as never;
}

/** Product prices with their top-level category, for distributions. */
export async function pricesByTopCategory(
  con: DuckDBConnection,
  catalog: DataCatalog,
): Promise<{ top: string; price: number; discount: number }[]> {
  return (await queryRows(
    con,
    `SELECT coalesce(split_part(category_path, ' > ', 1), 'unknown') AS top, price,
      CASE WHEN base_price > 0 THEN 1 - price / base_price ELSE 0 END AS discount
    FROM ${t(catalog.raw.products)} WHERE price IS NOT NULL ORDER BY product_id`,
  )) as never;
}

/** Events per leaf category, biggest first. */
export async function eventsByCategory(
  con: DuckDBConnection,
  catalog: DataCatalog,
): Promise<{ category: string; events: number; purchases: number }[]> {
  return (await queryRows(
    con,
    `SELECT coalesce(p.category_path, 'unknown') AS category, count(*) AS events,
      count(*) FILTER (e.event_type = 'purchase') AS purchases
    FROM ${t(catalog.interim.events)} e JOIN ${t(catalog.raw.products)} p USING (product_id) GROUP BY ALL ORDER BY events DESC, category`,
  )) as never;
}

/** How many sessions have n events, and how long they last (minutes), per n. */
export async function sessionLengths(
  con: DuckDBConnection,
  catalog: DataCatalog,
): Promise<{ events: number; sessions: number; median_minutes: number }[]> {
  return (await queryRows(
    con,
    `SELECT events, count(*) AS sessions, median(epoch(end_time) - epoch(start_time)) / 60 AS median_minutes
    FROM ${t(catalog.interim.sessions)} GROUP BY events ORDER BY events`,
  )) as never;
}

/**
 * Click-through by result position, next to the click probability the generator used: the gap
 * between positions at equal truth is position bias.
 */
export async function clicksByPosition(
  con: DuckDBConnection,
  catalog: DataCatalog,
): Promise<{ position: number; impressions: number; ctr: number; true_ctr: number }[]> {
  return (await queryRows(
    con,
    `SELECT i.position, count(*) AS impressions, avg(i.clicked::INT) AS ctr, avg(tr.p_click) AS true_ctr
    FROM ${t(catalog.raw.impressions)} i JOIN ${t(catalog.raw.truthImpressions)} tr USING (search_id, position)
    GROUP BY i.position ORDER BY i.position`,
  )) as never;
}
