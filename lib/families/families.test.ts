import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { Rng } from '../random';
import {
  checkTrainConfig,
  fitFamily,
  LeakError,
  metricsByKey,
  sampleRows,
  type SplitData,
  toDMatrix,
} from '../train/index';
import { FAMILIES, FAMILY_NAMES, loadTrainConfig, purchase, type ShopConfig } from './index';
import type { SessionLog } from '../nextitem/index';
import { countSessionExamples } from './session';

describe('the registry', () => {
  it('lists every family once, under its own name, with metrics the shipped config picks from', () => {
    const config = loadTrainConfig();
    expect(Object.keys(FAMILIES)).toEqual([...FAMILY_NAMES]);
    for (const name of FAMILY_NAMES) {
      const family = FAMILIES[name];
      expect(family.name).toBe(name);
      expect(new Set(family.metrics).size, name).toBe(family.metrics.length);
      expect(family.metrics, name).toContain(config.families[name].primary);
      for (const guard of config.families[name].guards) expect(family.metrics, name).toContain(guard);
    }
  });
});

describe('metrics by key', () => {
  it("scores each key's rows on their own", () => {
    // Key 1: a perfect order (AUC 1); key 2: a reversed one (AUC 0).
    const byKey = metricsByKey(
      purchase.evaluate,
      [2, 1, 1, 2, 1, 2],
      { labels: [1, 1, 0, 0, 1, 1] },
      [0.1, 0.9, 0.2, 0.8, 0.7, 0.3],
    );
    expect(byKey.map((k) => [k.key, k.rows, k.metrics.roc_auc])).toEqual([
      [1, 3, 1],
      [2, 3, 0],
    ]);
  });
});

describe('fitFamily', () => {
  /** A purchase world where the truth is p = sigmoid(4x − 2) and `leak` optionally copies the label into a feature. */
  function world(seed: number, n: number, leak: boolean): SplitData {
    const rng = new Rng(seed);
    const features = leak ? 2 : 1;
    const values = new Float32Array(n * features);
    const labels = new Float64Array(n);
    const p: number[] = [];
    for (let i = 0; i < n; i++) {
      const x = rng.next();
      p.push(1 / (1 + Math.exp(-(4 * x - 2))));
      labels[i] = rng.bernoulli(p[i]) ? 1 : 0;
      values[i * features] = x;
      if (leak) values[i * features + 1] = labels[i];
    }
    return { matrix: { features: leak ? ['x', 'leak'] : ['x'], rows: n, values }, labels, extras: { p_purchase: p } };
  }
  const config = testConfig({ objective: 'binary:logistic', eval_metric: 'logloss', eta: 0.1, max_depth: 2 });

  const honest = {
    train: world(1, 20000, false),
    valid: world(2, 5000, false),
    test: world(3, 20000, false),
    features: ['x'],
  };

  it('an honest model stays below the oracle and closes most of the gap', async () => {
    const fit = await fitFamily(purchase, honest, config.families.purchase, config);
    fit.result.booster.dispose();
    expect(fit.metrics.model.roc_auc).toBeLessThanOrEqual(fit.metrics.oracle!.roc_auc);
    expect(fit.gapClosed!).toBeGreaterThan(0.8);
    // The baseline is a logistic regression, the true model here: it sits at the oracle too.
    expect(fit.metrics.baseline.roc_auc).toBeCloseTo(fit.metrics.oracle!.roc_auc, 2);
  });

  it("above curveRows training rows, the curve's train values are the metric on a sample; the model is the same", async () => {
    const data = honest;
    const fc = { ...config.families.purchase, rounds: 12, early_stopping_rounds: 50 };
    const whole = await fitFamily(purchase, data, fc, config);
    const sampled = await fitFamily(purchase, data, fc, config, () => {}, 2000);
    expect(sampled.testScores).toEqual(whole.testScores);
    expect(sampled.curve.map((c) => c.valid)).toEqual(whole.curve.map((c) => c.valid));
    // Each train value is the log loss of the round's model on the 2,000 sampled training rows
    // (computed here by hand), near but not equal to its log loss on all 20,000.
    const rows = data.train.matrix.rows;
    const logLoss = (p: Float32Array, picked: ArrayLike<number>) => {
      let sum = 0;
      for (let i = 0; i < picked.length; i++) {
        const y = data.train.labels[picked[i]];
        const q = p[picked[i]];
        sum -= y ? Math.log(q) : Math.log(1 - q);
      }
      return sum / picked.length;
    };
    const all = Array.from({ length: rows }, (_, i) => i);
    const dall = toDMatrix(data.train);
    try {
      for (const round of [1, 6, 12]) {
        const p = sampled.result.booster.predict(dall, 'value', round).values;
        const value = sampled.curve[round - 1].train;
        expect(value).toBeCloseTo(whole.curve[round - 1].train, 1);
        expect(Math.abs(value - logLoss(p, all))).toBeGreaterThan(1e-6);
        expect(value).toBeCloseTo(logLoss(p, sampleRows(rows, 2000, config.seed)), 5);
      }
    } finally {
      dall.dispose();
      whole.result.booster.dispose();
      sampled.result.booster.dispose();
    }
  });

  it('a feature that copies the label is caught as a leak', async () => {
    const data = {
      train: world(1, 5000, true),
      valid: world(2, 2000, true),
      test: world(3, 5000, true),
      features: ['x', 'leak'],
    };
    await expect(fitFamily(purchase, data, config.families.purchase, config)).rejects.toThrow(LeakError);
  });
});

