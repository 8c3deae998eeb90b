import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { runStageScript, tempDir } from '../testing';

/** Session logs written as their publishers ship them, through pipelines/next-item.ts. */
const dir = tempDir('shoplab-next-item-');
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const last = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

// Training: a b c / a b / b d / c e c; test: a b d (the x click is on an item training never saw).
const TRAIN =
  'SessionId\tItemId\tTime\n1\ta\t0\n1\tb\t1\n1\tc\t2\n2\ta\t100\n2\tb\t101\n3\tb\t200\n3\td\t201\n4\tc\t300\n4\te\t301\n4\tc\t302\n';
const TEST = 'SessionId\tTime\tItemId\n9\t1000\ta\n9\t1001\tx\n9\t1002\tb\n9\t1003\td\n';

describe('pipelines/next-item.ts', () => {
  it('session-rec train and test files: every baseline scored by the protocol, POP by hand', () => {
    const run = runStageScript('next-item', ['--train', file('train.tsv', TRAIN), '--test', file('test.tsv', TEST)]);
    expect(run.status, run.stderr).toBe(0);
    const summary = last(run.stdout);
    // The model first (its re-ranker learned on the most recent training session's prefixes), then every baseline.
    expect(Object.keys(summary.metrics)).toEqual(['model', 'pop', 'spop', 'iknn', 'ar', 'sr', 'sknn', 'vsknn']);
    expect(summary.finding).toMatch(/^the model (beats|does not beat) the best baseline/);
    for (const m of Object.values(summary.metrics) as Record<string, number>[]) {
      expect(Object.keys(m)).toEqual(expect.arrayContaining(['hr@20', 'mrr@20', 'hr@10', 'mrr@10', 'coverage@20']));
    }
    expect(summary.dropped).toEqual({ trainSessionsOfOne: 0, testClicksUnseen: 1, testSessionsTooShort: 0 });
    // POP lists b c a d e: after [a] the next click b is first, after [a b] d is fourth.
    expect(summary.metrics.pop['mrr@20']).toBeCloseTo((1 + 1 / 4) / 2, 12);
    // SR from a: b then c; from b: c then d. Hits at 1 and 2.
    expect(summary.metrics.sr['mrr@20']).toBeCloseTo((1 + 1 / 2) / 2, 12);
  });

  it('one YooChoose clicks file (no header, ISO times), split by time; a bad row is counted and named', () => {
    const day = (d: number, s: number) => `2014-04-0${d}T10:00:0${s}.000Z`;
    const lines = [
      `1,${day(1, 0)},10,0`,
      `1,${day(1, 1)},11,0`,
      `2,${day(2, 0)},10,0`,
      `2,${day(2, 1)},11,0`,
      `2,${day(2, 2)},12,0`,
      `3,not-a-time,10,0`,
      `4,${day(5, 0)},10,0`,
      `4,${day(5, 1)},11,0`,
    ];
    const run = runStageScript('next-item', [
      '--train',
      file('yoochoose-clicks.dat', `${lines.join('\n')}\n`),
      '--format',
      'yoochoose',
      '--test-days',
      '1',
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      '1 rows rejected ({"unparseable_time":1}; first at line 6, timestamp: unparseable_time)',
    );
    const summary = last(run.stdout);
    expect(summary.sessions).toEqual({ train: 2, test: 1, prefixes: 1 });
    // After item 10 the next click is 11; POP (10 and 11 twice, 12 once) lists 10 first, 11 second.
    expect(summary.metrics.pop['mrr@20']).toBeCloseTo(1 / 2, 12);
  });

  it('refuses what it cannot evaluate with exit 2 and the reason', () => {
    const noColumns = runStageScript('next-item', [
      '--train',
      file('bad.tsv', 'a\tb\n1\t2\n'),
      '--test',
      file('t.tsv', TEST),
    ]);
    expect(noColumns.status).toBe(2);
    expect(noColumns.stderr).toContain('no column sessionid, itemid, time');
    const noTest = runStageScript('next-item', [
      '--train',
      file('train2.tsv', TRAIN),
      '--test',
      file('unseen.tsv', 'SessionId\tItemId\tTime\n8\tq\t1\n8\tr\t2\n'),
    ]);
    expect(noTest.status).toBe(2);
    expect(noTest.stderr).toContain('no test session has two clicks on items seen in training');
    const format = runStageScript('next-item', ['--train', file('x.tsv', TRAIN), '--format', 'csv']);
    expect(format.status).toBe(2);
    expect(format.stderr).toContain("--format must be one of session-rec, yoochoose, diginetica, got 'csv'");
  });
});
