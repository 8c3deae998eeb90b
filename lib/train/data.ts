import type { DuckDBConnection } from '@duckdb/node-api';

import type { FloatMatrix } from '../columns';
import { queryRows, readMatrix, readNumbers, toNumber } from '../io/index';

/** One split of a family's training set, ready for a model: features as float32, labels, and what evaluation needs. */
export interface SplitData {
  matrix: FloatMatrix<Float32Array>;
  labels: Float64Array;
  /** Ranking: sizes of consecutive search groups. */
  groups?: Uint32Array;
  /** Per row: what the baseline and the oracle need (historical CTR, brand, truth), from `extras`. */
  extras: Record<string, (number | string | null)[]>;
}

/** A family's three splits and the ordered feature names the model sees. */
export interface FamilyData {
  train: SplitData;
  valid: SplitData;
  test: SplitData;
  /** Every model column, in order. */
  features: string[];
}

/** How a family's rows are read: their order, label, and the columns the baseline and oracle use. */
export interface FamilyReader {
  /** SQL over `x` (the training-set file) with any joins, ordered so groups are contiguous. */
  from: (file: string, raw: RawTables) => string;
  order: string;
  /** SQL of the numeric label. */
  label: string;
  extras: Record<string, string>;
  /** Extras from the truth tables (alias `t`), read only when the world has them. */
  truth: Record<string, string>;
  /** SQL aggregates over the file (alias `x`) counting its examples and positives, in the family's units (lib/train/requirements). */
  count: { examples: string; positives: string };
  /** Which truth table (`raw`'s key) the truth columns come from. */
  truthTable?: 'truthImpressions' | 'truthSessions';
  /** The extra holding each row's group key: rows come in contiguous groups (ranking searches). */
  groupBy?: string;
  /** SQL of the key a sample keeps or drops whole (a search, a session, a product). */
  sampleKey: string;
}

/** Raw tables a reader may join: the truth of synthetic worlds, and products. */
export interface RawTables {
  products: string;
  truthImpressions?: string;
  truthSessions?: string;
}

let tables = 0;

/** SQL types whose every value a JS number holds exactly, as DuckDB's client gives it (BIGINT only below 2^53). */
const EXACT_NUMBER_TYPES = new Set([
  'TINYINT',
  'SMALLINT',
  'INTEGER',
  'UTINYINT',
  'USMALLINT',
  'UINTEGER',
  'FLOAT',
  'DOUBLE',
]);

/**
 * SQL keeping a share `sample` (0 to 1) of a split's keys, whole (every row of a kept search), chosen
 * by a hash of the key: the same rows on every run. Empty for 1.
 */
export function sampleWhere(reader: Pick<FamilyReader, 'sampleKey'>, sample: number): string {
  if (!(sample > 0 && sample <= 1)) throw new Error(`sample must be in (0, 1], got ${sample}`);
  return sample === 1 ? '' : `WHERE hash(${reader.sampleKey}) % 1000000 < ${Math.round(sample * 1_000_000)}`;
}

/**
 * Reads one split of a family's training set: the dense features named in `features` (the
 * manifest's order) as float32, the label, ranking groups and the extras columns.
 */
