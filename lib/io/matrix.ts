import type { DuckDBConnection } from '@duckdb/node-api';
import type { Matrix } from '../models/logistic';

/**
 * Reads a query's feature columns into a row-major Float64Array (NULL → NaN) and its label
 * column into a Float64Array.
 */
export async function readMatrix(con: DuckDBConnection, sql: string, features: string[], label: string): Promise<{ matrix: Matrix; labels: Float64Array }> {
  const reader = await con.runAndReadAll(`SELECT ${features.map((f) => `CAST("${f}" AS DOUBLE) AS "${f}"`).join(', ')}, CAST("${label}" AS DOUBLE) AS __label FROM (${sql})`);
  const columns = reader.getColumnsJS() as (number | null)[][];
  const rows = reader.currentRowCount;
  const p = features.length;
  const values = new Float64Array(rows * p);
  for (let j = 0; j < p; j++) {
    const column = columns[j];
    for (let i = 0; i < rows; i++) values[i * p + j] = column[i] ?? NaN;
  }
  const labels = Float64Array.from(columns[p], (v) => v ?? NaN);
  return { matrix: { features, rows, values }, labels };
}
