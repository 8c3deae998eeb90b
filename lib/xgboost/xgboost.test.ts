import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rocAuc } from '../eval';
import { lightgbmExample as dataset, referenceJson, ROOT, tempDir } from '../testing';
import { Booster, DMatrix, train } from './booster';
import { parseLabelFirst, parseLibsvm, parseQueryFile } from './datasets';

const reference = referenceJson('xgboost-lightgbm-examples');
const matrix = (d: { values: Float32Array; labels: Float32Array; rows: number; cols: number }, groups?: Uint32Array) =>
  new DMatrix(d.values, d.rows, d.cols, { labels: d.labels, groups });

describe('XGBoost parity with the Python reference (same native library, nthread=1)', () => {
  it('binary:logistic: predictions within 1e-5, AUC and logloss to the printed digits', () => {
    const ref = reference.binary;
    const trainData = matrix(parseLabelFirst(dataset('binary.train')));
    const testSet = parseLabelFirst(dataset('binary.test'));
    const test = matrix(testSet);
    const { booster, history } = train(ref.params, trainData, { rounds: ref.num_boost_round, evals: [[test, 'test']] });
    const { values } = booster.predict(test);
    expect(values.length).toBe(ref.test_predictions.length);
    values.forEach((v, i) => expect(Math.abs(v - ref.test_predictions[i]), `prediction ${i}`).toBeLessThan(1e-5));
    expect(rocAuc(testSet.labels, values).toFixed(6)).toBe(ref.metrics.auc.toFixed(6));
    expect(history.at(-1)!.test.logloss.toFixed(6)).toBe(ref.metrics.logloss.toFixed(6));
    // Gain importance as Python's get_score(importance_type='gain'), mapped to our names.
    const names = Array.from({ length: trainData.cols }, (_, i) => `col${i}`);
    const gain = booster.importance('gain', names);
    for (const [f, value] of Object.entries(ref.gain_importance as Record<string, number>)) {
      expect(gain[`col${f.slice(1)}`], f).toBeCloseTo(value, 3);
    }
    booster.dispose();
    trainData.dispose();
    test.dispose();
  });

  it('rank:ndcg with query groups: predictions within 1e-5 and XGBoost eval map as printed', () => {
    const ref = reference.rank;
    const trainSet = parseLibsvm(dataset('rank.train'), ref.n_features);
    const testSet = parseLibsvm(dataset('rank.test'), ref.n_features);
    const trainData = matrix(trainSet, parseQueryFile(dataset('rank.train.query')));
    const test = matrix(testSet, parseQueryFile(dataset('rank.test.query')));
    const { booster } = train({ ...ref.params, eval_metric: 'map' }, trainData, { rounds: ref.num_boost_round });
    const { values } = booster.predict(test);
    values.forEach((v, i) => expect(Math.abs(v - ref.test_predictions[i]), `prediction ${i}`).toBeLessThan(1e-5));
    const printed = Number(String(ref.xgboost_eval).split(':')[1]);
    expect(booster.evaluate([[test, 'eval']]).eval.map).toBeCloseTo(printed, 6);
  });

  it('multi:softprob: mlogloss as printed and one probability row per class', () => {
    const ref = reference.multiclass;
    const trainData = matrix(parseLabelFirst(dataset('multiclass.train')));
    const testSet = parseLabelFirst(dataset('multiclass.test'));
    const test = matrix(testSet);
    const { booster, history } = train(ref.params, trainData, { rounds: ref.num_boost_round, evals: [[test, 'test']] });
    expect(history.at(-1)!.test.mlogloss.toFixed(6)).toBe(ref.metrics.mlogloss.toFixed(6));
    const { values, shape } = booster.predict(test);
    expect(shape).toEqual([testSet.rows, 5]);
    let correct = 0;
    for (let i = 0; i < testSet.rows; i++) {
      const row = Array.from(values.subarray(i * 5, i * 5 + 5));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      if (row.indexOf(Math.max(...row)) === testSet.labels[i]) correct++;
    }
    expect((correct / testSet.rows).toFixed(3)).toBe(ref.metrics.accuracy.toFixed(3));
  });
});

