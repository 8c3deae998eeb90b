import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { hostname } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';

import { DataRequirementError, InputError, StageFailure, StageRefusal } from './errors';
import { MEMORY_LIMIT_ENV, memoryBytes, SPILL_DIR_ENV } from './resources';

export { DataRequirementError, InputError, StageFailure, StageRefusal };

export interface FlagSpec {
  type: 'string' | 'boolean';
  description: string;
  default?: string | boolean;
}

/**
 * Parses flags, printing help for --help; unknown or malformed flags become an InputError. Every
 * script also takes --memory-limit (DuckDB's memory limit, for this process and its children), and
 * a script with a --data flag has its DuckDBs spill into DATA/.tmp/duckdb.
 */
export function parseFlags<T extends Record<string, FlagSpec>>(
  usage: string,
  flags: T,
  argv = process.argv.slice(2),
): { [K in keyof T]: T[K]['type'] extends 'boolean' ? boolean : string } {
  const all: Record<string, FlagSpec> = {
    ...flags,
    'memory-limit': {
      type: 'string',
      description: `DuckDB's memory limit, e.g. 8GB (default: ${MEMORY_LIMIT_ENV}, which make's MEMORY= sets, else half the machine's memory); beyond it, work spills to disk`,
    },
    help: { type: 'boolean', description: 'show this help' },
  };
  const options: ParseArgsConfig['options'] = Object.fromEntries(
    Object.entries(all).map(([name, f]) => [
      name,
      { type: f.type, ...(f.default !== undefined ? { default: f.default } : {}) },
    ]),
  );
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new InputError(`${(error as Error).message}\n\n${helpText(usage, all)}`);
  }
  if (values.help) {
    process.stdout.write(`${helpText(usage, all)}\n`);
    process.exit(0);
  }
  const limit = values['memory-limit'] as string | undefined;
  if (limit !== undefined) {
    if (memoryBytes(limit) === null)
      throw new InputError(`--memory-limit must be a size such as 8GB or 512MB, got '${limit}'`);
    process.env[MEMORY_LIMIT_ENV] = limit;
  } else {
    const env = process.env[MEMORY_LIMIT_ENV];
    if (env && memoryBytes(env) === null)
      throw new InputError(`${MEMORY_LIMIT_ENV} (make's MEMORY=) must be a size such as 8GB or 512MB, got '${env}'`);
  }
  delete values['memory-limit'];
  if (typeof values.data === 'string') process.env[SPILL_DIR_ENV] = resolve(values.data, '.tmp', 'duckdb');
  return values as never;
}

function helpText(usage: string, flags: Record<string, FlagSpec>): string {
  const rows = Object.entries(flags).map(([name, f]) => {
    const flag = f.type === 'string' ? `--${name} VALUE` : `--${name}`;
    const def = f.default !== undefined && f.default !== false ? ` (default: ${f.default})` : '';
    return `  ${flag.padEnd(24)} ${f.description}${def}`;
  });
  return `Usage: ${usage}\n\nFlags:\n${rows.join('\n')}`;
}

/** A flag that must be a whole number within [min, max]. */
export function intFlag(name: string, value: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value.replaceAll('_', ''));
  if (!/^-?[\d_]+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new InputError(`--${name} must be a whole number from ${min} to ${max}, got '${value}'`);
  }
  return n;
}

/** A duration for people: `42s`, `3m05s`, `1h02m`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * What is left of work `share` (0..1) done after `elapsed` seconds, at the rate so far: ` ETA 3m05s`,
 * or nothing before a second has passed or when nothing or everything is done.
 */
export function eta(elapsed: number, share: number): string {
  if (!(share > 0 && share < 1) || elapsed < 1) return '';
  return ` ETA ${duration((elapsed * (1 - share)) / share)}`;
}

/**
 * A progress bar on stderr with the time left at the rate so far, redrawn at most every 100 ms;
 * silent when stderr is not a terminal except for a final line.
 */
export function progressBar(label: string, total: number) {
  const started = performance.now();
  let last = 0;
  const tty = process.stderr.isTTY;
  const draw = (done: number, final = false) => {
    const share = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
    const elapsed = (performance.now() - started) / 1000;
    const line = `${label} [${bar}] ${(share * 100).toFixed(0).padStart(3)}% ${done.toLocaleString('en-US')} ${elapsed.toFixed(1)}s${final ? '' : eta(elapsed, share)}`;
    if (tty) process.stderr.write(`\r${line}${final ? '\n' : ''}`);
    else if (final) process.stderr.write(`${line}\n`);
  };
  return {
    update(done: number) {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      draw(done);
    },
    done(done = total) {
      draw(done, true);
    },
  };
}

