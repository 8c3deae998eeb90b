/**
 * Our XGBoost binding against the same library through Python (Debian python3-xgboost, used only
 * here): identical matrices, parameters and rounds, each side in its own process, runs alternated.
 * `npx tsx bench/xgboost.ts [--data DIR] [--rounds N] [--repeats N]`; needs the features stage's output.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataCatalog } from '../lib/catalog';
import { parseFlags } from '../lib/cli';
import { FAMILIES, loadTrainConfig, type SetModelFamily } from '../lib/families/index';
import { loadFamilyData, resolveParams } from '../lib/train/index';
import { benchDir, report } from './report';

const flags = parseFlags('npx tsx bench/xgboost.ts [--data DIR] [--rounds N] [--repeats N]', {
  data: { type: 'string', default: 'data', description: 'a data folder with features (make data)' },
  rounds: { type: 'string', default: '100', description: 'boosting rounds, no early stopping' },
  repeats: { type: 'string', default: '3', description: 'runs per side; the median is reported' },
  families: { type: 'string', default: 'purchase,ranking', description: 'training sets to compare on' },
});
const PYTHON = '/usr/bin/python3';
if (spawnSync(PYTHON, ['-c', 'import xgboost']).status !== 0) {
  process.stderr.write(
    `bench/xgboost: ${PYTHON} cannot import xgboost; install it for this benchmark: apt-get install python3-xgboost\n`,
  );
  process.exit(2);
}
const config = loadTrainConfig();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const family of flags.families.split(',') as ('ranking' | 'purchase')[]) {
  const spec: SetModelFamily = FAMILIES[family] as SetModelFamily;
  const data = await loadFamilyData(dataCatalog(flags.data), spec);
  const dir = join(benchDir(), `xgboost-${family}`);
  mkdirSync(dir, { recursive: true });
  const { train } = data;
  writeFileSync(join(dir, 'x.f32'), train.matrix.values);
  writeFileSync(join(dir, 'y.f32'), Float32Array.from(train.labels));
  if (train.groups) writeFileSync(join(dir, 'group.u32'), train.groups);
  const params = resolveParams(config.families[family], config, data);
  writeFileSync(
    join(dir, 'meta.json'),
    JSON.stringify({
      rows: train.matrix.rows,
      cols: train.matrix.features.length,
      rounds: Number(flags.rounds),
      params,
      groups: Boolean(train.groups),
    }),
  );
  const runs: Record<
    'node' | 'python',
    { dmatrix_seconds: number; train_seconds: number; peak_rss_mb: number; checksum: number }[]
  > = { node: [], python: [] };
  for (let r = 0; r < Number(flags.repeats); r++) {
    // Alternate which side goes first, so drift in the machine's speed falls on both.
    for (const side of r % 2 === 0 ? (['node', 'python'] as const) : (['python', 'node'] as const)) {
      const command =
        side === 'node'
          ? ([join('node_modules', '.bin', 'tsx'), [join('bench', 'xgboost-train.ts'), dir]] as const)
          : ([PYTHON, [join('bench', 'xgboost_train.py'), dir]] as const);
      const run = spawnSync(command[0], [...command[1]], {
        encoding: 'utf8',
        env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
      });
      if (run.status !== 0) throw new Error(`${side} run failed: ${run.stderr}`);
      runs[side].push(JSON.parse(run.stdout.trim().split('\n').at(-1)!));
    }
  }
  const [node, python] = [runs.node, runs.python].map((rs) => ({
    dmatrix: median(rs.map((r) => r.dmatrix_seconds)),
    train: median(rs.map((r) => r.train_seconds)),
    rss: median(rs.map((r) => r.peak_rss_mb)),
    checksum: rs[0].checksum,
  }));
  report(`xgboost-${family}`, {
    rows: train.matrix.rows,
    features: train.matrix.features.length,
    rounds: Number(flags.rounds),
    nthread: config.nthread,
    node_dmatrix_seconds: node.dmatrix,
    python_dmatrix_seconds: python.dmatrix,
    node_train_seconds: node.train,
    python_train_seconds: python.train,
    train_time_ratio: node.train / python.train,
    node_peak_rss_mb: node.rss,
    python_peak_rss_mb: python.rss,
    // Same predictions on both sides: the sums of the training predictions agree.
    prediction_sum_difference: Math.abs(node.checksum - python.checksum),
  });
}
