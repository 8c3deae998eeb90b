import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { tempDir } from '../testing';
import { InputError } from '../errors';
import {
  decidePromotion,
  listVersions,
  openVersion,
  readProduction,
  registerVersion,
  writeProduction,
  writeVersionFiles,
} from '.';

describe('promotion', () => {
  const base = { primary: 'ndcg@10', guards: ['mrr', 'log_loss'], margin: 0.05 };
  const production = { 'ndcg@10': 0.6, mrr: 0.5, log_loss: 0.4 };

  it('promotes the first model', () => {
    expect(decidePromotion({ ...base, candidate: production, production: null })).toMatchObject({
      promote: true,
      reason: expect.stringContaining('no production model'),
    });
  });

  it('needs the primary metric to gain the margin, relative to production', () => {
    // 0.6 × 1.05 = 0.63: 0.629 falls short, 0.631 clears it.
    expect(decidePromotion({ ...base, candidate: { ...production, 'ndcg@10': 0.629 }, production })).toMatchObject({
      promote: false,
      reason: expect.stringContaining('below the 5.0 % margin'),
    });
    expect(decidePromotion({ ...base, candidate: { ...production, 'ndcg@10': 0.631 }, production }).promote).toBe(true);
  });

  it('refuses when a guard regresses, whichever way the guard is better', () => {
    const better = { 'ndcg@10': 0.7 };
    expect(decidePromotion({ ...base, candidate: { ...production, ...better, mrr: 0.49 }, production })).toMatchObject({
      promote: false,
      reason: expect.stringContaining('mrr 0.4900 vs 0.5000'),
    });
    expect(
      decidePromotion({ ...base, candidate: { ...production, ...better, log_loss: 0.41 }, production }),
    ).toMatchObject({ promote: false, reason: expect.stringContaining('log_loss') });
    expect(
      decidePromotion({ ...base, candidate: { ...production, ...better, log_loss: 0.39 }, production }).promote,
    ).toBe(true);
  });

  it('replaces production trained on other features than this code computes, whatever the metrics', () => {
    const worse = { ...production, 'ndcg@10': 0.5 };
    const changed = decidePromotion({
      ...base,
      candidate: worse,
      production,
      features: { candidate: ['a', 'b', 'c'], production: ['a', 'b'] },
    });
    expect(changed).toMatchObject({
      promote: true,
      reason: expect.stringContaining('production was trained on other features (1 added, 0 removed)'),
    });
    // The same features: the metrics decide as before.
    const same = { candidate: ['a', 'b'], production: ['a', 'b'] };
    expect(decidePromotion({ ...base, candidate: worse, production, features: same }).promote).toBe(false);
  });
});

describe('registry', () => {
  it('numbers versions in order and writes each whole or not at all', () => {
    const dir = join(tempDir(), 'ranking');
    expect(registerVersion(dir, (d) => writeFileSync(join(d, 'model.json'), '{}'))).toBe(1);
    expect(registerVersion(dir, (d) => writeFileSync(join(d, 'model.json'), '{"b":1}'))).toBe(2);
    expect(() =>
      registerVersion(dir, (d) => {
        writeFileSync(join(d, 'model.json'), 'half');
        throw new Error('killed');
      }),
    ).toThrow('killed');
    expect(listVersions(dir)).toEqual([1, 2]);
    expect(readdirSync(dir).sort()).toEqual(['v1', 'v2']);
    expect(readFileSync(join(dir, 'v2', 'model.json'), 'utf8')).toBe('{"b":1}');
  });

  it('keeps one production pointer per family', () => {
    const dir = join(tempDir(), 'purchase');
    registerVersion(dir, () => {});
    expect(readProduction(dir)).toBeNull();
    writeProduction(dir, { version: 1, reason: 'first' });
    expect(readProduction(dir)).toEqual({ version: 1, reason: 'first' });
    expect(existsSync(join(dir, 'production.json'))).toBe(true);
  });
});

describe('typed model versions', () => {
  const files = {
    features: ['a', 'b'],
    params: {
      family: 'purchase',
      xgboost: { objective: 'binary:logistic' },
      rounds: 3,
      max_rounds: 10,
      early_stopping_rounds: 2,
      primary: 'pr_auc',
      guards: [],
      floor_over_random: 0.05,
      shap_rows: 0,
      probability_correction: null,
    },
    metrics: {
      family: 'purchase',
      primary: 'pr_auc',
      metrics: { random: { pr_auc: 0.1 }, baseline: { pr_auc: 0.2 }, model: { pr_auc: 0.3 }, oracle: null },
      gap_closed: null,
      curve: [],
      importance: {},
      shap: {},
      details: { family: 'purchase' },
    },
    fingerprints: { 'features/purchase_train.parquet': 'abc' },
  };

  it('reads back what a registration wrote, file by file', () => {
    const familyDir = join(tempDir(), 'purchase');
    const version = registerVersion(familyDir, (dir) => writeVersionFiles(dir, files));
    const v = openVersion(familyDir, version);
    expect([v.features(), v.params(), v.metrics(), v.fingerprints(), v.classes()]).toEqual([
      files.features,
      files.params,
      files.metrics,
      files.fingerprints,
      null,
    ]);
    expect(v.modelPath).toBe(join(familyDir, 'v1', 'model.json'));
  });

  it('names the missing version, or the missing or damaged file', () => {
    const familyDir = join(tempDir(), 'ranking');
    expect(() => openVersion(familyDir, 4)).toThrow(InputError);
    expect(() => openVersion(familyDir, 4)).toThrow(`${join(familyDir, 'v4')}: no such model version`);
    const version = registerVersion(familyDir, (dir) => writeFileSync(join(dir, 'metrics.json'), '{"family": '));
    expect(() => openVersion(familyDir, version).params()).toThrow(
      `${join(familyDir, 'v1', 'params.json')}: no such file`,
    );
    expect(() => openVersion(familyDir, version).metrics()).toThrow(
      `${join(familyDir, 'v1', 'metrics.json')}: not valid JSON`,
    );
  });
});
