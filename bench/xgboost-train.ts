/**
 * One side of the XGBoost comparison: trains on a matrix exported by bench/xgboost.ts through our
 * binding and prints the times and peak memory as JSON. Run by bench/xgboost.ts, not by hand.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DMatrix, train } from '../lib/xgboost/index';

const dir = process.argv[2];
const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as {
  rows: number;
  cols: number;
  rounds: number;
  params: Record<string, string | number>;
  groups: boolean;
};
const f32 = (name: string) => {
  const b = readFileSync(join(dir, name));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
const values = f32('x.f32');
const labels = f32('y.f32');
const groups = meta.groups
  ? (() => {
      const b = readFileSync(join(dir, 'group.u32'));
      return new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    })()
  : undefined;
const t0 = performance.now();
const matrix = new DMatrix(values, meta.rows, meta.cols, { labels, groups, nthread: Number(meta.params.nthread) });
const t1 = performance.now();
const { booster } = train(meta.params, matrix, { rounds: meta.rounds });
const t2 = performance.now();
const prediction = booster.predict(matrix).values;
let checksum = 0;
for (let i = 0; i < prediction.length; i++) checksum += prediction[i];
process.stdout.write(
  `${JSON.stringify({ dmatrix_seconds: (t1 - t0) / 1000, train_seconds: (t2 - t1) / 1000, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024), checksum })}\n`,
);
