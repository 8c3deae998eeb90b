import { describe, expect, it } from 'vitest';
import { queryRows, withDuckDB } from '../io/duckdb';
import { computeCutoffs, fromSplitsFile, SPLITS, splitOf, splitOfSql, toSplitsFile } from './cutoffs';

const DAY = 86_400_000;
const first = Date.parse('2026-01-01T00:00:00Z');
const last = first + 100 * DAY;

describe('computeCutoffs', () => {
  it('cuts 70/15/15 of the time range into ordered, adjacent half-open windows', () => {
    const c = computeCutoffs(first, last);
    expect(c.train).toEqual({ from: first, to: first + 70 * DAY });
    expect(c.valid).toEqual({ from: first + 70 * DAY, to: first + 85 * DAY });
    expect(c.test).toEqual({ from: first + 85 * DAY, to: last + 1 });
  });

  it('assigns each instant to exactly one split, the newest event included', () => {
    const c = computeCutoffs(first, last, { train: 0.5, valid: 0.25 });
    expect(splitOf(first, c)).toBe('train');
    expect(splitOf(first + 50 * DAY - 1, c)).toBe('train');
    expect(splitOf(first + 50 * DAY, c)).toBe('valid');
    expect(splitOf(first + 75 * DAY, c)).toBe('test');
    expect(splitOf(last, c)).toBe('test');
    expect(splitOf(first - 1, c)).toBeNull();
  });

  it('refuses fractions that leave no test split and empty ranges', () => {
    expect(() => computeCutoffs(first, last, { train: 0.8, valid: 0.2 })).toThrow(/room for test/);
    expect(() => computeCutoffs(first, first)).toThrow(/non-empty/);
  });

  it('round-trips through the JSON file', () => {
    const c = computeCutoffs(first, last);
    expect(fromSplitsFile(JSON.parse(JSON.stringify(toSplitsFile(c, { train: 0.7, valid: 0.15 }))))).toEqual(c);
  });

  it('SQL gives the same split as splitOf, at and around every cutoff', async () => {
    const c = computeCutoffs(first, last);
    const instants = SPLITS.flatMap((s) => [c[s].from - 1, c[s].from, c[s].from + 1, c[s].to - 1, c[s].to]);
    const rows = await withDuckDB((con) =>
      queryRows(
        con,
        `SELECT ms, ${splitOfSql('t', c)} AS split FROM
      (SELECT unnest([${instants.join(', ')}]) AS ms) x, LATERAL (SELECT make_timestamp(ms * 1000) AS t) ORDER BY ms`,
      ),
    );
    for (const r of rows) expect(r.split, `at ${r.ms}`).toBe(splitOf(r.ms as number, c));
  });
});
