import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { dataCatalog } from '../catalog';
import { ndcgAtK } from '../eval';
import { runStageScript, tempDir } from '../testing';
import { Booster } from '../xgboost';
import { loadFamilyData, toDMatrix } from '.';

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

  it('bad usage exits 2 naming the problem; a model below its floor is not registered', () => {
    const bad = runStageScript('train', ['--family', 'fraud', '--data', data]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--family must be one of ranking, purchase, category, got 'fraud'");
    const config = JSON.parse(readFileSync('config/models.json', 'utf8'));
    config.families.category.floor = 1.01;
    const path = join(tempDir(), 'strict.json');
    writeFileSync(path, JSON.stringify(config));
    const strict = runStageScript('train', ['--family', 'category', '--data', data, '--config', path]);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toMatch(/macro_f1 [\d.]+ is below the floor 1.01 .*not registered/);
    expect(JSON.parse(readFileSync(join(catalog.models.family('category'), 'production.json'), 'utf8')).version).toBe(1);
  });
});
