import type { DuckDBConnection } from '@duckdb/node-api';

import { queryRows } from './duckdb';

/**
 * The tables (or views) a library function reads from and writes to on a shared DuckDB connection:
 * its contract with the code around it, as data. `requireTables` checks the reads before the
 * function runs, so a missing table is named, not a DuckDB catalog error deep inside its SQL.
 */
export interface TableContract {
  /** Tables that must exist before the call. */
  reads: readonly string[];
  /** Tables read when present (a log without searches has no impressions). */
  optional?: readonly string[];
  /** Tables the call creates or replaces. */
  writes: readonly string[];
}

/** The tables and views on `con`, by unqualified name. */
export async function tablesOn(con: DuckDBConnection): Promise<Set<string>> {
  const rows = await queryRows(
    con,
    'SELECT table_name AS name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views() WHERE NOT internal',
  );
  return new Set(rows.map((r) => String(r.name)));
}

/** Throws an Error naming `fn` and every table of `contract.reads` that `con` lacks. */
export async function requireTables(con: DuckDBConnection, fn: string, contract: TableContract): Promise<void> {
  const present = await tablesOn(con);
  const missing = contract.reads.filter((t) => !present.has(t));
  if (missing.length) {
    throw new Error(
      `${fn} reads tables ${contract.reads.join(', ')} on its connection; missing: ${missing.join(', ')}`,
    );
  }
}
