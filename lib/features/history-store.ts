import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DataCatalog } from '../catalog';
import {
  AtomicBatch,
  copyDaysToParquet,
  copyToParquet,
  dayFiles,
  dayStart,
  daysGlob,
  fileSha256,
  isDaysFolder,
  parquetFilesSql,
  queryRows,
  sqlString,
} from '../io/index';
import { createDays, createProductDaily, createProductSnapshots, createUserTotals } from './history';

/**
 * The history tables kept a file per day under `features/history/<table>/` (`lib/io/days.ts`), so a
 * new day of events computes only what it changes: the snapshots after it and the daily counts and
 * running totals from it on, going on from the files before (never the earlier events), which stay as they were, byte for byte. What was
 * read is recorded beside them (`history.json`: each sessionized event day file's sha256; and
 * `products.parquet`: each product's category), to tell what changed the next time.
 */
export const HISTORY_TABLES = {
  // By day of the events: a new day's rows are computed from that day's events (and the state before).
  product_daily: { time: 'day', order: 'product_id', snapshot: false },
  // Snapshots: the day's rows see the days before it only.
  product_days: { time: 'day', order: 'product_id', snapshot: true },
  category_days: { time: 'day', order: 'category_id', snapshot: true },
  user_totals: { time: 'upto', order: 'user_id', snapshot: false },
  user_category_totals: { time: 'upto', order: 'user_id, category_id', snapshot: false },
} as const;
export type HistoryTable = keyof typeof HISTORY_TABLES;

/** How a table was brought up to date: every day, from a day on, or not at all (nothing it reads changed). */
export type HistoryUpdate = 'every day' | `from ${string}` | 'unchanged';

/** What a store kept from the sessionized events was computed from: each event day file's sha256, by day. */
export interface EventDaysRecord {
  format: typeof FORMAT;
  /** Each sessionized event day file's sha256, by day. */
  event_days: Record<string, string>;
}

const FORMAT = 2;

/** The record at `path`, or null when there is none or it is not one this shoplab wrote. */
export function readEventDaysRecord(path: string): EventDaysRecord | null {
  if (!existsSync(path)) return null;
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as EventDaysRecord;
    return record.format === FORMAT && typeof record.event_days === 'object' ? record : null;
  } catch {
    return null;
  }
}

/** The record of these day files. */
export const eventDaysRecord = (days: EventDay[]): EventDaysRecord => ({
  format: FORMAT,
  event_days: Object.fromEntries(days.map((d) => [d.day, d.sha])),
});

/** A sessionized event day file with its sha256. */
export type EventDay = { day: string; path: string; sha: string };

/** The data folder's sessionized event day files, in order, each with its sha256. */
export function sessionizedEventDays(catalog: DataCatalog): EventDay[] {
  const days = dayFiles(catalog.interim.eventDays).map((d) => ({ ...d, sha: fileSha256(d.path) }));
  if (days.length === 0) throw new Error(`${catalog.interim.eventDays}: no day files of sessionized events`);
  return days;
}

/**
 * Whether what was computed from the event days `record` lists can go on to `days` (every day it
 * lists still there, the first the same), and the first day that is new or changed (null: none).
 */
export function eventDaysChange(
  record: EventDaysRecord | null,
  days: EventDay[],
): { kept: boolean; changed: string | null } {
  const kept =
    record !== null &&
    Object.keys(record.event_days).every((day) => days.some((d) => d.day === day)) &&
    days[0].sha === record.event_days[days[0].day];
  return { kept, changed: days.find((d) => record?.event_days[d.day] !== d.sha)?.day ?? null };
}

/**
 * Brings the data folder's history files up to date with its sessionized events and products, all
 * or nothing, then creates tables `days`, `product_days`, `category_days`, `user_totals` and
 * `user_category_totals` on `con` from them (what `buildTrainingSets` reads with `historyReady`).
 * `con` has views `events` (every sessionized event) and `products`. A day whose file changed, or
 * a product's category, is computed again with everything after it; a day that went, or a new
 * first day, computes every day again.
 */
