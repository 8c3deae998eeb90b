import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import duckdb from '@duckdb/node-bindings';
import {
  DuckDBConnection,
  DuckDBEnumType,
  DuckDBInstance,
  DuckDBTableFunction,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { NumericArray } from '../columns';
import { duckDBResources } from '../resources';

export interface DuckDBOptions {
  /** Worker threads; fixed by default so results and files do not depend on the machine. */
  threads?: number;
  /** DuckDB's memory_limit (`8GB`, `512MB`); beyond it, large operators spill to `tempDirectory`. Default: `duckDBResources()`. */
  memoryLimit?: string;
  /** Where DuckDB spills. Default: `duckDBResources()`. */
  tempDirectory?: string;
}

/** Opens an in-memory DuckDB, runs `fn` with a connection, and always closes it. */
export async function withDuckDB<T>(
  fn: (con: DuckDBConnection, instance: DuckDBInstance) => Promise<T>,
  options: DuckDBOptions = {},
): Promise<T> {
  const { con, instance, close } = await openDuckDB(options);
  try {
    return await fn(con, instance);
  } finally {
    close();
  }
}

/** An in-memory DuckDB connection that outlives one call (the service's); `close()` ends it. */
export async function openDuckDB(
  options: DuckDBOptions = {},
): Promise<{ con: DuckDBConnection; instance: DuckDBInstance; close: () => void }> {
  const resources = duckDBResources();
  const tempDirectory = options.tempDirectory ?? resources.tempDirectory;
  // DuckDB makes the spill directory itself when it first spills, but not its parents.
  if (tempDirectory) mkdirSync(dirname(tempDirectory), { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(options.threads ?? 2),
    memory_limit: options.memoryLimit ?? resources.memoryLimit,
    ...(tempDirectory ? { temp_directory: tempDirectory } : {}),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const con = await instance.connect();
  return {
    con,
    instance,
    close: () => {
      con.closeSync();
      instance.closeSync();
    },
  };
}

export interface ColumnSpec {
  name: string;
  type: DuckDBType;
  values: NumericArray | Uint16Array | Uint32Array | Float32Array | BigInt64Array | readonly DuckDBValue[];
  /** Row r of the column is `values[at[r]]` (a lookup, say by a foreign key); by default `values[r]`. */
  at?: Int32Array;
}

/** Typed arrays that can fill a column by memory copy, by the column's (internal) type. */
const TYPED_ARRAY_FOR: Partial<Record<DuckDBTypeId, new (n: number) => ArrayBufferView>> = {
  [DuckDBTypeId.DOUBLE]: Float64Array,
  [DuckDBTypeId.FLOAT]: Float32Array,
  [DuckDBTypeId.BIGINT]: BigInt64Array,
  [DuckDBTypeId.INTEGER]: Int32Array,
  [DuckDBTypeId.UTINYINT]: Uint8Array,
  [DuckDBTypeId.USMALLINT]: Uint16Array,
  [DuckDBTypeId.UINTEGER]: Uint32Array,
};

/** The typed array whose elements have a column type's memory layout (ENUMs by their code width). */
export function typedArrayFor(type: DuckDBType): (new (n: number) => ArrayBufferView) | undefined {
  return TYPED_ARRAY_FOR[type instanceof DuckDBEnumType ? type.internalTypeId : type.typeId];
}

type Gatherable = { [k: number]: number | bigint; length: number };

/** Rows of a column scan: `columns`, or with `rows`, those rows of them in that order. */
export interface ScanSegment {
  columns: ColumnSpec[];
  rows?: Int32Array;
}

/**
 * Registers table function `name()` that scans JS columns, so a query (a COPY to Parquet, say)
 * reads them without first appending them into a DuckDB table. Typed arrays whose layout
 * matches the column type are copied into DuckDB vectors in bulk, 2048 rows at a time; an ENUM
 * column takes its codes. With `rows`, the scan gives those rows, in that order (a day's rows
 * of a table, say), gathered a vector at a time without copying the columns; a column's `at`
 * looks its values up the same way. The scan runs on one thread, in row order.
 */
export function registerColumnScan(
  con: DuckDBConnection,
  name: string,
  columns: ColumnSpec[],
  rows?: Int32Array,
): void {
  registerSegmentScan(con, name, [{ columns, rows }]);
}

/**
 * `registerColumnScan` over several sets of columns with the same names and types, one after
 * another: a table held in parts (a generated world's shards), read as one without
 * concatenating them, which on a large table costs as much as the scan itself (fresh memory).
 */
export function registerSegmentScan(con: DuckDBConnection, name: string, segments: ScanSegment[]): void {
  if (segments.length === 0) throw new Error(`scan ${name} needs at least one segment`);
  const schema = segments[0].columns;
  const counts = segments.map(({ columns, rows }, k) => {
    const tableRows = columns[0]?.at?.length ?? columns[0]?.values.length ?? 0;
    if (columns.length !== schema.length)
      throw new Error(`scan ${name}: segment ${k} has ${columns.length} columns, expected ${schema.length}`);
    columns.forEach((c, j) => {
      if (c.name !== schema[j].name || String(c.type) !== String(schema[j].type))
        throw new Error(
          `scan ${name}: segment ${k}'s column ${j} is ${c.name} ${c.type}, expected ${schema[j].name} ${schema[j].type}`,
        );
      const length = c.at?.length ?? c.values.length;
      if (length !== tableRows) throw new Error(`column ${c.name} has ${length} values, expected ${tableRows}`);
      if (ArrayBuffer.isView(c.values) && !(c.values instanceof (typedArrayFor(c.type) ?? class {}))) {
        throw new Error(`column ${c.name}: a ${c.values.constructor.name} cannot fill a ${c.type} column`);
      }
    });
    return rows?.length ?? tableRows;
  });
  const count = counts.reduce((a, b) => a + b, 0);
  const size = duckdb.vector_size();
  // A vector's worth of gathered values per typed column, made when a segment first needs it.
  const scratch: (Gatherable | undefined)[] = schema.map(() => undefined);
  const fn = DuckDBTableFunction.create({
    name,
    bindFunction: (bind) => {
      for (const c of schema) bind.addResultColumn(c.name, c.type);
      bind.setCardinality(count, true);
    },
    initFunction: (init) => {
      init.setInitData({ segment: 0, offset: 0 });
      init.setMaxThreads(1);
    },
    mainFunction: (info, out) => {
      // A full vector whenever rows remain, filled across segment boundaries, so the chunks
      // (and the Parquet files written from them) are the same however a table is cut in parts.
      const state = info.initData as { segment: number; offset: number };
      const pieces: { segment: ScanSegment; start: number; n: number; at: number }[] = [];
      let filled = 0;
      while (filled < size && state.segment < segments.length) {
        const n = Math.min(size - filled, counts[state.segment] - state.offset);
        if (n > 0) pieces.push({ segment: segments[state.segment], start: state.offset, n, at: filled });
        filled += n;
        state.offset += n;
        if (state.offset >= counts[state.segment]) {
          state.segment++;
          state.offset = 0;
        }
      }
      out.rowCount = filled;
      if (filled === 0) return;
      try {
        schema.forEach((c, index) => {
          const vector = duckdb.data_chunk_get_vector(out.chunk, index);
          if (!ArrayBuffer.isView(c.values)) {
            const values: DuckDBValue[] = [];
            for (const { segment, start, n } of pieces) {
              const { values: list, at } = segment.columns[index] as {
                values: readonly DuckDBValue[];
                at?: Int32Array;
              };
              const rows = segment.rows;
              for (let i = start; i < start + n; i++) {
                const r = rows === undefined ? i : rows[i];
                values.push(list[at === undefined ? r : at[r]]);
              }
            }
            out.setColumnValues(index, values);
            return;
          }
          for (const { segment, start, n, at: offset } of pieces) {
            const v = segment.columns[index].values as unknown as Float64Array;
            const at = segment.columns[index].at;
            const rows = segment.rows;
            const width = v.BYTES_PER_ELEMENT;
            if (rows === undefined && at === undefined) {
              duckdb.copy_data_to_vector(
                vector,
                offset * width,
                v.buffer as ArrayBuffer,
                v.byteOffset + start * width,
                n * width,
              );
              continue;
            }
            const buffer = (scratch[index] ??= new (v.constructor as new (n: number) => Gatherable)(size));
            const values = v as unknown as Gatherable;
            if (rows === undefined) for (let i = 0; i < n; i++) buffer[i] = values[at![start + i]];
            else if (at === undefined) for (let i = 0; i < n; i++) buffer[i] = values[rows[start + i]];
            else for (let i = 0; i < n; i++) buffer[i] = values[at[rows[start + i]]];
            const view = buffer as unknown as Float64Array;
            duckdb.copy_data_to_vector(vector, offset * width, view.buffer as ArrayBuffer, view.byteOffset, n * width);
          }
        });
      } catch (error) {
        info.setError(`${name}: ${(error as Error).message}`);
      }
    },
  });
  con.registerTableFunction(fn);
}

/** Path of the temporary file a write goes to before it is renamed into place. */
const temporaryPath = (path: string) => `${path}.tmp-${process.pid}`;

/**
 * Several files written to temporary paths and renamed into place together at `commit`, so
 * readers see all of a stage's outputs or none of the new ones.
 */
export class AtomicBatch {
  private readonly pending = new Map<string, string>();
  private readonly removals = new Set<string>();

  /** Registers `path` and returns the temporary path to write it to. */
  add(path: string): string {
    mkdirSync(dirname(path), { recursive: true });
    // A killed run leaves its temporary file behind; it is never read, and goes now.
    const stale = `${basename(path)}.tmp-`;
    for (const name of readdirSync(dirname(path)))
      if (name.startsWith(stale)) rmSync(join(dirname(path), name), { force: true, recursive: true });
    const tmp = temporaryPath(path);
    this.pending.set(path, tmp);
    return tmp;
  }

  /** Registers the folder `path`, to be replaced whole by what is written into the (new, empty) folder returned. */
  addDir(path: string): string {
    const tmp = this.add(path);
    mkdirSync(tmp);
    return tmp;
  }

  /** Registers `path` to be removed at commit. */
  remove(path: string): void {
    this.removals.add(path);
  }

  commit(): void {
    for (const [path, tmp] of this.pending) {
      if (statSync(tmp).isDirectory() && existsSync(path)) {
        // A folder is replaced whole: the old one moves aside, the new one in, the old one goes.
        const old = `${path}.tmp-old-${process.pid}`;
        rmSync(old, { force: true, recursive: true });
        renameSync(path, old);
        renameSync(tmp, path);
        rmSync(old, { force: true, recursive: true });
      } else renameSync(tmp, path);
    }
    for (const path of this.removals) rmSync(path, { force: true, recursive: true });
    this.pending.clear();
    this.removals.clear();
  }

  /** Removes whatever was not committed (safe to call after commit). */
  discard(): void {
    for (const tmp of this.pending.values()) rmSync(tmp, { force: true, recursive: true });
    this.pending.clear();
    this.removals.clear();
  }
}

/** Runs `select` and writes its rows to the Parquet file `path` as part of `batch`. */
export async function copyToParquet(
  con: DuckDBConnection,
  select: string,
  path: string,
  batch: AtomicBatch,
): Promise<void> {
  await copyToParquetFile(con, select, batch.add(path));
}

/** Runs `select` and writes its rows to the Parquet file `path` directly (a path a batch handed out). */
export async function copyToParquetFile(con: DuckDBConnection, select: string, path: string): Promise<void> {
  await con.run(`COPY (${select}) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`);
}

/** A SQL string literal. */
export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** SQL reading a Parquet file. */
export const parquetSql = (path: string) => `read_parquet(${sqlString(path)})`;

/** Converts DuckDB's BIGINT (bigint) and other values into plain JSON-friendly numbers. */
export function toNumber(value: unknown): number {
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
      throw new Error(`${value} does not fit a JS number exactly`);
    return Number(value);
  }
  if (typeof value === 'number') return value;
  if (value === null || value === undefined) return NaN;
  return Number(String(value));
}

/** Runs a query and returns its rows as objects, with BIGINT converted to numbers. */
export async function queryRows(con: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await con.runAndReadAll(sql);
  return reader
    .getRowObjectsJS()
    .map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? toNumber(v) : v])),
    );
}
