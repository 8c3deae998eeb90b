import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { dataCatalog } from '../catalog';
import { improves } from '../eval';
import { FAMILIES, FAMILY_NAMES, loadTrainConfig } from '../families/index';
import { RECOMMEND_FEATURES } from '../recommend';
import { openVersion } from '../registry/index';
import { runStageScript, runStages, tempDir } from '../testing';

/**
 * The conformance suite every model family passes (like scikit-learn's check_estimator), on one
 * small generated world: the train stage fits and registers it, the registered version loads and
 * scores the test split exactly as it stored, its metrics sit between the random floor and the
 * oracle, promotion accepts it, and a bad config block is refused naming the family's field.
 */
const data = join(tempDir('shoplab-train-'), 'data');
const catalog = dataCatalog(data);
const last = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

/** Every family trained and promoted once on the world, before any test: each test reads these runs or makes its own. */
const runs = {} as Record<
  string,
  { train: ReturnType<typeof runStageScript>; promote: ReturnType<typeof runStageScript> }
>;

beforeAll(() => {
  runStages(data, [
    ['generate', ['--events', '40000', '--seed', '5']],
    ['sessionize', []],
    ['split', []],
    ['features', []],
  ]);
  for (const name of FAMILY_NAMES) {
    const train = runStageScript('train', ['--family', name, '--data', data]);
    expect(train.status, train.stderr).toBe(0);
    runs[name] = { train, promote: runStageScript('promote', ['--family', name, '--data', data]) };
  }
}, 600_000);

describe.each(FAMILY_NAMES)('family %s conforms', (name) => {
  const family = FAMILIES[name];
  const config = loadTrainConfig();
  const fc = config.families[name];

  it('trains and registers a version with four references, its primary metric above random and no metric above the oracle', () => {
    const summary = last(runs[name].train.stdout);
    expect(summary).toMatchObject({ family: name, version: 1, primary: fc.primary });
    expect(Object.keys(summary.metrics)).toEqual(['random', 'baseline', 'model', 'oracle']);
    const { random, model, oracle } = summary.metrics;
    expect(Object.keys(model)).toEqual([...family.metrics]);
    expect(improves(fc.primary, model[fc.primary], random[fc.primary])).toBe(true);
    if (family.oracle) for (const m of family.metrics) expect(improves(m, model[m], oracle[m]), m).toBe(false);
    else expect(oracle).toBeNull();
    const dir = join(catalog.models.family(name), 'v1');
    for (const file of [
      'model.json',
      'features.json',
      'params.json',
      'metrics.json',
      'fingerprints.json',
      'config.json',
    ]) {
      expect(() => readFileSync(join(dir, file)), file).not.toThrow();
    }
    // The data it was scored on is fingerprinted: its test set, or what a family that reads its
    // data without a training-set file reads (the sessions; the products).
    const testData = existsSync(catalog.features.set(name, 'test'))
      ? `features/${name}_test.parquet`
      : name === 'category'
        ? 'raw/products.parquet'
        : 'interim/events/*.parquet';
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'fingerprints.json'), 'utf8')))).toContain(testData);
  });

  it('the saved version, loaded again, scores the test split exactly as metrics.json says', async () => {
    const dir = join(catalog.models.family(name), 'v1');
    const stored = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')).metrics.model as Record<string, number>;
    const again = await family.scoreSaved(
      { catalog, fc, run: config, configPath: 'config/models.json' },
      openVersion(catalog.models.family(name), 1),
    );
    for (const m of family.metrics) expect(again[m], m).toBeCloseTo(stored[m], 10);
  });

  it('promotion accepts the first version', () => {
    const { promote } = runs[name];
    expect(promote.status, promote.stderr).toBe(0);
    expect(last(promote.stdout)).toMatchObject({ promoted: true, production: 1 });
  });

  it('a config naming a metric the family does not report is refused, naming the field', () => {
    const raw = JSON.parse(readFileSync('config/models.json', 'utf8'));
    raw.families[name].primary = 'no_such_metric';
    const path = join(tempDir(), 'bad.json');
    writeFileSync(path, JSON.stringify(raw));
    const run = runStageScript('train', ['--family', name, '--data', data, '--config', path]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      `${path}: field 'families.${name}.primary' must be one of ${family.metrics.join(', ')}, got "no_such_metric"`,
    );
  });

  it('the report draws its charts from the stored details', () => {
    const stored = JSON.parse(readFileSync(join(catalog.models.family(name), 'v1', 'metrics.json'), 'utf8'));
    expect(family.charts(stored.details).length).toBeGreaterThan(0);
  });
});

