import { existsSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';

import type { DataCatalog } from '../catalog';
import { parquetSql, readBlocks, withDuckDB, writeBlocks } from '../io/index';
import { readSortedPairs, servingStoreStamp, type SortedPairs } from './ranking-index';

/**
 * The purchase features' user history as the service reads it: the serving store's `user_totals`
 * (each user's running totals, one row per day with events) as sorted pairs, user id × the day's
 * time in ms → sessions and purchases so far. The features stage writes it to a blocks file beside
 * the ranking index; a service with another store reads the table instead.
 */
export interface PurchaseIndex {
  /** The store this index was computed from (see `servingStoreStamp`); '' when computed in place. */
  stamp: string;
  /** outer: user id; inner: `upto` in ms, ascending; values: sessions, purchases. */
  history: SortedPairs;
}

/** Reads `user_totals` (on `con`) into the index. */
export async function buildPurchaseIndex(con: DuckDBConnection, stamp = ''): Promise<PurchaseIndex> {
  const history = await readSortedPairs(
    con,
    `SELECT user_id AS outer_key, epoch_ms(upto) AS inner_key, coalesce(sessions, 0) AS v0, coalesce(purchases, 0) AS v1
    FROM user_totals WHERE user_id IS NOT NULL ORDER BY user_id, upto`,
    2,
  );
  return { stamp, history };
}

/** The version of the file's layout: a file of another is rebuilt, not misread. */
const FORMAT = 1;

/** Writes the index to a blocks file (atomically). */
export function savePurchaseIndex(path: string, index: PurchaseIndex): void {
  const { outer, start, inner, values } = index.history;
  writeBlocks(path, { format: FORMAT, stamp: index.stamp }, { outer, start, inner, values });
}

/** Reads a file written by `savePurchaseIndex`; null when it was computed from another store than `stamp` says. */
export function loadPurchaseIndex(path: string, stamp: string): PurchaseIndex | null {
  const { meta, blocks } = readBlocks(path);
  const m = meta as { format: number; stamp: string };
  if (m?.format !== FORMAT || m.stamp !== stamp) return null;
  return {
    stamp,
    history: {
      outer: blocks.outer as Float64Array,
      start: blocks.start as Int32Array,
      inner: blocks.inner as Float64Array,
      values: blocks.values as Float64Array,
      width: 2,
    },
  };
}

/**
 * The data folder's purchase index file when it was computed from the store as it is now (`stamp`:
 * `servingStoreStamp`), else null (an unreadable file is said on stderr).
 */
export function readPurchaseIndex(catalog: DataCatalog, stamp = servingStoreStamp(catalog)): PurchaseIndex | null {
  const path = catalog.features.storePurchaseIndex;
  if (!existsSync(path)) return null;
  try {
    return loadPurchaseIndex(path, stamp);
  } catch (e) {
    process.stderr.write(`serve: ${(e as Error).message}\n`);
    return null;
  }
}

/** Computes the data folder's purchase index from its store's `user_totals` and writes the file the service reads; null without the table. */
export async function writePurchaseIndex(catalog: DataCatalog): Promise<PurchaseIndex | null> {
  const file = catalog.features.store('user_totals');
  if (!existsSync(file)) return null;
  return withDuckDB(async (con) => {
    // Read from the file as the query needs it, not loaded into a table first (the month's 10.6 M rows: 2.4 s and 1 GB).
    await con.run(`CREATE VIEW user_totals AS SELECT * FROM ${parquetSql(file)}`);
    const index = await buildPurchaseIndex(con, servingStoreStamp(catalog));
    savePurchaseIndex(catalog.features.storePurchaseIndex, index);
    return index;
  });
}
