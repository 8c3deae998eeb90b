import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { tempDir } from '../testing';
import { decidePromotion, listVersions, readProduction, registerVersion, writeProduction } from '.';

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
