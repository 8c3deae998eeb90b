import { existsSync, readFileSync } from 'node:fs';

import { InputError } from '../errors';

/** The three time splits, earliest first. */
export const SPLITS = ['train', 'valid', 'test'] as const;
export type Split = (typeof SPLITS)[number];

export interface SplitFractions {
  train: number;
  valid: number;
}

export const DEFAULT_FRACTIONS: SplitFractions = { train: 0.7, valid: 0.15 };

/** Half-open windows [from, to) in ms since epoch; each split's `to` is the next one's `from`. */
export type Cutoffs = Record<Split, { from: number; to: number }>;

/**
 * Cuts the time range [first, last] by fractions of its length (test gets the rest). The last
 * window ends just after `last` so the newest event belongs to it.
 */
export function computeCutoffs(first: number, last: number, fractions: SplitFractions = DEFAULT_FRACTIONS): Cutoffs {
  const { train, valid } = fractions;
  if (!(train > 0 && valid > 0 && train + valid < 1)) {
    throw new Error(`split fractions must be positive and leave room for test: train ${train}, valid ${valid}`);
  }
  if (!(Number.isFinite(first) && Number.isFinite(last) && last > first))
    throw new Error(`the time range must be non-empty: ${first} .. ${last}`);
  const span = last - first;
  // Cutoffs on whole seconds, so the JSON reads cleanly.
  const trainEnd = Math.round((first + train * span) / 1000) * 1000;
  const validEnd = Math.round((first + (train + valid) * span) / 1000) * 1000;
  if (!(first < trainEnd && trainEnd < validEnd && validEnd <= last)) {
    throw new Error(
      `the time range ${new Date(first).toISOString()} .. ${new Date(last).toISOString()} is too short to split`,
    );
  }
  return {
    train: { from: first, to: trainEnd },
    valid: { from: trainEnd, to: validEnd },
    test: { from: validEnd, to: last + 1 },
  };
}

/** The split a session belongs to: the one in which it starts. */
export function splitOf(startMs: number, cutoffs: Cutoffs): Split | null {
  for (const s of SPLITS) if (startMs >= cutoffs[s].from && startMs < cutoffs[s].to) return s;
  return null;
}

/** SQL that gives the split of a timestamp column, mirroring `splitOf`. */
export function splitOfSql(column: string, cutoffs: Cutoffs): string {
  const ts = (ms: number) => `make_timestamp(${ms * 1000})`;
  return `CASE ${SPLITS.map((s) => `WHEN ${column} >= ${ts(cutoffs[s].from)} AND ${column} < ${ts(cutoffs[s].to)} THEN '${s}'`).join(' ')} END`;
}

/**
 * SQL predicate for the events work on `split` may see: those before the split's end. Sessions
 * of later splits start at or after it, so none of their events pass, and a session that runs
 * past its own split's end is cut there.
 */
export function visibleToSplitSql(split: Split, cutoffs: Cutoffs, timeColumn = 'event_time'): string {
  return `${timeColumn} < make_timestamp(${cutoffs[split].to * 1000})`;
}

/** The JSON the split stage writes and later stages read. */
export interface SplitsFile {
  rule: string;
  fractions: SplitFractions;
  cutoffs: Record<Split, { from: string; to: string }>;
}

export function toSplitsFile(cutoffs: Cutoffs, fractions: SplitFractions): SplitsFile {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    rule: 'A session belongs to the split in which it starts; windows are half-open [from, to). Work on a split sees only events before its `to`.',
    fractions,
    cutoffs: Object.fromEntries(
      SPLITS.map((s) => [s, { from: iso(cutoffs[s].from), to: iso(cutoffs[s].to) }]),
    ) as SplitsFile['cutoffs'],
  };
}

export function fromSplitsFile(file: SplitsFile): Cutoffs {
  return Object.fromEntries(
    SPLITS.map((s) => [s, { from: Date.parse(file.cutoffs[s].from), to: Date.parse(file.cutoffs[s].to) }]),
  ) as Cutoffs;
}

/** Reads a `splits.json` that the split stage wrote. */
export function readCutoffs(path: string): Cutoffs {
  if (!existsSync(path)) throw new InputError(`${path}: no such file; run pipelines/split.ts first`);
  return fromSplitsFile(JSON.parse(readFileSync(path, 'utf8')));
}