describe("DMatrix.quantile (XGBoost's QuantileDMatrix, fed in batches)", () => {
  const cases = [
    ['binary', 'binary.train', 'binary.test', undefined],
    ['multiclass', 'multiclass.train', 'multiclass.test', undefined],
    ['rank', 'rank.train', 'rank.test', 'rank.train.query'],
  ] as const;
  for (const [name, trainFile, testFile, queryFile] of cases) {
    it(`${name}: in batches of 1,000 rows it trains the Python reference's model, the same trees as a DMatrix`, () => {
      const ref = reference[name];
      const read = (file: string) =>
        name === 'rank' ? parseLibsvm(dataset(file), ref.n_features) : parseLabelFirst(dataset(file));
      const trainSet = read(trainFile);
      const groups = queryFile ? parseQueryFile(dataset(queryFile)) : undefined;
      const test = matrix(read(testFile));
      const dense = matrix(trainSet, groups);
      const quantile = DMatrix.quantile(trainSet.values, trainSet.rows, trainSet.cols, {
        labels: trainSet.labels,
        groups,
        batchRows: 1000,
      });
      expect(trainSet.rows).toBeGreaterThan(3000);
      const options = { rounds: ref.num_boost_round, evals: [[test, 'test']] as [DMatrix, string][] };
      const fromDense = train(ref.params, dense, options);
      const fromQuantile = train(ref.params, quantile, options);
      const expected = fromDense.booster.predict(test).values;
      const got = fromQuantile.booster.predict(test).values;
      expect(Array.from(got)).toEqual(Array.from(expected));
      if (name === 'multiclass')
        expect(fromQuantile.history.at(-1)!.test.mlogloss.toFixed(6)).toBe(ref.metrics.mlogloss.toFixed(6));
      else got.forEach((v, i) => expect(Math.abs(v - ref.test_predictions[i]), `prediction ${i}`).toBeLessThan(1e-5));
      expect(fromQuantile.history).toEqual(fromDense.history);
      // XGBoost's metric on the training matrix itself: the same on the bins as on the values.
      expect(fromQuantile.booster.evaluate([[quantile, 'train']])).toEqual(
        fromDense.booster.evaluate([[dense, 'train']]),
      );
      for (const m of [dense, quantile, test]) m.dispose();
    });
  }

  it("checks its shape; its bins are maxBin wide, which must be the booster's max_bin for the same trees", () => {
    const values = Float32Array.from({ length: 400 }, (_, i) => (i * 7919) % 101);
    expect(() => DMatrix.quantile(values, 100, 3)).toThrow(/400 values do not fill 100 rows × 3 columns/);
    expect(() => DMatrix.quantile(values, 0, 4)).toThrow(/positive integers/);
    const ref = reference.binary;
    const trainSet = parseLabelFirst(dataset('binary.train'));
    const test = matrix(parseLabelFirst(dataset('binary.test')));
    const params = { ...ref.params, max_bin: 16 };
    const predictions = (m: DMatrix) => {
      const { booster } = train(params, m, { rounds: 10 });
      const { values: p } = booster.predict(test);
      booster.dispose();
      m.dispose();
      return Array.from(p);
    };
    const quantile = (maxBin?: number) =>
      DMatrix.quantile(trainSet.values, trainSet.rows, trainSet.cols, { labels: trainSet.labels, maxBin });
    const dense = predictions(matrix(trainSet));
    expect(predictions(quantile(16))).toEqual(dense);
    // XGBoost 1.7 does not check: bins of the default 256 train other trees under max_bin 16.
    expect(predictions(quantile())).not.toEqual(dense);
    test.dispose();
  });
});

