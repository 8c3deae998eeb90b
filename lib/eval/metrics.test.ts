import { describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { lightgbmExample as dataset, referenceJson } from '../testing';
import { parseLabelFirst, parseLibsvm, parseQueryFile } from '../xgboost/datasets';
import { DMatrix, train } from '../xgboost';
import {
  accuracy,
  averagePrecision,
  brierScore,
  calibrationBins,
  catalogueCoverage,
  confusionMatrix,
  ctrAtK,
  logLoss,
  macroF1,
  mapAtK,
  meanReciprocalRank,
  microF1,
  ndcgAtK,
  precisionRecallCurve,
  recallAtK,
  rocAuc,
  rocCurve,
  userMrrAtK,
  userNdcgAtK,
} from '.';

const cases = referenceJson('metric-cases');

describe('metrics match scikit-learn on every reference case', () => {
  it('binary: AUC, average precision, log loss', () => {
    for (const c of cases.binary) {
      expect(rocAuc(c.y, c.score)).toBeCloseTo(c.auc, 12);
      expect(averagePrecision(c.y, c.score)).toBeCloseTo(c.average_precision, 12);
      expect(logLoss(c.y, c.score)).toBeCloseTo(c.logloss, 12);
    }
  });
  it('ranking: NDCG@1/3/5/10 and MRR', () => {
    for (const c of cases.ranking) {
      for (const k of [1, 3, 5, 10])
        expect(ndcgAtK(c.rel, c.score, c.group_sizes, k), `ndcg@${k}`).toBeCloseTo(c[`ndcg@${k}`], 12);
      expect(meanReciprocalRank(c.rel, c.score, c.group_sizes)).toBeCloseTo(c.mrr, 12);
    }
  });
  it('recommendation: recall@k and MAP@k', () => {
    for (const c of cases.recommendation) {
      for (const k of [5, 10, 20]) {
        expect(recallAtK(c.users, k), `recall@${k}`).toBeCloseTo(c[`recall@${k}`], 12);
        expect(mapAtK(c.users, k), `map@${k}`).toBeCloseTo(c[`map@${k}`], 12);
      }
    }
  });
  it('multiclass: accuracy, macro F1, confusion matrix; micro F1 equals accuracy', () => {
    for (const c of cases.multiclass) {
      const classes = c.confusion.length;
      const confusion = confusionMatrix(c.y, c.pred, classes);
      expect(confusion).toEqual(c.confusion);
      expect(accuracy(c.y, c.pred)).toBeCloseTo(c.accuracy, 12);
      expect(macroF1(confusion)).toBeCloseTo(c.macro_f1, 12);
      expect(microF1(confusion)).toBeCloseTo(c.accuracy, 12);
    }
  });
});

describe('small cases by hand', () => {
  it('Brier score and calibration bins', () => {
    expect(brierScore([1, 0], [0.8, 0.4])).toBeCloseTo((0.04 + 0.16) / 2, 12);
    const bins = calibrationBins([1, 0, 1, 0], [0.05, 0.15, 0.95, 0.91], 10);
    expect(bins.map((b) => [b.lo, b.hi, b.count, b.fractionPositive])).toEqual([
      [0, 0.1, 1, 1],
      [0.1, 0.2, 1, 0],
      [0.9, 1, 2, 0.5],
    ]);
    expect(bins[2].meanPredicted).toBeCloseTo(0.93, 12);
  });
  it('CTR@k: share of relevant items in each query top k, averaged', () => {
    // Query 1 ranks by score 3, 2, 1 → rel [1, 1, 0]: top 2 is 2 of 2; query 2 ranks rel [0, 1]: 1 of 2. Mean 0.75.
    expect(ctrAtK([0, 1, 1, 0, 1], [1, 3, 2, 5, 4], [3, 2], 2)).toBeCloseTo(0.75, 12);
  });
  it('a query with no relevant item scores NDCG 1 and is left out of MRR', () => {
    expect(ndcgAtK([0, 0], [1, 2], [2], 10)).toBe(1);
    expect(meanReciprocalRank([0, 0, 0, 1], [1, 2, 1, 2], [2, 2])).toBe(1);
  });
});

describe("metrics agree with XGBoost's own evaluation on the same predictions", () => {
  it('ndcg@5 and ndcg@10 on the ranking example', () => {
    const trainSet = parseLibsvm(dataset('rank.train'), 300);
    const testSet = parseLibsvm(dataset('rank.test'), 300);
    const groups = parseQueryFile(dataset('rank.test.query'));
    const dtrain = new DMatrix(trainSet.values, trainSet.rows, trainSet.cols, {
      labels: trainSet.labels,
      groups: parseQueryFile(dataset('rank.train.query')),
    });
    const dtest = new DMatrix(testSet.values, testSet.rows, testSet.cols, { labels: testSet.labels, groups });
    const { booster } = train(
      {
        objective: 'rank:ndcg',
        eta: 0.1,
        max_depth: 6,
        tree_method: 'hist',
        nthread: 1,
        seed: 0,
        eval_metric: 'ndcg@5',
      },
      dtrain,
      { rounds: 30 },
    );
    booster.setParams({ eval_metric: 'ndcg@10' });
    const xgb = booster.evaluate([[dtest, 'test']]).test;
    const scores = booster.predict(dtest).values;
    expect(ndcgAtK(testSet.labels, scores, groups, 5)).toBeCloseTo(xgb['ndcg@5'], 6);
    expect(ndcgAtK(testSet.labels, scores, groups, 10)).toBeCloseTo(xgb['ndcg@10'], 6);
  });
  it('AUC and log loss on the binary example', () => {
    const trainSet = parseLabelFirst(dataset('binary.train'));
    const testSet = parseLabelFirst(dataset('binary.test'));
    const dtrain = new DMatrix(trainSet.values, trainSet.rows, trainSet.cols, { labels: trainSet.labels });
    const dtest = new DMatrix(testSet.values, testSet.rows, testSet.cols, { labels: testSet.labels });
    const { booster } = train({ objective: 'binary:logistic', nthread: 1, eval_metric: 'auc' }, dtrain, { rounds: 20 });
    booster.setParams({ eval_metric: 'logloss' });
    const xgb = booster.evaluate([[dtest, 'test']]).test;
    const p = booster.predict(dtest).values;
    expect(rocAuc(testSet.labels, p)).toBeCloseTo(xgb.auc, 6);
    expect(logLoss(testSet.labels, p)).toBeCloseTo(xgb.logloss, 6);
  });
});

describe('curves', () => {
  it('ROC and PR points by hand', () => {
    // Scores 0.9 (pos), 0.5 (pos, neg: a tie), 0.1 (neg).
    const y = [1, 1, 0, 0];
    const s = [0.9, 0.5, 0.5, 0.1];
    expect(rocCurve(y, s).map((p) => [p.x, p.y])).toEqual([
      [0, 0],
      [0, 0.5],
      [0.5, 1],
      [1, 1],
    ]);
    expect(precisionRecallCurve(y, s).map((p) => [p.threshold, p.x, p.y])).toEqual([
      [0.9, 0.5, 1],
      [0.5, 1, 2 / 3],
      [0.1, 1, 0.5],
    ]);
  });

  it('ties are one threshold however the rows come, -0 and 0 too; bad labels and NaN scores are named', () => {
    // By hand: 0.7 holds two positives and a negative, 0 (and -0) a positive and two negatives.
    const y = [0, 1, 0, 1, 1, 0, 0];
    const s = [0, 0.7, 0.7, -0, 0.7, -0, 0.2];
    expect(precisionRecallCurve(y, s).map((p) => [p.threshold, p.x, p.y])).toEqual([
      [0.7, 2 / 3, 2 / 3],
      [0.2, 2 / 3, 2 / 4],
      [0, 1, 3 / 7],
    ]);
    expect(rocCurve(y, s).map((p) => [p.x, p.y])).toEqual([
      [0, 0],
      [1 / 4, 2 / 3],
      [2 / 4, 2 / 3],
      [1, 1],
    ]);
    // (2/3)(2/3) + 0 + (1/3)(3/7).
    expect(averagePrecision(y, s)).toBeCloseTo(4 / 9 + 1 / 7, 15);
    const reversed = [...s].reverse();
    expect(averagePrecision([...y].reverse(), reversed)).toBe(averagePrecision(y, s));
    expect(() => averagePrecision([0, 2, 1], [0.1, 0.2, 0.3])).toThrow(
      'averagePrecision: label 1 is 2, expected 0 or 1',
    );
    expect(() => rocCurve([0, 1, 1], [0.1, NaN, 0.3])).toThrow('rocCurve: score 1 is NaN');
  });

  it('the trapezoid area under the ROC curve is ROC AUC; the step area under PR is average precision', () => {
    const rng = new Rng(5);
    const y = Array.from({ length: 3000 }, () => (rng.bernoulli(0.3) ? 1 : 0));
    const s = y.map((v) => Math.round((rng.normal() + v) * 20) / 20);
    const roc = rocCurve(y, s);
    let area = 0;
    for (let k = 1; k < roc.length; k++) area += ((roc[k].x - roc[k - 1].x) * (roc[k].y + roc[k - 1].y)) / 2;
    expect(area).toBeCloseTo(rocAuc(y, s), 12);
    const pr = precisionRecallCurve(y, s);
    let ap = 0;
    for (let k = 0; k < pr.length; k++) ap += (pr[k].x - (k ? pr[k - 1].x : 0)) * pr[k].y;
    expect(ap).toBeCloseTo(averagePrecision(y, s), 12);
    const thin = rocCurve(y, s, 50);
    expect(thin.length).toBe(50);
    expect(thin[0]).toEqual(roc[0]);
    expect(thin[49]).toEqual(roc[roc.length - 1]);
  });
});

describe('recommendation lists: NDCG@k, MRR@k, coverage', () => {
  const users = [
    { ranked: [5, 1, 7, 2], relevant: [1, 2] },
    { ranked: [3, 4, 9], relevant: [8] },
    { ranked: [6], relevant: [] as number[] },
  ];
  it('by hand: hits at ranks 2 and 4, and a user with no hit; users without relevant items are left out', () => {
    // User 1: DCG 1/log2(3) + 1/log2(5); ideal 1 + 1/log2(3). User 2: 0.
    const first = (1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3));
    expect(userNdcgAtK(users, 4)).toBeCloseTo(first / 2, 12);
    expect(userNdcgAtK(users, 1)).toBe(0);
    expect(userMrrAtK(users, 4)).toBeCloseTo(0.5 / 2, 12);
    expect(userMrrAtK(users, 1)).toBe(0);
    expect(catalogueCoverage(users, 2, 20)).toBeCloseTo(5 / 20, 12);
  });
  it('equals the ranking NDCG (gain 2^rel − 1) when each list holds all of its relevant items', () => {
    const rng = new Rng(11);
    const lists = Array.from({ length: 40 }, () => {
      const ranked = Array.from({ length: 12 }, (_, i) => i);
      return { ranked, relevant: ranked.filter(() => rng.bernoulli(0.3)) };
    }).filter((u) => u.relevant.length > 0);
    const rel = lists.flatMap((u) => u.ranked.map((x) => (u.relevant.includes(x) ? 1 : 0)));
    const score = lists.flatMap((u) => u.ranked.map((_, i) => 100 - i));
    const groups = lists.map((u) => u.ranked.length);
    for (const k of [1, 5, 10]) expect(userNdcgAtK(lists, k)).toBeCloseTo(ndcgAtK(rel, score, groups, k), 12);
  });
});
