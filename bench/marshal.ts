/** Prints how fast a features table marshals into a Float32Array: `npx tsx bench/marshal.ts [rows] [features]`. */
import { withDuckDB } from '../lib/io/index';
import { readMatrix } from '../lib/io/index';
import { report } from './report';

const rows = Number(process.argv[2] ?? 5_000_000);
const features = Number(process.argv[3] ?? 40);
const names = Array.from({ length: features }, (_, j) => `f${j}`);
await withDuckDB(async (con) => {
  await con.run(
    `CREATE TABLE t AS SELECT ${names.map((n, j) => `CAST(hash(i, ${j}) % 1000 AS FLOAT) / 7 AS ${n}`).join(', ')}, (i % 5 = 0)::INTEGER AS label FROM range(${rows}) r(i)`,
  );
  const t0 = performance.now();
  const { matrix } = await readMatrix(con, 'SELECT * FROM t', names, 'label', Float32Array);
  const seconds = (performance.now() - t0) / 1000;
  report('marshal', {
    rows: matrix.rows,
    features,
    seconds,
    values_per_second: Math.round((matrix.rows * features) / seconds),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  });
});