describe('Booster', () => {
  const data = parseLabelFirst(dataset('binary.test'));
  it('saves and loads a model as JSON with identical predictions; SHAP rows sum to the margin', () => {
    const m = matrix(data);
    const { booster } = train({ objective: 'binary:logistic', max_depth: 3, nthread: 1 }, m, { rounds: 5 });
    const path = join(tempDir('shoplab-xgb-'), 'model.json');
    booster.save(path);
    expect(JSON.parse(readFileSync(path, 'utf8')).learner).toBeDefined();
    const loaded = Booster.load(path);
    expect(Array.from(loaded.predict(m).values)).toEqual(Array.from(booster.predict(m).values));
    const margin = booster.predict(m, 'margin').values;
    const { values: shap, shape } = booster.predict(m, 'contributions');
    expect(shape).toEqual([data.rows, data.cols + 1]);
    for (let i = 0; i < 20; i++) {
      const sum = shap.subarray(i * (data.cols + 1), (i + 1) * (data.cols + 1)).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(margin[i], 4);
    }
  });

  it('a CSR matrix of the non-missing entries predicts exactly as the dense one', () => {
    const ref = reference.rank;
    const trainSet = parseLibsvm(dataset('rank.train'), ref.n_features);
    const testSet = parseLibsvm(dataset('rank.test'), ref.n_features);
    const { booster } = train(
      { objective: 'rank:ndcg', nthread: 1, max_depth: 4 },
      matrix(trainSet, parseQueryFile(dataset('rank.train.query'))),
      { rounds: 10 },
    );
    const indptr = [0];
    const indices: number[] = [];
    const values: number[] = [];
    for (let r = 0; r < testSet.rows; r++) {
      for (let c = 0; c < testSet.cols; c++) {
        const v = testSet.values[r * testSet.cols + c];
        if (!Number.isNaN(v)) {
          indices.push(c);
          values.push(v);
        }
      }
      indptr.push(indices.length);
    }
    const sparse = DMatrix.fromCSR(indptr, Uint32Array.from(indices), Float32Array.from(values), testSet.cols);
    expect(Array.from(booster.predict(sparse).values)).toEqual(Array.from(booster.predict(matrix(testSet)).values));
    expect(() => DMatrix.fromCSR([0, 1], Uint32Array.of(300), Float32Array.of(1), 300)).toThrow(/column index 300/);
  });

  it('in-place dense prediction (no DMatrix) gives the reference predictions, for any row count and missing values', () => {
    const ref = reference.binary;
    const trainSet = parseLabelFirst(dataset('binary.train'));
    const testSet = parseLabelFirst(dataset('binary.test'));
    const { booster } = train(ref.params, matrix(trainSet), { rounds: ref.num_boost_round });
    const dense = booster.predictDense(testSet.values, testSet.rows, testSet.cols);
    expect(dense.length).toBe(ref.test_predictions.length);
    dense.forEach((v, i) => expect(Math.abs(v - ref.test_predictions[i]), `prediction ${i}`).toBeLessThan(1e-5));
    // One row, then more rows than before (the input buffer grows), then rows with missing values:
    // each equal to the DMatrix path on the same values.
    const withMissing = testSet.values.map((v, i) => (i % 7 === 0 ? NaN : v));
    for (const [values, rows] of [
      [testSet.values.subarray(0, testSet.cols), 1],
      [testSet.values, testSet.rows],
      [withMissing, testSet.rows],
    ] as const) {
      const viaMatrix = booster.predict(new DMatrix(values, rows, testSet.cols)).values;
      expect(Array.from(booster.predictDense(values, rows, testSet.cols))).toEqual(Array.from(viaMatrix));
    }
    expect(() => booster.predictDense(testSet.values, testSet.rows + 1, testSet.cols)).toThrow(/values for/);
  });

  it("turns XGBoost's errors into Errors with its message: bad parameters, shapes, use after dispose", () => {
    const m = matrix(data);
    expect(() => train({ objective: 'binary:nonsense' }, m, { rounds: 1 })).toThrow(/XGBoost .*failed: .*nonsense/s);
    expect(() => new DMatrix(new Float32Array(5), 2, 3)).toThrow(/5 values do not fill 2 rows × 3 columns/);
    expect(() => new DMatrix(new Float32Array(6), 2, 3, { labels: new Float32Array(1) })).toThrow(
      /label has 1 values, expected 2/,
    );
    m.dispose();
    expect(() => m.native).toThrow(/after dispose/);
  });

  it('stops early when the validation metric stops improving', () => {
    const half = Math.floor(data.rows / 2);
    const first = new DMatrix(data.values.subarray(0, half * data.cols), half, data.cols, {
      labels: data.labels.subarray(0, half),
    });
    const second = new DMatrix(data.values.subarray(half * data.cols), data.rows - half, data.cols, {
      labels: data.labels.subarray(half),
    });
    const { booster, bestRound, history } = train(
      { objective: 'binary:logistic', eta: 0.5, max_depth: 8, nthread: 1, eval_metric: 'logloss' },
      first,
      { rounds: 200, evals: [[second, 'valid']], earlyStoppingRounds: 5 },
    );
    expect(booster.rounds).toBeLessThan(200);
    expect(booster.rounds).toBe(bestRound + 6);
    const losses = history.map((h) => h.valid.logloss);
    expect(Math.min(...losses)).toBe(losses[bestRound]);
    // The first bestRound + 1 rounds, sliced out, predict as predicting with that many rounds,
    // and XGBoost's own logloss of the slice is the best one in the history.
    const best = booster.slice(bestRound + 1);
    expect(best.rounds).toBe(bestRound + 1);
    expect(Array.from(best.predict(second).values)).toEqual(
      Array.from(booster.predict(second, 'value', bestRound + 1).values),
    );
    expect(best.evaluate([[second, 'valid']]).valid.logloss).toBe(losses[bestRound]);
    expect(() => booster.slice(booster.rounds + 1)).toThrow('Booster.slice: rounds must be from 1');
    best.dispose();
    booster.dispose();
  });

  it('names the install command and XGBOOST_LIBRARY when the library is missing', () => {
    const script =
      "import('./lib/xgboost/index.ts').then((x) => { try { new x.DMatrix(new Float32Array(1), 1, 1); } catch (e) { console.log(e.message); } })";
    const run = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), ['-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, XGBOOST_LIBRARY: '/nonexistent/libxgboost.so' },
    });
    expect(run.stdout).toMatch(
      /not found at \/nonexistent\/libxgboost.so: install it with 'apt-get install libxgboost0'.*XGBOOST_LIBRARY/s,
    );
  });
});
