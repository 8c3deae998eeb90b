import { copyFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

import { dataCatalog } from '../lib/catalog';
import { DataRequirementError, parseFlags, progressBar, runStage, say, StageRefusal } from '../lib/cli';
import { fileSha256 } from '../lib/io/fingerprint';
import { withDuckDB } from '../lib/io/duckdb';
import { countRecommendExamples, fitCandidateModel, fitReranker, loadRecommendData, RECOMMEND_FEATURES, saveRecommendModel } from '../lib/recommend';
import { clearSkipped, registerVersion, writeJsonAtomic, writeSkipped } from '../lib/registry';
import {
  checkFloor, checkRequirements, countFamilyExamples, DEFAULT_CONFIG, familyFlag, familyMetricNames, fitFamily, loadFamilyData, loadTrainConfig, metricsTable, MODEL_FAMILIES,
  type ModelFamily, type TrainConfig,
} from '../lib/train';
import type { Booster, BoosterParams } from '../lib/xgboost';

await runStage('train', async () => {
  const flags = parseFlags('npx tsx pipelines/train.ts --family ranking|purchase|category|recommend [--data DIR] [--config FILE]', {
    family: { type: 'string', description: `model family: ${MODEL_FAMILIES.join(', ')}` },
    data: { type: 'string', default: 'data', description: 'data folder: reads features/ (recommend also interim/events), raw/ truth; writes models/<family>/v<N>/' },
    config: { type: 'string', default: DEFAULT_CONFIG, description: 'hyperparameters, floors, data requirements and promotion rules of every family' },
    'skip-unsupported': {
      type: 'boolean',
      description: 'when the data cannot support the family (or the model is refused), write models/<family>/skipped.json with the reason and exit 0 (make all uses this)',
    },
  });
  const family = familyFlag(flags.family);
  const config = loadTrainConfig(flags.config);
  const fc = config.families[family];
  const catalog = dataCatalog(flags.data);
  let fitted: Fitted;
  try {
    fitted = family === 'recommend' ? await fitRecommend(catalog, config, flags.config) : await fitSetFamily(family, catalog, config, flags.config);
    try {
      checkFloor(family, fitted.metrics, fc, flags.config);
    } catch (error) {
      fitted.booster.dispose();
      throw error;
    }
  } catch (error) {
    if (!flags['skip-unsupported'] || !(error instanceof DataRequirementError || error instanceof StageRefusal)) throw error;
    const path = writeSkipped(catalog.models.family(family), family, error.message);
    say(`train: ${error.message}`);
    say(`train: skipped ${family} (--skip-unsupported): the reason is in ${path}`);
    return { summary: { family, skipped: error.message, ...error.summary }, metaPath: catalog.runMeta(`train-${family}`) };
  }
  clearSkipped(catalog.models.family(family));
  say(`train: best round ${fitted.rounds}; test metrics:\n${metricsTable(fitted.metrics, familyMetricNames(family))}`);
  if (fitted.gapClosed !== null && fitted.gapClosed < 0.9) {
    say(`train: finding: the model closes ${(fitted.gapClosed * 100).toFixed(1)} % of the gap from random to oracle on ${fc.primary} (under 90 %)`);
  }
  try {
    const familyDir = catalog.models.family(family);
    const version = registerVersion(familyDir, (dir) => {
      fitted.booster.save(join(dir, 'model.json'));
      writeJsonAtomic(join(dir, 'features.json'), fitted.features);
      fitted.writeExtra(dir);
      writeJsonAtomic(join(dir, 'params.json'), {
        family, xgboost: fitted.params, rounds: fitted.rounds, max_rounds: fc.rounds, early_stopping_rounds: fc.early_stopping_rounds,
        primary: fc.primary, guards: fc.guards, floor_over_random: fc.floor_over_random, shap_rows: fc.shap_rows,
        // Serving applies the same correction to turn weighted-model outputs into probabilities.
        probability_correction: family === 'purchase' && Number(fitted.params.scale_pos_weight ?? 1) !== 1 ? { scale_pos_weight: fitted.params.scale_pos_weight } : null,
        ...(fc.recommend ? { recommend: fc.recommend } : {}),
      });
      writeJsonAtomic(join(dir, 'metrics.json'), { family, primary: fc.primary, metrics: fitted.metrics, gap_closed: fitted.gapClosed, ...fitted.stored });
      // Keys relative to the data folder, so the same world gives the same file wherever it lives.
      writeJsonAtomic(join(dir, 'fingerprints.json'), Object.fromEntries([
        ...fitted.inputs.map((path) => [relative(flags.data, path), fileSha256(path)]), [`config: ${basename(flags.config)}`, fileSha256(flags.config)],
      ]));
      copyFileSync(flags.config, join(dir, 'config.json'));
    });
    say(`train: registered ${family} v${version} in ${familyDir}`);
    return {
      summary: {
        family, version, primary: fc.primary, metrics: fitted.metrics, gap_closed: fitted.gapClosed, rounds: fitted.rounds,
        path: join(familyDir, `v${version}`), ...fitted.summary,
      },
      metaPath: catalog.runMeta(`train-${family}`),
    };
  } finally {
    fitted.booster.dispose();
  }
});

/** What any family's fit hands to registration. */
interface Fitted {
  booster: Booster;
  params: BoosterParams;
  rounds: number;
  features: string[];
  metrics: { random: Record<string, number>; baseline: Record<string, number>; model: Record<string, number>; oracle: Record<string, number> | null };
  gapClosed: number | null;
  /** Further fields of metrics.json (curve, importance, SHAP, details, rows). */
  stored: Record<string, unknown>;
  inputs: string[];
  writeExtra: (dir: string) => void;
  summary?: Record<string, unknown>;
}

async function fitSetFamily(family: Exclude<ModelFamily, 'recommend'>, catalog: ReturnType<typeof dataCatalog>, config: TrainConfig, configPath: string): Promise<Fitted> {
  const fc = config.families[family];
  checkRequirements(family, await countFamilyExamples(catalog, family), fc.requirements, configPath);
  say(`train: reading the ${family} training set from ${catalog.features.dir}`);
  const data = await loadFamilyData(catalog, family);
  say(`train: ${data.train.labels.length.toLocaleString('en-US')} train, ${data.valid.labels.length.toLocaleString('en-US')} valid, ${data.test.labels.length.toLocaleString('en-US')} test rows × ${data.features.length} features`);
  const bar = progressBar(`train: ${family} rounds (valid ${fc.params.eval_metric})`, fc.rounds);
  const fit = fitFamily(family, data, config, (round) => bar.update(round + 1));
  bar.done(fit.result.history.length);
  return {
    booster: fit.result.booster, params: fit.params, rounds: fit.rounds, features: data.features, metrics: fit.metrics, gapClosed: fit.gapClosed,
    stored: {
      curve: fit.curve, importance: fit.importance, shap: fit.shap, details: fit.details,
      rows: { train: data.train.labels.length, valid: data.valid.labels.length, test: data.test.labels.length },
    },
    inputs: data.inputs,
    writeExtra: (dir) => { if (data.classes) writeJsonAtomic(join(dir, 'classes.json'), data.classes); },
  };
}

/**
 * Recommend: candidate sources fitted on the training period, a re-ranker learned on validation
 * sessions' candidates, every list scored on test sessions.
 */
async function fitRecommend(catalog: ReturnType<typeof dataCatalog>, config: TrainConfig, configPath: string): Promise<Fitted> {
  const fc = config.families.recommend;
  const settings = fc.recommend!;
  say(`train: reading events, products and recommendation sessions from ${catalog.dir}`);
  const data = await withDuckDB((con) => loadRecommendData(con, catalog));
  checkRequirements('recommend', countRecommendExamples(data), fc.requirements, configPath);
  say(`train: ${data.events.time.length.toLocaleString('en-US')} events, ${data.products.ids.length.toLocaleString('en-US')} products, ${data.valid.length.toLocaleString('en-US')} validation and ${data.test.length.toLocaleString('en-US')} test sessions${data.truth ? '' : ' (no truth: imported data, so no oracle)'}`);
  const bars = new Map<string, ReturnType<typeof progressBar>>();
  const progress = (phase: string, done: number, total: number) => {
    let bar = bars.get(phase);
    if (!bar) bars.set(phase, (bar = progressBar(`train: ${phase}`, total)));
    if (done >= total) { bar.done(done); bars.delete(phase); } else bar.update(done);
  };
  const seconds: Record<string, number> = {};
  let started = performance.now();
  const lap = (name: string) => { seconds[name] = Number(((performance.now() - started) / 1000).toFixed(2)); started = performance.now(); };
  const model = await fitCandidateModel(data.products, data.events, data.cutoffs.valid.from, settings, config.seed, progress);
  lap('candidate_models');
  const bar = progressBar(`train: re-ranker rounds (valid ${fc.params.eval_metric})`, fc.rounds);
  let roundsDone = 0;
  const fit = fitReranker(model, data.events, data.valid, data.test, data.truth, settings,
    { params: fc.params, rounds: fc.rounds, early_stopping_rounds: fc.early_stopping_rounds, primary: fc.primary, shap_rows: fc.shap_rows }, config.seed, config.nthread, progress,
    (round) => { roundsDone = round + 1; bar.update(roundsDone); });
  bar.done(roundsDone);
  lap('rerank_and_evaluate');
  const table = Object.entries(fit.details.lists).map(([name, m]) => `  ${name.padEnd(10)} ${Object.entries(m).map(([k, v]) => `${k} ${v.toFixed(4)}`).join('  ')}  coverage ${fit.details.coverage[name].toFixed(3)}`).join('\n');
  say(`train: every list on ${fit.details.sessions.test.toLocaleString('en-US')} test sessions:\n${table}`);
  say(`train: candidate recall ${Object.entries(fit.details.candidate_recall).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}; ${fit.details.mean_candidates.toFixed(0)} candidates per session`);
  return {
    booster: fit.booster, params: fit.params, rounds: fit.rounds, features: [...RECOMMEND_FEATURES], metrics: fit.metrics, gapClosed: fit.gapClosed,
    stored: {
      curve: fit.curve, importance: fit.importance, shap: fit.shap, details: fit.details,
      embedding: { dim: model.embedding.dim, steps: model.embeddingLoss.length, first_loss: model.embeddingLoss[0] ?? null, last_loss: model.embeddingLoss.at(-1) ?? null },
      rows: fit.details.sessions,
    },
    inputs: data.inputs,
    writeExtra: (dir) => saveRecommendModel(dir, model),
    summary: { lists: fit.details.lists, coverage: fit.details.coverage, candidate_recall: fit.details.candidate_recall, seconds },
  };
}
