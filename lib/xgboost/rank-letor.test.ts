import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runStageScript, tempDir } from '../testing';
import { groupsFromQids, libsvmColumns, parseQueryFile } from './datasets';

const D = join(ROOT, '..', 'shared', 'datasets', 'lightgbm-examples');
const reference = JSON.parse(readFileSync(join(ROOT, '..', 'shared', 'reference', 'xgboost-lightgbm-examples.json'), 'utf8')).rank;

/** Rewrites a libsvm file with `qid:` from its .query group sizes. */
function withQids(name: string, dir: string): string {
  const groups = parseQueryFile(readFileSync(join(D, `${name}.query`), 'utf8'));
  const lines = readFileSync(join(D, name), 'utf8').trim().split('\n');
  let row = 0;
  const out: string[] = [];
  groups.forEach((size, q) => {
    for (let i = 0; i < size; i++, row++) {
      const [label, ...rest] = lines[row].split(/\s+/);
      out.push([label, `qid:${q + 1}`, ...rest].join(' '));
    }
  });
  const path = join(dir, name);
  writeFileSync(path, `${out.join('\n')}\n`);
  return path;
}

describe('rank-letor', () => {
  it('prints NDCG@1/3/5/10 equal to the Python reference, from .query files or from qid:', () => {
    const fromQuery = runStageScript('rank-letor', ['--train', join(D, 'rank.train'), '--train-query', join(D, 'rank.train.query'),
      '--test', join(D, 'rank.test'), '--test-query', join(D, 'rank.test.query')]);
    expect(fromQuery.status, fromQuery.stderr).toBe(0);
    for (const k of [1, 3, 5, 10]) expect(fromQuery.summary!.metrics[`ndcg@${k}`].toFixed(6)).toBe(reference.metrics[`ndcg@${k}`].toFixed(6));
    expect(fromQuery.summary!.metrics.mrr).toBeGreaterThan(0);
    const dir = tempDir('shoplab-letor-');
    const fromQid = runStageScript('rank-letor', ['--train', withQids('rank.train', dir), '--test', withQids('rank.test', dir)]);
    expect(fromQid.status, fromQid.stderr).toBe(0);
    expect(fromQid.summary!.metrics).toEqual(fromQuery.summary!.metrics);
  });

  it('exits 2 naming the file when query groups are missing or do not cover it', () => {
    const missing = runStageScript('rank-letor', ['--train', join(D, 'rank.train'), '--test', join(D, 'rank.test')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/rank\.train: no qid: on every line and no --train-query file/);
    const wrong = runStageScript('rank-letor', ['--train', join(D, 'rank.train'), '--train-query', join(D, 'rank.test.query'), '--test', join(D, 'rank.test'), '--test-query', join(D, 'rank.test.query')]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/query groups cover 768 rows, .*rank\.train has 3005/);
  });

  it('reads groups from consecutive qids and counts columns the way the parser does', () => {
    expect(Array.from(groupsFromQids([7, 7, 3, 3, 3, 7]))).toEqual([2, 3, 1]);
    expect(libsvmColumns(['1 1:0.5 300:1'])).toBe(300);
    expect(libsvmColumns(['1 0:0.5 299:1'])).toBe(300);
  });
});