/**
 * Progress through named phases, a bar each (labelled `prefix` + phase): a phase's bar ends when
 * it reaches its total, when another phase starts (where it got to: early stopping ends a bar
 * short), or at `end()`.
 */
export function phasedProgress(prefix: string) {
  let bar: ReturnType<typeof progressBar> | null = null;
  let phase: string | null = null;
  let reached = 0;
  const end = () => {
    bar?.done(reached);
    bar = null;
    phase = null;
  };
  return {
    step(name: string, done: number, total: number) {
      if (phase !== name) {
        end();
        bar = progressBar(`${prefix}${name}`, total);
        phase = name;
      }
      reached = done;
      if (done >= total) end();
      else bar!.update(done);
    },
    end,
  };
}

/** Human progress: a line on stderr. */
export const say = (message: string) => process.stderr.write(`${message}\n`);

/**
 * A stage's steps, said as each starts (`prefix: step`) and timed: `seconds()` gives each step's
 * seconds (the last one's up to now, rounded to 0.1 s), for the stage's summary: where its time goes.
 */
export function timedSteps(prefix: string, now: () => number = () => performance.now()) {
  const seconds: Record<string, number> = {};
  let current: { name: string; started: number } | null = null;
  const stop = () => {
    if (current) seconds[current.name] = Math.round((now() - current.started) / 100) / 10;
    current = null;
  };
  return {
    step(name: string) {
      stop();
      say(`${prefix}: ${name}`);
      current = { name, started: now() };
    },
    seconds() {
      stop();
      return { ...seconds };
    },
  };
}

/**
 * Runs a stage's main: the summary it returns becomes the last line of stdout (one JSON object)
 * and its run metadata goes to `metaPath`. An InputError exits 2 with its message on one line; a
 * DataRequirementError or StageRefusal exits 2 too, still closing stdout with a summary (`skipped` or
 * `refused`: the reason); a StageFailure exits 1 with its message; anything else 1 with the stack.
 */
export async function runStage(
  stage: string,
  main: () => Promise<{ summary: Record<string, unknown>; metaPath?: string }>,
): Promise<void> {
  const started = new Date();
  const t0 = performance.now();
  const args = process.argv.slice(2).join(' ');
  process.stderr.write(
    `\n── ${stage}${args ? ` ${args}` : ''} ${'─'.repeat(Math.max(3, 60 - stage.length - args.length))}\n`,
  );
  const elapsed = () => Math.round((performance.now() - t0) / 10) / 100;
  const close = (summary: Record<string, unknown>, seconds = elapsed()) => {
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    process.stdout.write(`${JSON.stringify({ stage, ...summary, seconds, peak_rss_mb: peakRssMb })}\n`);
  };
  try {
    const { summary, metaPath } = await main();
    const seconds = elapsed();
    if (metaPath) {
      mkdirSync(dirname(metaPath), { recursive: true });
      writeFileSync(
        metaPath,
        `${JSON.stringify({ stage, started: started.toISOString(), seconds, host: hostname(), argv: process.argv.slice(2), node: process.version }, null, 2)}\n`,
      );
    }
    close(summary, seconds);
  } catch (error) {
    if (error instanceof DataRequirementError) close({ ...error.summary, skipped: error.message });
    else if (error instanceof StageRefusal) close({ ...error.summary, refused: error.message });
    const known = error instanceof InputError || error instanceof StageRefusal || error instanceof StageFailure;
    process.stderr.write(
      `${stage}: ${known ? (error as Error).message : `internal error: ${(error as Error).stack ?? error}`}\n`,
    );
    // Exit now: a failure can leave work in flight (a DuckDB query, a worker) that would keep the process alive.
    process.exit(error instanceof InputError || error instanceof StageRefusal ? 2 : 1);
  }
}

/** A flag that must be a calendar date YYYY-MM-DD. */
export function dateFlag(name: string, value: string): string {
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw new InputError(`--${name} must be a date YYYY-MM-DD, got '${value}'`);
  }
  return value;
}

/** The run metadata `runStage` wrote into `metaDir`, one entry per file (`train-ranking`, …), in the order the stages started. */
export function readStageRuns(metaDir: string): { stage: string; started: string; seconds: number }[] {
  if (!existsSync(metaDir)) return [];
  return readdirSync(metaDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({
      ...(JSON.parse(readFileSync(join(metaDir, f), 'utf8')) as { started: string; seconds: number }),
      stage: f.slice(0, -'.json'.length),
    }))
    .sort((a, b) => (a.started < b.started ? -1 : 1));
}
