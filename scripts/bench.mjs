#!/usr/bin/env node
// Runs every benchmark in turn (make bench), each printing its figures; stops at the first failure.
//   node scripts/bench.mjs --data DIR
import { $ } from 'zx';

const dataAt = process.argv.indexOf('--data');
const data = dataAt >= 0 ? process.argv[dataAt + 1] : 'data';
const tsx = 'node_modules/.bin/tsx';
/** The benchmarks, and whether each reads the data folder (its models; classify: its products). */
const BENCHES = [
  ['generate', false],
  ['import', false],
  ['features', false],
  ['metrics', false],
  ['similarity', false],
  ['marshal', false],
  ['logistic', true],
  ['xgboost', true],
  ['serve', true],
  ['recommend', true],
  ['sessions', true],
  ['classify', true],
];
for (const [name, needsData] of BENCHES) {
  const args = !needsData
    ? []
    : name === 'classify'
      ? ['--input', `${data}/raw/products.parquet`, '--brand', 'brand', '--price', 'price', '--seller', 'seller_id']
      : ['--data', data];
  try {
    await $({ stdio: 'inherit' })`${tsx} ${`bench/${name}.ts`} ${args}`;
  } catch (error) {
    console.error(`bench: ${name} failed (exit ${error.exitCode ?? '?'})`);
    process.exit(1);
  }
}
