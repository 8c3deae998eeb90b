import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lightgbmExamplePath, referenceJson, runStageScript, tempDir, TEST_FILES } from '../testing';
import { groupsFromQids, libsvmColumns, parseLibsvm, parseQueryFile } from './datasets';

const D = lightgbmExamplePath('.');
const reference = referenceJson('xgboost-lightgbm-examples').rank;

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
    const fromQuery = runStageScript('rank-letor', [
      '--train',
      join(D, 'rank.train'),
      '--train-query',
      join(D, 'rank.train.query'),
      '--test',
      join(D, 'rank.test'),
      '--test-query',
      join(D, 'rank.test.query'),
    ]);
    expect(fromQuery.status, fromQuery.stderr).toBe(0);
    for (const k of [1, 3, 5, 10])
      expect(fromQuery.summary!.metrics[`ndcg@${k}`].toFixed(6)).toBe(reference.metrics[`ndcg@${k}`].toFixed(6));
    expect(fromQuery.summary!.metrics.mrr).toBeGreaterThan(0);
    const dir = tempDir('shoplab-letor-');
    const fromQid = runStageScript('rank-letor', [
      '--train',
      withQids('rank.train', dir),
      '--test',
      withQids('rank.test', dir),
    ]);
    expect(fromQid.status, fromQid.stderr).toBe(0);
    expect(fromQid.summary!.metrics).toEqual(fromQuery.summary!.metrics);
  });

  it('exits 2 naming the file when query groups are missing or do not cover it', () => {
    const missing = runStageScript('rank-letor', ['--train', join(D, 'rank.train'), '--test', join(D, 'rank.test')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/rank\.train: no qid: on every line and no --train-query file/);
    const wrong = runStageScript('rank-letor', [
      '--train',
      join(D, 'rank.train'),
      '--train-query',
      join(D, 'rank.test.query'),
      '--test',
      join(D, 'rank.test'),
      '--test-query',
      join(D, 'rank.test.query'),
    ]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/query groups cover 768 rows, .*rank\.train has 3005/);
  });

  it('reads groups from consecutive qids and counts columns the way the parser does', () => {
    expect(Array.from(groupsFromQids([7, 7, 3, 3, 3, 7]))).toEqual([2, 3, 1]);
    expect(libsvmColumns(['1 1:0.5 300:1'])).toBe(300);
    expect(libsvmColumns(['1 0:0.5 299:1'])).toBe(300);
  });

  it('reads LETOR 3.0/4.0 rows that end in a #docid comment (MQ2008 layout), as if the comment were not there', () => {
    const letor = (name: string) => join(TEST_FILES, 'fixtures', 'letor', `mq2008-style.${name}`);
    const run = runStageScript('rank-letor', [
      '--train',
      letor('train'),
      '--valid',
      letor('vali'),
      '--test',
      letor('test'),
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.summary!.features).toBe(46);
    expect(run.summary!.rows).toEqual({ train: 192, test: 64 });
    // The same rows with every comment cut off by hand, and with Windows line ends, rank identically.
    const dir = tempDir('shoplab-letor-');
    const rewrite = (name: string, eol: string) => {
      const path = join(dir, name);
      writeFileSync(
        path,
        readFileSync(letor(name), 'utf8')
          .split('\n')
          .map((l) => l.replace(/ #docid = .*$/, ''))
          .join(eol),
      );
      return path;
    };
    const plain = runStageScript('rank-letor', [
      '--train',
      rewrite('train', '\n'),
      '--valid',
      rewrite('vali', '\r\n'),
      '--test',
      rewrite('test', '\r\n'),
    ]);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.summary!.metrics).toEqual(run.summary!.metrics);
    // Features 1, 3, 11, 25 and 39 carry the label in this fixture: the model must find them.
    expect(run.summary!.metrics['ndcg@10']).toBeGreaterThan(0.85);
  });

  it('parses comments, comment-only lines and qids by hand, and still refuses genuinely malformed rows', () => {
    const parsed = parseLibsvm(
      '# a header comment\n2 qid:7 1:0.5 3:1 #docid = GX1-2-3 inc = 1 prob = 0.1\n\n0 qid:7 2:0.25#docid = x\n',
      3,
    );
    expect(parsed.rows).toBe(2);
    expect(Array.from(parsed.labels)).toEqual([2, 0]);
    expect(parsed.qids).toEqual([7, 7]);
    expect(Array.from(parsed.values)).toEqual([0.5, NaN, 1, NaN, 0.25, NaN]);
    expect(libsvmColumns(['1 qid:1 1:0.5 46:0 #docid = GX015-44-4118282 inc = 1 prob = 0.10'])).toBe(46);
    expect(() => parseLibsvm('1 qid:1 1:0.5\n1 qid:1 abc\n', 1)).toThrow('line 2: field "abc" is not index:value');
    expect(() => parseLibsvm('1 qid:1 1:0.5 2:x\n', 2)).toThrow('line 1: field "2:x" is not index:value');
    expect(() => parseLibsvm('high qid:1 1:0.5\n', 1)).toThrow('line 1: label "high" is not a number');
    const dir = tempDir('shoplab-letor-');
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '1 qid:1 1:0.5 #docid = a\n0 qid:1 docid=b\n');
    const run = runStageScript('rank-letor', ['--train', bad, '--test', bad]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('bad.txt: line 2: field "docid=b" is not index:value');
  });
});
