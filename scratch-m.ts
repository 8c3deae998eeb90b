import duckdb from '@duckdb/node-bindings';
import { withDuckDB } from './lib/io/duckdb';
import { readMatrix } from './lib/io/matrix';
const feats = ['views_1d', 'ctr_28d', 'days_since_last_purchase', 'user_recency_days'];
const sql = `SELECT *, (label > 0)::INTEGER AS relevant FROM read_parquet('.test-data/features/ranking_train.parquet')`;
await withDuckDB(async (con) => {
  const ref = await readMatrix(con, sql, feats, 'relevant');
  const p = feats.length;
  const result = await con.stream(`SELECT ${feats.map((f) => `CAST("${f}" AS DOUBLE) AS "${f}"`).join(', ')}, CAST(relevant AS DOUBLE) AS __label FROM (${sql})`);
  let row = 0, diffs = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const n = chunk.rowCount;
    for (let j = 0; j < p; j++) {
      const vector = duckdb.data_chunk_get_vector(chunk.chunk, j);
      const raw = duckdb.vector_get_data(vector, n * 8);
      const data = new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + n * 8));
      const validity = duckdb.vector_get_validity(vector, Math.ceil(n / 64) * 8);
      if (validity && validity.byteLength > 0) for (let i = 0; i < n; i++) if ((validity[i >> 3] & (1 << (i & 7))) === 0) data[i] = NaN;
      for (let i = 0; i < n; i++) { const a = data[i], b = ref.matrix.values[(row + i) * p + j]; if (!(a === b || (Number.isNaN(a) && Number.isNaN(b)))) { if (diffs++ < 5) console.log('diff', row + i, j, a, b, validity?.byteLength); } }
    }
    row += n;
  }
  console.log('rows', row, ref.matrix.rows, 'diffs', diffs);
});
