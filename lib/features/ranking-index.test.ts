import { describe, expect, it } from 'vitest';

import { withDuckDB } from '../io/index';
import { pairRow, readSortedPairs, sortedFind, sortedPairs } from './ranking-index';

describe('sorted pairs (the ranking index lookups)', () => {
  // (query, product) → impressions, clicks, purchases, given out of order, with one pair repeated.
  const rows: [number, number, number[]][] = [
    [7, 300, [5, 1, 0]],
    [2, 10, [1, 0, 0]],
    [7, 20, [9, 2, 1]],
    [2, 10, [3, 1, 0]],
    [-1, 4, [8, 8, 8]],
  ];
  const pairs = sortedPairs(
    rows.map((r) => r[0]),
    rows.map((r) => r[1]),
    rows.map((r) => r[2]),
    3,
  );

  it('sorts by outer then inner key, each outer key once, a repeated pair keeping its last values', () => {
    expect(Array.from(pairs.outer)).toEqual([-1, 2, 7]);
    expect(Array.from(pairs.start)).toEqual([0, 1, 2, 4]);
    expect(Array.from(pairs.inner)).toEqual([4, 10, 20, 300]);
    expect(Array.from(pairs.values)).toEqual([8, 8, 8, 3, 1, 0, 9, 2, 1, 5, 1, 0]);
  });

  it('finds a pair by both keys, and no pair whose keys exist only apart', () => {
    expect(pairRow(pairs, 7, 300)).toBe(3);
    expect(pairRow(pairs, 7, 20)).toBe(2);
    expect(pairRow(pairs, 2, 10)).toBe(1);
    expect(pairRow(pairs, 2, 300)).toBe(-1);
    expect(pairRow(pairs, 3, 10)).toBe(-1);
    expect(pairRow(pairs, 8, 1)).toBe(-1);
    expect(sortedFind(Float64Array.of(1, 5, 9), 9)).toBe(2);
    expect(sortedFind(Float64Array.of(1, 5, 9), 4)).toBe(-1);
    expect(sortedFind(new Float64Array(0), 4)).toBe(-1);
  });
});

describe('readSortedPairs', () => {
  it("reads a query's rows in key order into the sorted pairs sortedPairs makes of them, and refuses rows out of order", async () => {
    const table = `(VALUES (2, 10, 1.5, 0), (1, 5, 2, 1), (1, 3, 3, NULL), (7, -1, 4, 2)) t(q, p, a, b)`;
    const read = await withDuckDB((con) =>
      readSortedPairs(
        con,
        `SELECT q AS outer_key, p AS inner_key, a AS v0, coalesce(b, 0) AS v1 FROM ${table} ORDER BY q, p`,
        2,
      ),
    );
    const expected = sortedPairs(
      [2, 1, 1, 7],
      [10, 5, 3, -1],
      [
        [1.5, 0],
        [2, 1],
        [3, 0],
        [4, 2],
      ],
      2,
    );
    expect(read).toEqual(expected);
    // By hand: queries 1, 2, 7; query 1's products 3 then 5.
    expect(Array.from(read.outer)).toEqual([1, 2, 7]);
    expect(Array.from(read.start)).toEqual([0, 2, 3, 4]);
    expect(Array.from(read.inner)).toEqual([3, 5, 10, -1]);
    await expect(
      withDuckDB((con) =>
        readSortedPairs(con, `SELECT q AS outer_key, p AS inner_key, a AS v0 FROM ${table} ORDER BY q DESC`, 1),
      ),
    ).rejects.toThrow(/row 1 is not after row 0 in key order/);
  });
});
