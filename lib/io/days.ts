import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { AtomicBatch, copyToParquetFile, queryRows, sqlString, withDuckDB } from './duckdb';

/**
 * Day-partitioned tables: a folder holding one Parquet file per UTC calendar day of the rows'
 * time, named `YYYY-MM-DD.parquet`, or a single `empty.parquet` with the columns and no rows.
 * Readers read the folder's glob (`daysGlob`), which DuckDB lists in name order, so the
 * days come back in order and each day's rows in the order they were written. A later day is
 * added (or the last day rewritten) without touching the files of the days before it.
 */

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.parquet$/;
const EMPTY_FILE = 'empty.parquet';

/** The glob DuckDB reads a day-partitioned folder through: `read_parquet(daysGlob(dir))`. */
export const daysGlob = (dir: string) => join(dir, '*.parquet');

/** The days a day-partitioned folder holds, in order, with their files; [] when it has none or does not exist. */
export function dayFiles(dir: string): { day: string; path: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => DAY_FILE.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ day: m[1], path: join(dir, m[0]) }))
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

/** SQL reading these Parquet files as one table, in this order (at least one path). */
export const parquetFilesSql = (paths: string[]) => `read_parquet([${paths.map(sqlString).join(', ')}])`;

/** Whether `dir` is a day-partitioned folder a stage wrote (days, or the empty marker). */
export const isDaysFolder = (dir: string) => dayFiles(dir).length > 0 || existsSync(join(dir, EMPTY_FILE));

/** SQL for the first instant of `day` (a `YYYY-MM-DD` string), as a TIMESTAMP. */
export const dayStart = (day: string) => `TIMESTAMP ${sqlString(`${day} 00:00:00`)}`;

/** A WHERE condition: `column` (a TIMESTAMP) falls on UTC day `day`. */
export const onDay = (column: string, day: string) =>
  `${column} >= ${dayStart(day)} AND ${column} < ${dayStart(day)} + INTERVAL 1 DAY`;

/** The days `relation`'s `timeColumn` falls on, in order, with their row counts. */
export async function daysOf(
  con: DuckDBConnection,
  relation: string,
  timeColumn: string,
): Promise<{ day: string; rows: number }[]> {
  const rows = await queryRows(
    con,
    `SELECT strftime(d, '%Y-%m-%d') AS day, n FROM (SELECT CAST(${timeColumn} AS DATE) AS d, count(*) AS n FROM ${relation} GROUP BY d) ORDER BY d NULLS FIRST`,
  );
  if (rows.length > 0 && rows[0].day === null)
    throw new Error(`${Number(rows[0].n)} rows have no ${timeColumn}; a day-partitioned table needs every row's time`);
  return rows.map((r) => ({ day: String(r.day), rows: Number(r.n) }));
}

/** The file of day `day` in the day-partitioned folder `dir`, and the marker of a folder without rows. */
export const dayFile = (dir: string, day: string) => join(dir, `${day}.parquet`);
export const emptyDayFile = (dir: string) => join(dir, EMPTY_FILE);

const DAY_MS = 86_400_000;

/**
 * The UTC days that epoch-millisecond `times` fall on, in order, each with the indices of its
 * rows in their original order (a stable counting sort): what writing a table from JS columns a
 * day per file needs. Times are rounded to whole milliseconds first, as DuckDB's cast of a DOUBLE
 * to BIGINT does, so a row's day is the day of the timestamp written for it.
 */
export function rowsByDay(times: Float64Array): { day: string; rows: Int32Array }[] {
  const n = times.length;
  if (n === 0) return [];
  const dayOf = new Int32Array(n);
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < n; i++) {
    const d = Math.floor(Math.round(times[i]) / DAY_MS);
    if (!Number.isFinite(d))
      throw new Error(`row ${i} has no time (${times[i]}); a day-partitioned table needs every row's time`);
    dayOf[i] = d;
    if (d < first) first = d;
    if (d > last) last = d;
  }
  const starts = new Int32Array(last - first + 2);
  for (let i = 0; i < n; i++) starts[dayOf[i] - first + 1]++;
  for (let d = 1; d < starts.length; d++) starts[d] += starts[d - 1];
  const order = new Int32Array(n);
  const next = starts.slice(0, -1);
  for (let i = 0; i < n; i++) order[next[dayOf[i] - first]++] = i;
  const days: { day: string; rows: Int32Array }[] = [];
  for (let d = 0; d < starts.length - 1; d++) {
    if (starts[d + 1] === starts[d]) continue;
    days.push({
      day: new Date((first + d) * DAY_MS).toISOString().slice(0, 10),
      rows: order.subarray(starts[d], starts[d + 1]),
    });
  }
  return days;
}

/**
 * Writes `relation`'s rows as day files of `dir` through `batch`: with `replace`, the folder
 * becomes exactly these days (its other files go); otherwise only the days `relation` has are
 * written, replacing those days' files and leaving the others. Rows keep `relation`'s order
 * within a day, or `orderBy`'s; `columns` is the select list (all of `relation`'s by default). A
 * `relation` without rows writes the empty marker (with `replace`) or nothing. Returns the days
 * written.
 */
export async function copyDaysToParquet(
  con: DuckDBConnection,
  relation: string,
  timeColumn: string,
  dir: string,
  batch: AtomicBatch,
  { replace, orderBy, columns = '*' }: { replace: boolean; orderBy?: string; columns?: string },
): Promise<string[]> {
  const days = await daysOf(con, relation, timeColumn);
  const target = replace ? batch.addDir(dir) : dir;
  const copy = (select: string, path: string) => copyToParquetFile(con, select, path);
  if (days.length === 0) {
    if (replace) await copy(`SELECT ${columns} FROM ${relation} WHERE false`, emptyDayFile(target));
    return [];
  }
  for (const { day } of days) {
    await copy(
      `SELECT ${columns} FROM ${relation} WHERE ${onDay(timeColumn, day)}${orderBy ? ` ORDER BY ${orderBy}` : ''}`,
      replace ? dayFile(target, day) : batch.add(dayFile(dir, day)),
    );
  }
  if (!replace && existsSync(emptyDayFile(dir))) batch.remove(emptyDayFile(dir));
  return days.map((d) => d.day);
}

/**
 * Turns the single Parquet file `file` (as an older shoplab wrote a table) into the day files of
 * `dir`, each day's rows in the file's order, and removes it, all or nothing. Does nothing when
 * `dir` already holds days or there is no such file; returns whether it converted one.
 */
export async function splitIntoDays(file: string, timeColumn: string, dir: string): Promise<boolean> {
  if (isDaysFolder(dir) || !existsSync(file)) return false;
  const batch = new AtomicBatch();
  try {
    await withDuckDB((con) =>
      copyDaysToParquet(con, `read_parquet(${sqlString(file)}, file_row_number = true)`, timeColumn, dir, batch, {
        replace: true,
        orderBy: 'file_row_number',
        columns: '* EXCLUDE (file_row_number)',
      }),
    );
    batch.remove(file);
    batch.commit();
    return true;
  } finally {
    batch.discard();
  }
}
