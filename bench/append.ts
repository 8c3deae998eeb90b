/**
 * A new day for the price of a day: writes a REES46-format log (42 M events over 31 days by
 * default, as bench/month.ts), imports and sessionizes all but its last day, then appends the last
 * day (`import.ts --append`) and sessionizes again, printing each step's seconds and peak RSS. The
 * appended day's import and sessionize should cost about a day's share of the month's, not the
 * month's (issue 17). With `--features`, split and features run after each sessionize too: the
 * features' history (`features/history/`) and what each session gives the examples
 * (`features/sessions/`) then compute only from the new day on (the sessions from the day the
 * sessions going on into it began), while the training sets are joined again over the whole log
 * (their splits move with it).
 *
 *   npx tsx bench/append.ts [events] [--days 31] [--memory-limit 7GB] [--features] [--keep]
 */
import { createReadStream, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { MEMORY_LIMIT_ENV } from '../lib/resources';
import { benchDir, report } from './report';
import { writeRees46File } from './rees46-file';
import { runStageProcess } from './stage';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    days: { type: 'string', default: '31' },
    'memory-limit': { type: 'string', default: `${Math.floor((totalmem() * 0.6) / 2 / 2 ** 20)}MiB` },
    keep: { type: 'boolean', default: false },
    features: { type: 'boolean', default: false },
  },
});
const events = Number(positionals[0] ?? 42_000_000);
const days = Number(values.days);
const dir = join(benchDir(), 'append');
const data = join(dir, 'data');
const whole = join(dir, 'rees46-month.csv');
const earlier = join(dir, 'rees46-earlier-days.csv');
const lastDay = join(dir, 'rees46-last-day.csv');

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
process.stderr.write(`bench: writing a ${events.toLocaleString('en-US')}-event REES46 file over ${days} days\n`);
await writeRees46File(whole, events, { days });

// The file is in time order: its last day's lines go to one file, the rest (with the header) to the other.
process.stderr.write('bench: splitting off the last day\n');
let lastDate = '';
for await (const line of createInterface({ input: createReadStream(whole) })) lastDate = line.slice(0, 10) || lastDate;
const out = { earlier: createWriteStream(earlier), day: createWriteStream(lastDay) };
let header = true;
let dayRows = 0;
for await (const line of createInterface({ input: createReadStream(whole) })) {
  if (header) {
    out.earlier.write(`${line}\n`);
    out.day.write(`${line}\n`);
    header = false;
  } else if (line.startsWith(lastDate)) {
    out.day.write(`${line}\n`);
    dayRows++;
  } else out.earlier.write(`${line}\n`);
}
await Promise.all(Object.values(out).map((s) => new Promise((resolve) => s.end(resolve))));
rmSync(whole);

const env = { ...process.env, [MEMORY_LIMIT_ENV]: values['memory-limit'], OMP_WAIT_POLICY: 'PASSIVE' };
const figures: Record<string, number> = {};
function stage(label: string, script: string, args: string[]): Record<string, any> {
  process.stderr.write(`bench: ${label}\n`);
  const { status, seconds, summary } = runStageProcess(script, args, data, env);
  if (status !== 0) throw new Error(`${label} failed with exit ${status}`);
  report(`append-${label}`, { seconds, peak_rss_mb: Number(summary.peak_rss_mb ?? 0) });
  figures[`${label}_s`] = seconds;
  return summary;
}

/** Split and features, with the features' history steps' seconds. */
function features(label: string) {
  if (!values.features) return;
  stage(`split-${label}`, 'split', []);
  const summary = stage(`features-${label}`, 'features', []);
  const steps = summary.step_seconds as Record<string, number>;
  const history = Object.entries(steps)
    .filter(([step]) => step.startsWith('history'))
    .reduce((sum, [, s]) => sum + s, 0);
  figures[`features_history_${label}_s`] = Math.round(history * 10) / 10;
  const sessions = Object.entries(steps)
    .filter(([step]) => step.startsWith('sessions') || step.endsWith(': examples'))
    .reduce((sum, [, s]) => sum + s, 0);
  figures[`features_examples_${label}_s`] = Math.round(sessions * 10) / 10;
  process.stderr.write(
    `bench: history ${JSON.stringify(summary.history_tables)}, sessions ${summary.session_tables}\nbench: steps ${JSON.stringify(steps)}\n`,
  );
}

const imported = stage('import-earlier-days', 'import', ['--format', 'rees46', '--input', earlier]);
stage('sessionize-earlier-days', 'sessionize', []);
features('earlier-days');
stage('append-last-day', 'import', ['--append', '--format', 'rees46', '--input', lastDay]);
const again = stage('sessionize-last-day', 'sessionize', []);
if (again.days_sessionized !== 1)
  throw new Error(`sessionize cut ${again.days_sessionized} days after the append, not 1`);
features('last-day');

report('append', { events, days, earlier_events: Number(imported.events), day_events: dayRows, ...figures });
if (!values.keep) rmSync(dir, { recursive: true, force: true });
else process.stderr.write(`bench: kept ${dir}\n`);