describe('config', () => {
  it('the shipped config is valid', () => {
    const config = loadTrainConfig();
    expect(config.families.ranking.primary).toBe('ndcg@10');
    expect(config.families.purchase.primary).toBe('pr_auc');
    expect(config.families.category.primary).toBe('macro_f1');
  });

  it('problems name the file and the field', () => {
    const base = JSON.parse(readFileSync('config/models.json', 'utf8')) as Record<string, any>;
    const broken = (edit: (c: Record<string, any>) => void) => {
      const c = structuredClone(base);
      edit(c);
      return () => checkTrainConfig(c, 'my.json', Object.values(FAMILIES));
    };
    expect(
      broken((c) => {
        c.families.ranking.primary = 'auc';
      }),
    ).toThrow("my.json: field 'families.ranking.primary' must be one of ndcg@1");
    expect(
      broken((c) => {
        c.families.purchase.params.nthread = 4;
      }),
    ).toThrow("my.json: field 'families.purchase.params' must not set nthread");
    expect(
      broken((c) => {
        c.nthread = 0;
      }),
    ).toThrow("my.json: field 'nthread' must be a whole number from 1");
    expect(
      broken((c) => {
        c.families.extra = {};
      }),
    ).toThrow("field 'families.extra' is not a model family");
    expect(
      broken((c) => {
        c.families.recommend.recommend.embedding.dim = 0;
      }),
    ).toThrow("field 'families.recommend.recommend.embedding.dim' must be a whole number from 2 to 512, got 0");
    expect(
      broken((c) => {
        c.families.recommend.recommend.candidates.per_source.popular = 5;
      }),
    ).toThrow("field 'families.recommend.recommend.candidates.per_source.popular' must be a whole number from 20");
    expect(
      broken((c) => {
        delete c.families.recommend.recommend.covisit;
      }),
    ).toThrow("field 'families.recommend.recommend.covisit' must be an object");
    expect(
      broken((c) => {
        delete c.families.category;
      }),
    ).toThrow("field 'families.category' must be an object");
  });
});

/** A config whose purchase family uses `params`, a few rounds, no SHAP. */
function testConfig(params: Record<string, string | number>): ShopConfig {
  const none = { train: 0, valid: 0, test: 0 };
  const requirements = { min_examples: none, min_positives: none, why: 'test' };
  const family = {
    primary: 'pr_auc',
    guards: [],
    floor_over_random: 0,
    requirements,
    rounds: 60,
    early_stopping_rounds: 10,
    shap_rows: 0,
    params,
    settings: {},
  };
  return {
    seed: 1,
    nthread: 1,
    promotion_margin: 0.05,
    families: { ranking: family, purchase: family, category: family, recommend: family, session: family },
  };
}

describe("the session family's counts", () => {
  it('counts examples and distinct items per split by hand', () => {
    const ints = (...xs: number[]) => Int32Array.from(xs);
    // Items 0–5; the last two training sessions are the validation period.
    const s = {
      log: {
        items: ['a', 'b', 'c', 'd', 'e', 'f'],
        train: [ints(0, 1), ints(1, 2, 1), ints(3, 3), ints(2, 3, 3)],
        test: [ints(4, 0), ints(0, 4, 5), ints(5, 5)],
        dropped: { trainSessionsOfOne: 0, testClicksUnseen: 0, testSessionsTooShort: 0 },
      },
      validSessions: 2,
    } as unknown as SessionLog;
    expect(countSessionExamples(s)).toEqual({
      train: { examples: 2, positives: 6 },
      valid: { examples: 2, positives: 2 },
      test: { examples: 3, positives: 3 },
    });
  });
});