export async function readSplit(
  con: DuckDBConnection,
  reader: FamilyReader,
  file: string,
  raw: RawTables,
  features: string[],
  sample = 1,
): Promise<SplitData> {
  const hasTruth = reader.truthTable !== undefined && raw[reader.truthTable] !== undefined;
  const available = Object.entries({ ...reader.extras, ...(hasTruth ? reader.truth : {}) });
  // Only the columns read below are kept: the features, the label and the extras (not every column
  // of the set, such as its session ids: a month's 11 M purchase rows sort in 5 s instead of 10 s).
  const sql = `SELECT ${features.map((f) => `x."${f}"`).join(', ')}, ${reader.label} AS label, ${available.map(([name, expr]) => `${expr} AS "__${name}"`).join(', ')}
    FROM ${reader.from(file, raw)} ${sampleWhere(reader, sample)} ORDER BY ${reader.order}`;
  // A table per call, so several splits may be read at once on one connection.
  const table = `split_rows_${++tables}`;
  await con.run(`CREATE TEMP TABLE ${table} AS ${sql}`);
  const { matrix, labels } = await readMatrix(con, `SELECT * FROM ${table}`, features, 'label', Float32Array);
  const extras: SplitData['extras'] = {};
  if (available.length) {
    // Numeric extras as typed columns (a month's 11 M purchase cuts in 0.5 s instead of 6 s); text,
    // and integers a JS number cannot hold exactly (which toNumber names), through the client's values.
    const types = new Map(
      (await queryRows(con, `SELECT column_name, column_type FROM (DESCRIBE ${table})`)).map((r) => [
        String(r.column_name),
        String(r.column_type),
      ]),
    );
    const exact = async (column: string) => {
      const type = types.get(column) ?? '';
      if (EXACT_NUMBER_TYPES.has(type)) return true;
      if (type !== 'BIGINT') return false;
      const sql = `SELECT count(*) AS n FROM ${table} WHERE "${column}" NOT BETWEEN ${-Number.MAX_SAFE_INTEGER} AND ${Number.MAX_SAFE_INTEGER}`;
      return toNumber((await queryRows(con, sql))[0].n) === 0;
    };
    const generic: string[] = [];
    // In the extras' order; the generic ones are filled in below.
    for (const [name] of available) {
      if (await exact(`__${name}`)) extras[name] = await readNumbers(con, `SELECT "__${name}" FROM ${table}`);
      else {
        extras[name] = [];
        generic.push(name);
      }
    }
    if (generic.length) {
      const reader2 = await con.runAndReadAll(
        `SELECT ${generic.map((name) => `"__${name}"`).join(', ')} FROM ${table}`,
      );
      const columns = reader2.getColumnsJS();
      generic.forEach((name, j) => {
        extras[name] = (columns[j] ?? []).map((v) =>
          v === null
            ? null
            : typeof v === 'bigint'
              ? toNumber(v)
              : typeof v === 'number' || typeof v === 'string'
                ? v
                : String(v),
        );
      });
    }
  }
  const data: SplitData = { matrix, labels, extras };
  if (reader.groupBy) data.groups = groupSizes(extras[reader.groupBy]);
  await con.run(`DROP TABLE ${table}`);
  return data;
}

/** Sizes of runs of equal consecutive keys. */
export function groupSizes(keys: ArrayLike<unknown>): Uint32Array {
  const sizes: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && keys[i] === keys[i - 1]) sizes[sizes.length - 1]++;
    else sizes.push(1);
  }
  return Uint32Array.from(sizes);
}

/** The first rows of a split, at most `maxRows` and whole ranking groups only (a smaller training set for notebooks). */
export function headRows(data: SplitData, maxRows: number): SplitData {
  let rows = Math.min(maxRows, data.labels.length);
  let groups = data.groups;
  if (groups) {
    let kept = 0;
    let g = 0;
    while (g < groups.length && kept + groups[g] <= rows) kept += groups[g++];
    rows = kept;
    groups = groups.slice(0, g);
  }
  const p = data.matrix.features.length;
  return {
    matrix: { features: data.matrix.features, rows, values: data.matrix.values.slice(0, rows * p) },
    labels: data.labels.slice(0, rows),
    groups,
    extras: Object.fromEntries(Object.entries(data.extras).map(([k, v]) => [k, v.slice(0, rows)])),
  };
}

/** Candidate groups (one ranking query each: rows × `features` values, and a label per row) stacked into one split. */
export function stackGroups(
  groups: readonly { features: Float32Array; labels: ArrayLike<number> }[],
  features: readonly string[],
): SplitData {
  const width = features.length;
  const rows = groups.reduce((n, g) => n + g.labels.length, 0);
  const values = new Float32Array(rows * width);
  const labels = new Float64Array(rows);
  let at = 0;
  for (const g of groups) {
    values.set(g.features, at * width);
    labels.set(g.labels, at);
    at += g.labels.length;
  }
  return {
    matrix: { values, rows, features: [...features] } as SplitData['matrix'],
    labels,
    groups: Uint32Array.from(groups, (g) => g.labels.length),
    extras: {},
  };
}
