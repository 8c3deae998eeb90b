import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import duckdb from '@duckdb/node-bindings';
import { DOUBLE, DuckDBConnection, DuckDBDataChunk, DuckDBInstance, type DuckDBType, INTEGER, UTINYINT, type DuckDBValue } from '@duckdb/node-api';
import type { NumericArray } from '../columns';

export interface DuckDBOptions {
  /** Worker threads; fixed by default so results and files do not depend on the machine. */
  threads?: number;
  memoryLimit?: string;
}

/** Opens an in-memory DuckDB, runs `fn` with a connection, and always closes it. */
export async function withDuckDB<T>(fn: (con: DuckDBConnection) => Promise<T>, options: DuckDBOptions = {}): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(options.threads ?? 2),
    ...(options.memoryLimit ? { memory_limit: options.memoryLimit } : {}),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const con = await instance.connect();
  try {
    return await fn(con);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

export interface ColumnSpec {
  name: string;
  type: DuckDBType;
  values: NumericArray | readonly DuckDBValue[];
}

const TYPED: [DuckDBType, new (n: number) => NumericArray][] = [[DOUBLE, Float64Array], [INTEGER, Int32Array], [UTINYINT, Uint8Array]];

/**
 * Creates table `name` and fills it from columns. Typed arrays whose element type matches the
 * column type are copied into DuckDB vectors in bulk, 2048 rows at a time.
 */
export async function createTableFromColumns(con: DuckDBConnection, name: string, columns: ColumnSpec[]): Promise<void> {
  const rows = columns[0]?.values.length ?? 0;
  for (const c of columns) {
    if (c.values.length !== rows) throw new Error(`column ${c.name} has ${c.values.length} values, expected ${rows}`);
    if (ArrayBuffer.isView(c.values)) {
      const match = TYPED.find(([t]) => t.typeId === c.type.typeId);
      if (!match || !(c.values instanceof match[1])) throw new Error(`column ${c.name}: a ${c.values.constructor.name} cannot fill a ${c.type} column`);
    }
  }
  await con.run(`CREATE TABLE ${name} (${columns.map((c) => `"${c.name}" ${c.type}`).join(', ')})`);
  const appender = await con.createAppender(name);
  const raw = duckdb.create_data_chunk(columns.map((c) => c.type.toLogicalType().logical_type));
  const size = duckdb.vector_size();
  for (let offset = 0; offset < rows; offset += size) {
    const n = Math.min(size, rows - offset);
    duckdb.data_chunk_reset(raw);
    duckdb.data_chunk_set_size(raw, n);
    // A fresh wrapper per chunk: it caches vector views sized to the chunk.
    const chunk = new DuckDBDataChunk(raw);
    columns.forEach((c, index) => {
      const v = c.values;
      if (ArrayBuffer.isView(v)) {
        const width = v.BYTES_PER_ELEMENT;
        duckdb.copy_data_to_vector(duckdb.data_chunk_get_vector(raw, index), 0, v.buffer as ArrayBuffer, v.byteOffset + offset * width, n * width);
      } else {
        chunk.setColumnValues(index, v.slice(offset, offset + n));
      }
    });
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
}

/** Path of the temporary file a write goes to before it is renamed into place. */
export const temporaryPath = (path: string) => `${path}.tmp-${process.pid}`;

/**
 * Writes `path` through a temporary file renamed into place, so a failed or killed write never
 * leaves a half-written artifact.
 */
export async function writeAtomically(path: string, write: (tmp: string) => Promise<void> | void): Promise<void> {
  const batch = new AtomicBatch();
  try {
    await write(batch.add(path));
    batch.commit();
  } finally {
    batch.discard();
  }
}

/**
 * Several files written to temporary paths and renamed into place together at `commit`, so
 * readers see all of a stage's outputs or none of the new ones.
 */
export class AtomicBatch {
  private readonly pending = new Map<string, string>();

  /** Registers `path` and returns the temporary path to write it to. */
  add(path: string): string {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = temporaryPath(path);
    this.pending.set(path, tmp);
    return tmp;
  }

  commit(): void {
    for (const [path, tmp] of this.pending) renameSync(tmp, path);
    this.pending.clear();
  }

  /** Removes whatever was not committed (safe to call after commit). */
  discard(): void {
    for (const tmp of this.pending.values()) rmSync(tmp, { force: true, recursive: true });
    this.pending.clear();
  }
}

/** Runs `select` and writes its rows to the Parquet file `path` as part of `batch`. */
export async function copyToParquet(con: DuckDBConnection, select: string, path: string, batch: AtomicBatch): Promise<void> {
  await con.run(`COPY (${select}) TO ${sqlString(batch.add(path))} (FORMAT parquet, COMPRESSION zstd)`);
}

/** A SQL string literal. */
export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Converts DuckDB's BIGINT (bigint) and other values into plain JSON-friendly numbers. */
export function toNumber(value: unknown): number {
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new Error(`${value} does not fit a JS number exactly`);
    return Number(value);
  }
  if (typeof value === 'number') return value;
  if (value === null || value === undefined) return NaN;
  return Number(String(value));
}

/** Runs a query and returns its rows as objects, with BIGINT converted to numbers. */
export async function queryRows(con: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await con.runAndReadAll(sql);
  return reader.getRowObjectsJS().map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? toNumber(v) : v])),
  );
}
