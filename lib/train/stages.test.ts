import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { dataCatalog } from '../catalog';
import { ndcgAtK } from '../eval';
import { runStageScript, tempDir } from '../testing';
import { Booster } from '../xgboost';
import { withDuckDB } from '../io/duckdb';
import { evaluateRecommender, loadRecommendData, loadRecommendModel, RECOMMEND_FEATURES } from '../recommend';
import { loadFamilyData, loadTrainConfig, toDMatrix } from '.';

const data = join(tempDir('shoplab-train-'), 'data');
const catalog = dataCatalog(data);
const last = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

beforeAll(() => {
  for (const [stage, args] of [['generate', ['--events', '40000', '--seed', '5']], ['sessionize', []], ['split', []], ['features', []]] as const) {
    const run = runStageScript(stage, [...args, '--data', data]);
    expect(run.status, run.stderr).toBe(0);
  }
});

describe('train and promote stages', () => {
  it.each(['ranking', 'purchase', 'category'])('%s: trains, reports four references, registers a version', (family) => {
    const run = runStageScript('train', ['--family', family, '--data', data]);
    expect(run.status, run.stderr).toBe(0);
    const summary = last(run.stdout);
    expect(summary).toMatchObject({ family, version: 1 });
    expect(Object.keys(summary.metrics)).toEqual(['random', 'baseline', 'model', 'oracle']);
    const { primary } = summary;
    expect(summary.metrics.model[primary]).toBeGreaterThan(summary.metrics.random[primary]);
    expect(summary.metrics.model[primary]).toBeLessThanOrEqual(summary.metrics.oracle[primary]);
    const dir = join(catalog.models.family(family), 'v1');
    const manifest = JSON.parse(readFileSync(catalog.features.manifest, 'utf8'));
    const features = JSON.parse(readFileSync(join(dir, 'features.json'), 'utf8')) as string[];
    expect(features.slice(0, manifest.families[family].filter((f: string) => f !== 'hashed').length)).toEqual(manifest.families[family].filter((f: string) => f !== 'hashed'));
    const fingerprints = JSON.parse(readFileSync(join(dir, 'fingerprints.json'), 'utf8'));
    expect(Object.keys(fingerprints)).toContain(`features/${family}_train.parquet`);

    const promote = runStageScript('promote', ['--family', family, '--data', data]);
    expect(promote.status, promote.stderr).toBe(0);
    expect(last(promote.stdout)).toMatchObject({ promoted: true, production: 1 });
  });

  it('the registered ranking model scores the test split as metrics.json says', async () => {
    const dir = join(catalog.models.family('ranking'), 'v1');
    const stored = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
    const { test } = await loadFamilyData(catalog, 'ranking');
    const booster = Booster.load(join(dir, 'model.json'));
    const matrix = toDMatrix(test);
    const scores = booster.predict(matrix).values;
    booster.dispose();
    matrix.dispose();
    expect(ndcgAtK(test.labels, scores, test.groups!, 10)).toBeCloseTo(stored.metrics.model['ndcg@10'], 10);
  });

  it('retraining on the same data gives a byte-identical model, which promotion turns down', () => {
    const run = runStageScript('train', ['--family', 'ranking', '--data', data]);
    expect(run.status, run.stderr).toBe(0);
    expect(last(run.stdout).version).toBe(2);
    const model = (v: number) => readFileSync(join(catalog.models.family('ranking'), `v${v}`, 'model.json'));
    expect(model(2).equals(model(1))).toBe(true);
    const promote = runStageScript('promote', ['--family', 'ranking', '--data', data]);
    expect(last(promote.stdout)).toMatchObject({ promoted: false, production: 1, candidate: 2 });
    expect(promote.stderr).toContain('below the 5.0 % margin');
  });

  it('bad usage exits 2 naming the problem; a model not far enough above random is refused as a result, exit 2', () => {
    const bad = runStageScript('train', ['--family', 'fraud', '--data', data]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--family must be one of ranking, purchase, category, recommend, got 'fraud'");
    const config = JSON.parse(readFileSync('config/models.json', 'utf8'));
    // The model must beat random's macro F1 a hundredfold: impossible with 90 classes, so it is refused.
    config.families.category.floor_over_random = 99;
    const path = join(tempDir(), 'strict.json');
    writeFileSync(path, JSON.stringify(config));
    const strict = runStageScript('train', ['--family', 'category', '--data', data, '--config', path]);
    expect(strict.status).toBe(2);
    expect(strict.stderr.trim().split('\n').pop()).toMatch(/^train: category: macro_f1 [\d.]+ does not beat the random floor [\d.]+ by 9900 % .*not registered$/);
    expect(last(strict.stdout)).toMatchObject({ stage: 'train', family: 'category', registered: false, refused: expect.stringContaining('does not beat the random floor') });
    expect(last(strict.stdout).metrics.model.macro_f1).toBeGreaterThan(last(strict.stdout).metrics.random.macro_f1);
    expect(JSON.parse(readFileSync(join(catalog.models.family('category'), 'production.json'), 'utf8')).version).toBe(1);
    // With --skip-unsupported (make all) the refusal is recorded and the stage succeeds.
    const skipped = runStageScript('train', ['--family', 'category', '--data', data, '--config', path, '--skip-unsupported']);
    expect(skipped.status, skipped.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(catalog.models.family('category'), 'skipped.json'), 'utf8')).reason).toContain('does not beat the random floor');
    // The old absolute floor is refused by name.
    delete config.families.category.floor_over_random;
    config.families.category.floor = 0.5;
    writeFileSync(path, JSON.stringify(config));
    const old = runStageScript('train', ['--family', 'category', '--data', data, '--config', path]);
    expect(old.status).toBe(2);
    expect(old.stderr).toContain("field 'families.category.floor' is replaced by floor_over_random");
  });

  it('recommend: candidates from the training period, every list scored on test, the candidate model registered with the re-ranker', () => {
    const run = runStageScript('train', ['--family', 'recommend', '--data', data]);
    expect(run.status, run.stderr).toBe(0);
    const summary = last(run.stdout);
    expect(summary).toMatchObject({ family: 'recommend', version: 1, primary: 'ndcg@10' });
    expect(Object.keys(summary.lists)).toEqual(['covisit', 'embedding', 'category', 'trending', 'popular', 'blend', 'reranked', 'random', 'oracle']);
    const { random, baseline, model, oracle } = summary.metrics;
    for (const m of ['recall@10', 'recall@20', 'mrr@20', 'map@10', 'ndcg@10']) {
      expect(model[m], m).toBeLessThanOrEqual(oracle[m]);
      expect(baseline[m], m).toBeGreaterThan(random[m]);
    }
    // The re-ranker beats popularity, the baseline, on the primary metric and recall.
    expect(model['ndcg@10']).toBeGreaterThan(baseline['ndcg@10']);
    expect(model['recall@20']).toBeGreaterThan(baseline['recall@20']);
    expect(summary.candidate_recall.union).toBeGreaterThanOrEqual(Math.max(...['covisit', 'embedding', 'category', 'trending', 'popular'].map((s) => summary.candidate_recall[s])));
    const dir = join(catalog.models.family('recommend'), 'v1');
    expect(JSON.parse(readFileSync(join(dir, 'features.json'), 'utf8'))).toEqual([...RECOMMEND_FEATURES]);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'fingerprints.json'), 'utf8')))).toEqual(expect.arrayContaining(['interim/events.parquet', 'features/recommend_test.parquet']));
    const promote = runStageScript('promote', ['--family', 'recommend', '--data', data]);
    expect(last(promote.stdout)).toMatchObject({ promoted: true, production: 1 });
  });

  it('the registered recommender (candidate model and re-ranker) scores the test sessions as metrics.json says', async () => {
    const dir = join(catalog.models.family('recommend'), 'v1');
    const stored = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
    const config = loadTrainConfig();
    const recommendData = await withDuckDB((con) => loadRecommendData(con, catalog));
    const booster = Booster.load(join(dir, 'model.json'));
    const again = evaluateRecommender(loadRecommendModel(dir), booster, recommendData.events, recommendData.test, recommendData.truth, config.families.recommend.recommend!.test_sessions, config.seed, 1);
    booster.dispose();
    for (const [name, metrics] of Object.entries(stored.details.lists as Record<string, Record<string, number>>)) {
      for (const [m, v] of Object.entries(metrics)) expect(again.details.lists[name][m], `${name} ${m}`).toBeCloseTo(v, 12);
    }
  });
});