describe('train and promote stages', () => {
  it('retraining on the same data gives a byte-identical model, which promotion turns down', () => {
    const run = runStageScript('train', ['--family', 'ranking', '--data', data]);
    expect(run.status, run.stderr).toBe(0);
    const { version } = last(run.stdout);
    expect(version).toBeGreaterThan(1);
    const model = (v: number) => readFileSync(join(catalog.models.family('ranking'), `v${v}`, 'model.json'));
    expect(model(version).equals(model(1))).toBe(true);
    const promote = runStageScript('promote', ['--family', 'ranking', '--data', data]);
    expect(last(promote.stdout)).toMatchObject({ promoted: false, production: 1, candidate: version });
    expect(promote.stderr).toContain('below the 5.0 % margin');
  });

  it('bad usage exits 2 naming the problem; a model not far enough above random is refused as a result, exit 2', () => {
    const bad = runStageScript('train', ['--family', 'fraud', '--data', data]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(
      "--family must be one of ranking, purchase, category, recommend, session, got 'fraud'",
    );
    const config = JSON.parse(readFileSync('config/models.json', 'utf8'));
    // The model must beat random's macro F1 a hundredfold: impossible with 90 classes, so it is refused.
    config.families.category.floor_over_random = 99;
    const path = join(tempDir(), 'strict.json');
    writeFileSync(path, JSON.stringify(config));
    const strict = runStageScript('train', ['--family', 'category', '--data', data, '--config', path]);
    expect(strict.status).toBe(2);
    expect(strict.stderr.trim().split('\n').pop()).toMatch(
      /^train: category: macro_f1 [\d.]+ does not beat the random floor [\d.]+ by 9900 % .*not registered$/,
    );
    expect(last(strict.stdout)).toMatchObject({
      stage: 'train',
      family: 'category',
      registered: false,
      refused: expect.stringContaining('does not beat the random floor'),
    });
    expect(last(strict.stdout).metrics.model.macro_f1).toBeGreaterThan(last(strict.stdout).metrics.random.macro_f1);
    expect(JSON.parse(readFileSync(join(catalog.models.family('category'), 'production.json'), 'utf8')).version).toBe(
      1,
    );
    // With --skip-unsupported (make all) the refusal is recorded and the stage succeeds.
    const skipped = runStageScript('train', [
      '--family',
      'category',
      '--data',
      data,
      '--config',
      path,
      '--skip-unsupported',
    ]);
    expect(skipped.status, skipped.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(catalog.models.family('category'), 'skipped.json'), 'utf8')).reason).toContain(
      'does not beat the random floor',
    );
    // The old absolute floor is refused by name.
    delete config.families.category.floor_over_random;
    config.families.category.floor = 0.5;
    writeFileSync(path, JSON.stringify(config));
    const old = runStageScript('train', ['--family', 'category', '--data', data, '--config', path]);
    expect(old.status).toBe(2);
    expect(old.stderr).toContain("field 'families.category.floor' is replaced by floor_over_random");
  });

  it('recommend: every list scored on test, the candidate model registered with the re-ranker', () => {
    const summary = last(runs.recommend.train.stdout);
    expect(Object.keys(summary.lists)).toEqual([
      'covisit',
      'embedding',
      'category',
      'trending',
      'popular',
      'blend',
      'reranked',
      'random',
      'oracle',
    ]);
    const { random, baseline, model, oracle } = summary.metrics;
    for (const m of ['recall@10', 'recall@20', 'mrr@20', 'map@10', 'ndcg@10']) {
      expect(model[m], m).toBeLessThanOrEqual(oracle[m]);
      expect(baseline[m], m).toBeGreaterThan(random[m]);
    }
    // The re-ranker beats popularity, the baseline, on the primary metric and recall.
    expect(model['ndcg@10']).toBeGreaterThan(baseline['ndcg@10']);
    expect(model['recall@20']).toBeGreaterThan(baseline['recall@20']);
    expect(summary.candidate_recall.union).toBeGreaterThanOrEqual(
      Math.max(...['covisit', 'embedding', 'category', 'trending', 'popular'].map((s) => summary.candidate_recall[s])),
    );
    const dir = join(catalog.models.family('recommend'), 'v1');
    expect(JSON.parse(readFileSync(join(dir, 'features.json'), 'utf8'))).toEqual([...RECOMMEND_FEATURES]);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'fingerprints.json'), 'utf8')))).toEqual(
      expect.arrayContaining(['interim/events/*.parquet', 'features/recommend_test.parquet']),
    );
  });
});
