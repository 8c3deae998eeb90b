/**
 * A month of a real shop end to end: writes a REES46-format log (42 M events over October by
 * default, the size of the public 2019-Oct.csv) and runs what `make all FORMAT=rees46` runs on it,
 * each stage in its own process as make runs it: import → sessionize → split → features → the
 * families (purchase, recommend, session, category), printing each stage's seconds and peak RSS.
 *
 *   npx tsx bench/month.ts [events] [--days 31] [--families purchase,recommend,session,category]
 *                          [--memory-limit 7GB] [--keep] [--from STAGE] [--to STAGE]
 *
 * --from resumes on the folder a run with --keep (or one that failed) left, at that stage
 * (import, sessionize, split, features, train-<family>); --to stops after one.
 *
 * Issue 17's goal: the whole chain under 20 minutes with peak RSS under 12 GB on the 2-core 24 GB
 * machine. The stages' DuckDBs get --memory-limit (default: what `make all` gives each of its two
 * stages at once, 60 % of the machine shared by 2), spilling into the data folder.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MEMORY_LIMIT_ENV } from '../lib/resources';
import { benchDir, report } from './report';
import { writeRees46File } from './rees46-file';
import { runStageProcess } from './stage';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    days: { type: 'string', default: '31' },
    families: { type: 'string', default: 'purchase,recommend,session,category' },
    'memory-limit': { type: 'string', default: `${Math.floor((totalmem() * 0.6) / 2 / 2 ** 20)}MiB` },
    keep: { type: 'boolean', default: false },
    from: { type: 'string' },
    to: { type: 'string' },
  },
});
const events = Number(positionals[0] ?? 42_000_000);
const days = Number(values.days);
const dir = join(benchDir(), 'month');
const data = join(dir, 'data');
const file = join(dir, 'rees46-month.csv');
const started = performance.now();
if (values.from === undefined) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`bench: writing a ${events.toLocaleString('en-US')}-event REES46 file over ${days} days\n`);
  await writeRees46File(file, events, { days });
  const fileSeconds = (performance.now() - started) / 1000;
  report('month-file', { events, file_mb: Math.round(statSync(file).size / 1e6), seconds: fileSeconds });
}

const env = { ...process.env, [MEMORY_LIMIT_ENV]: values['memory-limit'], OMP_WAIT_POLICY: 'PASSIVE' };
const figures: Record<string, number> = {};
let peak = 0;
let total = 0;
function stage(label: string, script: string, args: string[]): Record<string, any> {
  process.stderr.write(`bench: ${label}\n`);
  const run = runStageProcess(script, args, data, env);
  const { seconds, summary } = run;
  if (run.status !== 0 && !summary.skipped) throw new Error(`${label} failed with exit ${run.status}`);
  const rss = Number(summary.peak_rss_mb ?? 0);
  report(`month-${label}`, { seconds, peak_rss_mb: rss });
  // Where a stage's time goes, when it says (the features stage's steps, the recommend family's phases).
  if (summary.step_seconds) report(`month-${label}-steps`, summary.step_seconds as Record<string, number>);
  if (summary.skipped) process.stderr.write(`bench: ${label} skipped: ${summary.skipped}\n`);
  figures[`${label}_s`] = seconds;
  peak = Math.max(peak, rss);
  total += seconds;
  return summary;
}

const STAGES: [string, string, string[]][] = [
  ['import', 'import', ['--format', 'rees46', '--input', file]],
  ['sessionize', 'sessionize', []],
  ['split', 'split', []],
  ['features', 'features', []],
  ...values.families
    .split(',')
    .filter(Boolean)
    .map((family): [string, string, string[]] => [
      `train-${family}`,
      'train',
      ['--family', family, '--skip-unsupported'],
    ]),
];
const labels = STAGES.map(([label]) => label);
for (const flag of [values.from, values.to])
  if (flag !== undefined && !labels.includes(flag))
    throw new Error(`--from/--to: no stage ${flag}; one of ${labels.join(', ')}`);
const first = values.from === undefined ? 0 : labels.indexOf(values.from);
const last = values.to === undefined ? labels.length - 1 : labels.indexOf(values.to);
for (const [label, script, args] of STAGES.slice(first, last + 1)) stage(label, script, args);

report('month', { events, days, chain_seconds: total, peak_rss_mb: peak, ...figures });
if (!values.keep && values.from === undefined) rmSync(dir, { recursive: true, force: true });
else process.stderr.write(`bench: kept ${dir}\n`);
