import { describe, expect, it } from 'vitest';

import { balancedRanges, rangeJobs, shared as inSharedMemory } from './workers';

describe('balancedRanges', () => {
  it('splits elements into consecutive ranges of about equal weight, a heavy element alone', () => {
    // Weights 1 each: 6 elements in 3 ranges of 2.
    expect(balancedRanges([0, 1, 2, 3, 4, 5, 6], 6, 3)).toEqual([
      [0, 2],
      [2, 4],
      [4, 6],
    ]);
    // Weights 10, 1, 1, 1: the heavy one is half the total and more, so a range of its own.
    expect(balancedRanges([0, 10, 11, 12, 13], 4, 2)).toEqual([
      [0, 1],
      [1, 4],
    ]);
    // Elements of no weight at the end are still covered by the last range.
    expect(balancedRanges([0, 1, 2, 2], 3, 2)).toEqual([
      [0, 1],
      [1, 3],
    ]);
    // More ranges asked than elements: one element each.
    expect(balancedRanges([0, 1, 2], 2, 5)).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });
});

describe('inSharedMemory (workers.ts), a copy for worker threads', () => {
  it('copies an array into a SharedArrayBuffer, and keeps one already in one', () => {
    const a = Float64Array.from([1.5, -2, NaN]);
    const copy = inSharedMemory(a);
    expect(copy.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(copy).not.toBe(a);
    expect(Array.from(copy)).toEqual([1.5, -2, NaN]);
    expect(inSharedMemory(copy)).toBe(copy);
  });
});

describe('rangeJobs', () => {
  it('numbers the balanced ranges in order, as jobs', () => {
    expect(rangeJobs([0, 10, 11, 12, 13], 4, 2)).toEqual([
      { index: 0, from: 0, to: 1 },
      { index: 1, from: 1, to: 4 },
    ]);
  });
});
