/**
 * Prints how long the features stage takes, and its peak memory, on a world of N events:
 * `npx tsx bench/features.ts [events]` (the world is generated, sessionized and split first, untimed),
 * then each of its steps' seconds. The stage's DuckDB memory limit is SHOPLAB_MEMORY_LIMIT's (make's
 * MEMORY=), else half the machine's memory.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir, report } from './report';

const events = Number(process.argv[2] ?? 10_000_000);
const data = join(benchDir(), 'features');
rmSync(data, { recursive: true, force: true });

function stage(name: string, args: string[]): Record<string, any> {
  process.stderr.write(`bench: ${name}\n`);
  const run = spawnSync('node_modules/.bin/tsx', [`pipelines/${name}.ts`, ...args, '--data', data], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  });
  if (run.status !== 0) throw new Error(`${name} failed with exit ${run.status}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!);
}

stage('generate', ['--events', String(events), '--seed', '42']);
stage('sessionize', []);
stage('split', []);
const features = stage('features', []);
const rows = Object.values(features.sets as Record<string, Record<string, { rows: number }>>).reduce(
  (n, splits) => n + Object.values(splits).reduce((m, s) => m + s.rows, 0),
  0,
);
report('features', { events, training_rows: rows, seconds: features.seconds, peak_rss_mb: features.peak_rss_mb });
// Where the time goes, step by step (the stage's own timing).
report('features-steps', features.step_seconds as Record<string, number>);
rmSync(data, { recursive: true, force: true });