export async function updateHistory(
  con: DuckDBConnection,
  catalog: DataCatalog,
  onStep: (step: string) => void = () => {},
  days: EventDay[] = sessionizedEventDays(catalog),
): Promise<Record<HistoryTable, HistoryUpdate>> {
  const history = catalog.features.history;
  const tables = Object.keys(HISTORY_TABLES) as HistoryTable[];
  // The first day whose events are new or changed (none: every day is as it was).
  const change = eventDaysChange(readEventDaysRecord(history.record), days);
  const kept = change.kept && existsSync(history.products) && tables.every((t) => isDaysFolder(history.table(t)));
  const { changed } = change;

  await con.run(`CREATE OR REPLACE TEMP TABLE history_products AS
    SELECT product_id, category_id FROM products ORDER BY product_id`);
  let sameProducts = false;
  let categoriesKept = false;
  if (kept) {
    const [c] = await queryRows(
      con,
      `WITH old AS (SELECT product_id, category_id FROM read_parquet(${sqlString(history.products)}))
      SELECT (SELECT count(*) FROM (SELECT * FROM old EXCEPT SELECT * FROM history_products)) AS gone,
        (SELECT count(*) FROM (SELECT * FROM history_products EXCEPT SELECT * FROM old)) AS added`,
    );
    // A product's category the same, and new products only: the user categories go on. Any new
    // product or category changes every earlier day's dense snapshot (ranks by product id among them).
    categoriesKept = Number(c.gone) === 0;
    sameProducts = categoriesKept && Number(c.added) === 0;
  }
  // Snapshots go on from the last one kept when the new events begin after it (a day without events between).
  const snapshots = kept ? dayFiles(history.table('product_days')) : [];
  const lastSnapshot = snapshots.at(-1)?.day;
  const plan = {} as Record<HistoryTable, HistoryUpdate>;
  for (const t of tables) {
    const { snapshot } = HISTORY_TABLES[t];
    const from = snapshot && lastSnapshot && changed && lastSnapshot < changed ? lastSnapshot : changed;
    // The daily product counts read events only; user category totals go on while every earlier
    // product keeps its category; snapshots while the products are the very same (a new product or
    // category changes every earlier day's dense snapshot: the ranks by product id among the
    // unviewed), from a snapshot that is kept.
    const goesOn =
      kept &&
      (snapshot
        ? sameProducts && (from === null || snapshots.some((d) => d.day === from))
        : t === 'product_daily' || categoriesKept);
    plan[t] = !goesOn ? 'every day' : from === null ? 'unchanged' : `from ${from}`;
  }
  const fromOf = (t: HistoryTable) => (plan[t].startsWith('from ') ? plan[t].slice(5) : null);

  await createDays(con);
  const batch = new AtomicBatch();
  try {
    // The events the tables going on read: from the earliest day they go on from (snapshots read none).
    const froms = tables.filter((t) => !HISTORY_TABLES[t].snapshot).map(fromOf);
    const since = froms.every((f) => f !== null) ? froms.sort()[0] : null;
    const eventsSince = since ? parquetFilesSql(days.filter((d) => d.day >= since).map((d) => d.path)) : null;
    // A table's rows of the days before `day` (its empty shape where it has none).
    const rowsBefore = (t: HistoryTable, day: string) => {
      const files = dayFiles(history.table(t)).filter((d) => d.day < day);
      return files.length > 0
        ? parquetFilesSql(files.map((d) => d.path))
        : `(SELECT * FROM read_parquet(${sqlString(daysGlob(history.table(t)))}) WHERE false)`;
    };

    if (plan.product_daily !== 'unchanged' || plan.product_days !== 'unchanged') {
      onStep('history: product snapshots');
      const daily = fromOf('product_daily');
      if (plan.product_daily === 'unchanged')
        await con.run(
          `CREATE OR REPLACE TABLE product_daily AS SELECT * FROM read_parquet(${sqlString(daysGlob(history.table('product_daily')))})`,
        );
      else
        await withEvents(con, daily ? eventsSince : null, () =>
          createProductDaily(con, daily ? { from: daily, prior: rowsBefore('product_daily', daily) } : undefined),
        );
      const from = fromOf('product_days');
      if (plan.product_days !== 'unchanged')
        await createProductSnapshots(
          con,
          from
            ? {
                from,
                priorProducts: `(SELECT product_id, last_purchase_day, last_seen_price FROM read_parquet(${sqlString(
                  dayFiles(history.table('product_days')).find((d) => d.day === from)!.path,
                )}))`,
              }
            : undefined,
        );
    }
    if (plan.user_totals !== 'unchanged') {
      onStep('history: user totals');
      const from = fromOf('user_totals');
      // Each key's latest totals before `from`.
      const latestBefore = (t: HistoryTable, day: string, keys: string) =>
        `(SELECT * EXCLUDE (upto) FROM ${rowsBefore(t, day)} QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY upto DESC) = 1)`;
      // Sessions that began before `from` and went on into it: counted on the day they began.
      const sessions = from ? dayFiles(catalog.interim.sessionDays).filter((d) => d.day < from) : [];
      await withEvents(con, from ? eventsSince : null, () =>
        createUserTotals(
          con,
          from
            ? {
                from,
                priorUsers: latestBefore('user_totals', from, 'user_id'),
                priorUserCategories: latestBefore('user_category_totals', from, 'user_id, category_id'),
                continuedSessions:
                  sessions.length > 0
                    ? `(SELECT session_id FROM ${parquetFilesSql(sessions.map((d) => d.path))} WHERE end_time >= ${dayStart(from)})`
                    : '(SELECT NULL::VARCHAR AS session_id WHERE false)',
              }
            : undefined,
        ),
      );
    }
    onStep('history: writing');
    for (const t of tables) {
      if (plan[t] === 'unchanged') continue;
      const { time, order } = HISTORY_TABLES[t];
      const from = fromOf(t);
      const dir = history.table(t);
      // From `from` on (a snapshot table keeps `from`'s own); a day the new rows no longer have goes.
      const kept = (day: string) => (from === null ? false : HISTORY_TABLES[t].snapshot ? day <= from : day < from);
      const written = await copyDaysToParquet(
        con,
        from ? `(SELECT * FROM ${t} WHERE ${time} ${HISTORY_TABLES[t].snapshot ? '>' : '>='} ${dayStart(from)})` : t,
        time,
        dir,
        batch,
        { replace: from === null, orderBy: order },
      );
      if (from) for (const d of dayFiles(dir)) if (!kept(d.day) && !written.includes(d.day)) batch.remove(d.path);
    }
    await copyToParquet(con, 'SELECT * FROM history_products', history.products, batch);
    writeFileSync(batch.add(history.record), `${JSON.stringify(eventDaysRecord(days), null, 2)}\n`);
    batch.commit();
  } finally {
    batch.discard();
  }
  for (const t of tables.filter((t) => t !== 'product_daily'))
    await con.run(
      `CREATE OR REPLACE TABLE ${t} AS SELECT * FROM read_parquet(${sqlString(daysGlob(history.table(t)))})`,
    );
  return plan;
}

/** Runs `fn` with the view `events` showing relation `events` instead (null: as it is), then restores it. */
export async function withEvents<T>(con: DuckDBConnection, events: string | null, fn: () => Promise<T>): Promise<T> {
  if (events === null) return fn();
  await con.run('ALTER VIEW events RENAME TO all_events');
  await con.run(`CREATE VIEW events AS SELECT * FROM ${events}`);
  try {
    return await fn();
  } finally {
    await con.run('DROP VIEW events');
    await con.run('ALTER VIEW all_events RENAME TO events');
  }
}
