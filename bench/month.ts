/**
 * A month of a real shop end to end: writes a REES46-format log (42 M events over October by
 * default, the size of the public 2019-Oct.csv) and runs what `make all FORMAT=rees46` runs on it,
 * each stage in its own process as make runs it: import → sessionize → split → features → the
 * families (purchase, recommend, session, category), printing each stage's seconds and peak RSS.
 *
 *   npx tsx bench/month.ts [events] [--days 31] [--families purchase,recommend,session,category]
 *                          [--memory-limit 7GB] [--keep]
 *
 * Issue 17's goal: the whole chain under 20 minutes with peak RSS under 12 GB on the 2-core 24 GB
 * machine. The stages' DuckDBs get --memory-limit (default: what `make all` gives each of its two
 * stages at once, 60 % of the machine shared by 2), spilling into the data folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MEMORY_LIMIT_ENV } from '../lib/resources';
import { benchDir, report } from './report';
import { writeRees46File } from './rees46-file';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    days: { type: 'string', default: '31' },
    families: { type: 'string', default: 'purchase,recommend,session,category' },
    'memory-limit': { type: 'string', default: `${Math.floor((totalmem() * 0.6) / 2 / 2 ** 20)}MiB` },
    keep: { type: 'boolean', default: false },
  },
});
const events = Number(positionals[0] ?? 42_000_000);
const days = Number(values.days);
const dir = join(benchDir(), 'month');
const data = join(dir, 'data');
const file = join(dir, 'rees46-month.csv');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const started = performance.now();
process.stderr.write(`bench: writing a ${events.toLocaleString('en-US')}-event REES46 file over ${days} days\n`);
await writeRees46File(file, events, { days });
const fileSeconds = (performance.now() - started) / 1000;
report('month-file', { events, file_mb: Math.round(statSync(file).size / 1e6), seconds: fileSeconds });

const env = { ...process.env, [MEMORY_LIMIT_ENV]: values['memory-limit'], OMP_WAIT_POLICY: 'PASSIVE' };
const figures: Record<string, number> = {};
let peak = 0;
let total = 0;
function stage(label: string, script: string, args: string[]): Record<string, any> {
  process.stderr.write(`bench: ${label}\n`);
  const t0 = performance.now();
  const run = spawnSync('node_modules/.bin/tsx', [`pipelines/${script}.ts`, ...args, '--data', data], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
    env,
  });
  const seconds = (performance.now() - t0) / 1000;
  const summary = JSON.parse(run.stdout.trim().split('\n').pop() || '{}') as Record<string, any>;
  if (run.status !== 0 && !summary.skipped) throw new Error(`${label} failed with exit ${run.status}`);
  const rss = Number(summary.peak_rss_mb ?? 0);
  report(`month-${label}`, { seconds, peak_rss_mb: rss });
  if (summary.skipped) process.stderr.write(`bench: ${label} skipped: ${summary.skipped}\n`);
  figures[`${label}_s`] = seconds;
  peak = Math.max(peak, rss);
  total += seconds;
  return summary;
}

stage('import', 'import', ['--format', 'rees46', '--input', file]);
stage('sessionize', 'sessionize', []);
stage('split', 'split', []);
stage('features', 'features', []);
for (const family of values.families.split(',').filter(Boolean))
  stage(`train-${family}`, 'train', ['--family', family, '--skip-unsupported']);

report('month', { events, days, chain_seconds: total, peak_rss_mb: peak, ...figures });
if (!values.keep) rmSync(dir, { recursive: true, force: true });
else process.stderr.write(`bench: kept ${dir}\n`);
