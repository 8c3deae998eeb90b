import { describe, expect, it } from 'vitest';
import { compareNullsFirst, f64, i32, SortedLookup, sortRuns } from './columns';
import { Rng } from './random';

/** Position by a linear scan, the reference. */
const scan = (values: Float64Array, v: number) => values.findIndex((x) => x === v);

describe('SortedLookup', () => {
  it('finds each value of a hand-made array and returns -1 for the rest', () => {
    const values = Float64Array.from([-5, 0, 3, 3.5, 1e6, 2 ** 52]);
    const lookup = new SortedLookup(values);
    expect([-5, 0, 3, 3.5, 1e6, 2 ** 52].map((v) => lookup.indexOf(v))).toEqual([0, 1, 2, 3, 4, 5]);
    expect([-6, 1, 3.25, 999_999, 2 ** 53, NaN, Infinity, -Infinity].map((v) => lookup.indexOf(v))).toEqual([
      -1, -1, -1, -1, -1, -1, -1, -1,
    ]);
  });

  it('handles no values and one value', () => {
    expect(new SortedLookup(new Float64Array(0)).indexOf(0)).toBe(-1);
    const one = new SortedLookup(Float64Array.from([7]));
    expect([one.indexOf(7), one.indexOf(6), one.indexOf(8)]).toEqual([0, -1, -1]);
  });

  it('agrees with a linear scan on uniform and bunched values, present and absent', () => {
    const rng = new Rng(11);
    const random = () => rng.next();
    // Uniform ids, and ids bunched near 0 with a few far outliers (most buckets empty).
    const draws = [
      Array.from({ length: 3000 }, () => Math.floor(random() * 1e9)),
      [
        ...Array.from({ length: 2990 }, () => Math.floor(random() * 500)),
        ...Array.from({ length: 10 }, () => 1e12 * random()),
      ],
    ];
    for (const draw of draws) {
      const values = Float64Array.from(new Set(draw)).sort();
      const lookup = new SortedLookup(values);
      for (let i = 0; i < values.length; i++) expect(lookup.indexOf(values[i])).toBe(i);
      for (let k = 0; k < 3000; k++) {
        const v = draw[k % draw.length] + (random() < 0.5 ? 0.5 : 1);
        expect(lookup.indexOf(v)).toBe(scan(values, v));
      }
    }
  });
});

describe('ColumnBuilder.pushAll and reserve', () => {
  it('hold the values a push per value would, across growth, truncation and reservation', () => {
    const a = i32(4);
    const expected: number[] = [];
    for (const v of [1, 2, 3]) {
      a.push(v);
      expected.push(v);
    }
    a.pushAll([4, 5, 6, 7, 8]);
    expected.push(4, 5, 6, 7, 8);
    a.length = 6;
    expected.length = 6;
    a.pushAll(Int32Array.from({ length: 100 }, (_, i) => -1 - i));
    expected.push(...Array.from({ length: 100 }, (_, i) => -1 - i));
    a.reserve(10);
    a.reserve(500);
    a.pushAll([]);
    a.push(9);
    expected.push(9);
    expect(Array.from(a.values())).toEqual(expected);
    const b = f64(1);
    b.reserve(3);
    b.pushAll(Float64Array.from([0.5, -1.25, 1e300]));
    expect(Array.from(b.values())).toEqual([0.5, -1.25, 1e300]);
  });
});

describe('compareNullsFirst', () => {
  it('orders NaN first, then numbers ascending, as ORDER BY … NULLS FIRST', () => {
    const sorted = [3, NaN, -Infinity, -1, NaN, 0, Infinity, 2.5].sort(compareNullsFirst);
    expect(sorted).toEqual([NaN, NaN, -Infinity, -1, 0, 2.5, 3, Infinity]);
    expect([compareNullsFirst(NaN, NaN), compareNullsFirst(4, 4), compareNullsFirst(Infinity, Infinity)]).toEqual([
      0, 0, 0,
    ]);
  });
});

describe('sortRuns', () => {
  it('orders the rows of each run of a group by the comparison, moving every column alike', () => {
    // Runs: group 7 (rows 0-2), group 2 (rows 3-4, in order already), group 7 again (row 5), group 5 (rows 6-8).
    const group = Int32Array.from([7, 7, 7, 2, 2, 7, 5, 5, 5]);
    const key = Float64Array.from([3, 1, 2, 1, 4, 0, 9, NaN, 9]);
    const tag = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const reordered = sortRuns(group, [group, key, tag], (a, b) => compareNullsFirst(key[a], key[b]));
    expect(reordered).toBe(2);
    expect(Array.from(group)).toEqual([7, 7, 7, 2, 2, 7, 5, 5, 5]);
    expect(Array.from(key)).toEqual([1, 2, 3, 1, 4, 0, NaN, 9, 9]);
    // Rows 6 and 8 tie on the key: they keep their order.
    expect(Array.from(tag)).toEqual([1, 2, 0, 3, 4, 5, 7, 6, 8]);
  });

  it('agrees with a stable sort of all rows by run, then key, on random runs with ties', () => {
    const rng = new Rng(5);
    const n = 5000;
    const group = new Float64Array(n);
    const key = new Int32Array(n);
    for (let i = 0, g = 0; i < n; i++) {
      if (rng.next() < 0.1) g += 1 + Math.floor(rng.next() * 3);
      group[i] = g;
      key[i] = Math.floor(rng.next() * 6);
    }
    const rows = Array.from({ length: n }, (_, i) => ({ group: group[i], key: key[i], row: i }));
    const expected = [...rows].sort((a, b) => a.group - b.group || a.key - b.key || a.row - b.row);
    const row = Int32Array.from(rows, (r) => r.row);
    sortRuns(group, [key, row], (a, b) => key[a] - key[b]);
    expect(Array.from(row)).toEqual(expected.map((r) => r.row));
    expect(Array.from(key)).toEqual(expected.map((r) => r.key));
  });

  it('refuses a column of another length', () => {
    expect(() => sortRuns(new Int32Array(3), [new Float64Array(2)], () => 0)).toThrow(
      /a column of 2 rows, the groups 3/,
    );
  });
});
