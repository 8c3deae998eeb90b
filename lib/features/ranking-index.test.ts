import { beforeAll, describe, expect, it } from 'vitest';

import { withDuckDB } from '../io/index';
import { pairRow, readSortedPairs, type SortedPairs, sortedFind } from './ranking-index';

describe('sorted pairs (the ranking index lookups)', () => {
  // (query, product) → impressions, clicks, purchases, given out of order; SQL puts them in key order.
  const rows = `(VALUES (7, 300, 5, 1, 0), (2, 10, 3, 1, NULL), (7, 20, 9, 2, 1), (-1, 4, 8, 8, 8)) t(q, p, i, c, b)`;
  let pairs: SortedPairs;
  beforeAll(async () => {
    pairs = await withDuckDB((con) =>
      readSortedPairs(
        con,
        `SELECT q AS outer_key, p AS inner_key, i AS v0, c AS v1, coalesce(b, 0) AS v2 FROM ${rows} ORDER BY q, p`,
        3,
      ),
    );
  });

  it('reads rows in key order into arrays: each outer key once, where its inner keys start, the values by row', () => {
    expect(Array.from(pairs.outer)).toEqual([-1, 2, 7]);
    expect(Array.from(pairs.start)).toEqual([0, 1, 2, 4]);
    expect(Array.from(pairs.inner)).toEqual([4, 10, 20, 300]);
    expect(Array.from(pairs.values)).toEqual([8, 8, 8, 3, 1, 0, 9, 2, 1, 5, 1, 0]);
    expect(pairs.width).toBe(3);
  });

  it('reads one value per pair as it is, a NULL value as NaN', async () => {
    const one = await withDuckDB((con) =>
      readSortedPairs(con, `SELECT q AS outer_key, p AS inner_key, b AS v0 FROM ${rows} ORDER BY q, p`, 1),
    );
    expect(Array.from(one.outer)).toEqual([-1, 2, 7]);
    expect(Array.from(one.start)).toEqual([0, 1, 2, 4]);
    expect(Array.from(one.inner)).toEqual([4, 10, 20, 300]);
    expect(Array.from(one.values)).toEqual([8, NaN, 1, 0]);
    expect(one.width).toBe(1);
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

  it('refuses rows out of key order, a repeated pair, or a NULL key', async () => {
    for (const [sql, row] of [
      [`SELECT q AS outer_key, p AS inner_key, i AS v0 FROM ${rows} ORDER BY q DESC`, 1],
      [`SELECT 1 AS outer_key, 2 AS inner_key, 3 AS v0 FROM range(2)`, 1],
      [`SELECT * FROM (VALUES (1, 2, 3), (NULL, 2, 3)) t(outer_key, inner_key, v0)`, 1],
    ] as const)
      await expect(withDuckDB((con) => readSortedPairs(con, sql, 1))).rejects.toThrow(
        `row ${row} is not after row ${row - 1} in key order`,
      );
  });
});
