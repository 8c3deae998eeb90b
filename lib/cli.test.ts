import { afterEach, describe, expect, it, vi } from 'vitest';

import { phasedProgress } from './cli';

describe('progress through phases', () => {
  afterEach(() => vi.restoreAllMocks());

  it('ends each bar at its total, where it got to when the next phase starts, or at end()', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
    const p = phasedProgress('train: ');
    p.step('item2vec', 1, 4);
    p.step('item2vec', 4, 4);
    // Early stopping: rounds end at 7 of 20 when the next phase starts.
    p.step('rounds', 3, 20);
    p.step('rounds', 7, 20);
    p.step('scoring', 2, 10);
    p.end();
    p.end();
    // Off a terminal a bar prints one line, when it ends; 7 / 20 of 30 marks is 10.5, rounded to 11.
    expect(lines.map((l) => l.replace(/ \d+\.\ds\n$/, ''))).toEqual([
      'train: item2vec [##############################] 100% 4',
      'train: rounds [###########...................]  35% 7',
      'train: scoring [######........................]  20% 2',
    ]);
  });
});
