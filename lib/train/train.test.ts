import { describe, expect, it } from 'vitest';

import { Rng } from '../random';
import { DMatrix, train } from '../xgboost';
import {
  assertBelowOracle,
  brandMajority,
  expectedGain,
  gapClosed,
  groupSizes,
  headRows,
  LeakError,
  rankingDetails,
  selectGroups,
  type SplitData,
  unweightProbabilities,
} from '.';

describe('references', () => {
  it('expected gain follows the funnel: click, cart given click, purchase given cart', () => {
    // 0.5 × (0.6 × 1 + 0.4 × (0.75 × 3 + 0.25 × 7)) by hand.
    expect(expectedGain(0.5, 0.4, 0.25)).toBeCloseTo(1.1, 12);
    expect(expectedGain(0, 0.9, 0.9)).toBe(0);
  });

  it("the brand baseline predicts each brand's most frequent training category, else the overall one", () => {
    const scores = brandMajority(
      ['a', 'a', 'a', 'b', null, 'c', 'c'],
      [1, 1, 2, 0, 2, 2, 2],
      ['a', 'b', 'zzz', null],
      3,
    );
    // a → 1 (two of three), b → 0, unseen and missing → 2 (four of seven overall).
    expect(Array.from(scores)).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1]);
  });
});

describe('evaluation guards', () => {
  it('a model better than the oracle on any metric is a leak', () => {
    expect(() => assertBelowOracle('ranking', { 'ndcg@10': 0.81 }, { 'ndcg@10': 0.8 })).toThrow(LeakError);
    expect(() => assertBelowOracle('purchase', { log_loss: 0.2 }, { log_loss: 0.25 })).toThrow(
      /log_loss 0.2000 vs oracle 0.2500/,
    );
    expect(() =>
      assertBelowOracle('purchase', { log_loss: 0.3, roc_auc: 0.7 }, { log_loss: 0.25, roc_auc: 0.9 }),
    ).not.toThrow();
  });

  it('gap closed is the share of the random → oracle distance covered', () => {
    expect(gapClosed(0.5, 0.8, 0.9)).toBeCloseTo(0.75, 12);
    expect(gapClosed(0.5, 0.5, 0.5)).toBeNull();
  });
});

describe('report details', () => {
  it('selects whole groups', () => {
    expect(selectGroups([2, 1, 3], (g) => g !== 1)).toEqual({ rows: [0, 1, 3, 4, 5], groups: [2, 3] });
  });

  it('buckets test searches by how often their query was searched in training', () => {
    const split = (queries: string[][], labels: number[]): SplitData => ({
      matrix: { features: ['a'], rows: labels.length, values: new Float32Array(labels.length) },
      labels: Float64Array.from(labels),
      groups: Uint32Array.from(queries.map((q) => q.length)),
      extras: { query: queries.flat() },
    });
    // Training: 'shoe' searched 5 times, 'hat' once. Test: a 'shoe' search ranked right, a 'hat' search ranked wrong, a new query.
    const train = split([...Array(5).fill(['shoe']), ['hat']], Array(6).fill(0));
    const test = split(
      [
        ['shoe', 'shoe'],
        ['hat', 'hat'],
        ['sock', 'sock'],
      ],
      [1, 0, 1, 0, 0, 0],
    );
    const model = [2, 1, 1, 2, 0, 0];
    const details = rankingDetails(train, test, { random: model, baseline: model, model, oracle: null }, () => 0);
    if (details.family !== 'ranking') throw new Error('wrong family');
    expect(details.by_query_frequency.map((b) => [b.bucket, b.searches, b.ndcg_at_10.model])).toEqual([
      // The new query has no relevant item: NDCG 1 by definition. 'hat' puts its relevant item second: 1 / log2(3).
      ['new (0)', 1, 1],
      ['1–4', 1, 1 / Math.log2(3)],
      ['5–19', 1, 1],
      ['20+', 0, undefined],
    ]);
    expect(details.ndcg_by_k.model![0]).toBeCloseTo((1 + 0 + 1) / 3, 12);
  });
});

describe('scale_pos_weight correction', () => {
  it('divides the weight out of the odds', () => {
    // p = 0.5 is odds 1; odds / 3 = 1/3 is p = 0.25. p = 0.75 is odds 3 → 1 → 0.5.
    const p = unweightProbabilities(Float32Array.of(0.5, 0.75), { objective: 'binary:logistic', scale_pos_weight: 3 });
    expect(p[0]).toBeCloseTo(0.25, 6);
    expect(p[1]).toBeCloseTo(0.5, 6);
  });

  it('gives back the observed rates of a model trained with the weight', () => {
    // One binary feature with known rates: 20 % positives at x = 0, 60 % at x = 1.
    const rng = new Rng(3);
    const n = 20000;
    const x = new Float32Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = i % 2;
      y[i] = rng.bernoulli(x[i] ? 0.6 : 0.2) ? 1 : 0;
    }
    const rate = (v: number) => {
      let s = 0,
        c = 0;
      for (let i = 0; i < n; i++)
        if (x[i] === v) {
          s += y[i];
          c++;
        }
      return s / c;
    };
    const params = { objective: 'binary:logistic', scale_pos_weight: 4, eta: 0.3, max_depth: 1, nthread: 1 };
    const matrix = new DMatrix(x, n, 1, { labels: Float32Array.from(y) });
    const { booster } = train(params, matrix, { rounds: 100 });
    const p = unweightProbabilities(booster.predict(matrix).values, params);
    booster.dispose();
    matrix.dispose();
    // Uncorrected, the weighted model would say about 0.5 and 0.86.
    expect(p[0]).toBeCloseTo(rate(0), 2);
    expect(p[1]).toBeCloseTo(rate(1), 2);
  });
});

describe('data helpers', () => {
  it('group sizes are the runs of equal consecutive keys', () => {
    expect(Array.from(groupSizes([7, 7, 7, 2, 9, 9]))).toEqual([3, 1, 2]);
  });

  it('a head of a ranking split keeps whole groups and every column in step', () => {
    const data: SplitData = {
      matrix: { features: ['a'], rows: 6, values: Float32Array.of(1, 2, 3, 4, 5, 6) },
      labels: Float64Array.of(0, 1, 0, 0, 2, 0),
      groups: Uint32Array.of(2, 3, 1),
      extras: { search_id: [1, 1, 2, 2, 2, 3] },
    };
    // Four rows asked: the second group would be cut, so only the first (two rows) is kept.
    const head = headRows(data, 4);
    expect(Array.from(head.groups!)).toEqual([2]);
    expect(Array.from(head.matrix.values)).toEqual([1, 2]);
    expect(Array.from(head.labels)).toEqual([0, 1]);
    expect(head.extras.search_id).toEqual([1, 1]);
    expect(headRows(data, 5).matrix.rows).toBe(5);
  });
});
