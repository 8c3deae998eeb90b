import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { AtomicBatch, queryRows, sqlString, withDuckDB } from './duckdb';

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
const dayStart = (day: string) => `TIMESTAMP ${sqlString(`${day} 00:00:00`)}`;

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
  const copy = async (select: string, path: string) =>
    con.run(`COPY (${select}) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`);
  if (days.length === 0) {
    if (replace) await copy(`SELECT ${columns} FROM ${relation} WHERE false`, join(target, EMPTY_FILE));
    return [];
  }
  for (const { day } of days) {
    const file = `${day}.parquet`;
    await copy(
      `SELECT ${columns} FROM ${relation} WHERE ${onDay(timeColumn, day)}${orderBy ? ` ORDER BY ${orderBy}` : ''}`,
      replace ? join(target, file) : batch.add(join(dir, file)),
    );
  }
  if (!replace && existsSync(join(dir, EMPTY_FILE))) batch.remove(join(dir, EMPTY_FILE));
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
