import { copyFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

import { dataCatalog } from '../lib/catalog';
import { parseFlags, progressBar, runStage, say, StageRefusal } from '../lib/cli';
import { fileSha256 } from '../lib/io/fingerprint';
import { registerVersion, writeJsonAtomic } from '../lib/registry';
import { DEFAULT_CONFIG, familyMetricNames, fitFamily, loadFamilyData, loadTrainConfig, metricsTable, familyFlag, MODEL_FAMILIES } from '../lib/train';

await runStage('train', async () => {
  const flags = parseFlags('npx tsx pipelines/train.ts --family ranking|purchase|category [--data DIR] [--config FILE]', {
    family: { type: 'string', description: `model family: ${MODEL_FAMILIES.join(', ')}` },
    data: { type: 'string', default: 'data', description: 'data folder: reads features/ (and raw/ truth), writes models/<family>/v<N>/' },
    config: { type: 'string', default: DEFAULT_CONFIG, description: 'hyperparameters, floors and promotion rules of every family' },
  });
  const family = familyFlag(flags.family);
  const config = loadTrainConfig(flags.config);
  const fc = config.families[family];
  const catalog = dataCatalog(flags.data);

  say(`train: reading the ${family} training set from ${catalog.features.dir}`);
  const data = await loadFamilyData(catalog, family);
  say(`train: ${data.train.labels.length.toLocaleString('en-US')} train, ${data.valid.labels.length.toLocaleString('en-US')} valid, ${data.test.labels.length.toLocaleString('en-US')} test rows × ${data.features.length} features`);
  const bar = progressBar(`train: ${family} rounds (valid ${fc.params.eval_metric})`, fc.rounds);
  const fit = fitFamily(family, data, config, (round) => bar.update(round + 1));
  bar.done(fit.result.history.length);
  say(`train: best round ${fit.rounds} of ${fit.result.history.length}; test metrics:\n${metricsTable(fit.metrics, familyMetricNames(family))}`);
  const model = fit.metrics.model[fc.primary];
  if (fit.gapClosed !== null && fit.gapClosed < 0.9) {
    say(`train: finding: the model closes ${(fit.gapClosed * 100).toFixed(1)} % of the gap from random to oracle on ${fc.primary} (under 90 %)`);
  }
  try {
    if (model < fc.floor) throw new StageRefusal(`${family}: ${fc.primary} ${model.toFixed(4)} is below the floor ${fc.floor} set in ${flags.config}; not registered`);
    const familyDir = catalog.models.family(family);
    const version = registerVersion(familyDir, (dir) => {
      fit.result.booster.save(join(dir, 'model.json'));
      writeJsonAtomic(join(dir, 'features.json'), data.features);
      if (data.classes) writeJsonAtomic(join(dir, 'classes.json'), data.classes);
      writeJsonAtomic(join(dir, 'params.json'), {
        family, xgboost: fit.params, rounds: fit.rounds, max_rounds: fc.rounds, early_stopping_rounds: fc.early_stopping_rounds,
        primary: fc.primary, guards: fc.guards, floor: fc.floor, shap_rows: fc.shap_rows,
        // Serving applies the same correction to turn weighted-model outputs into probabilities.
        probability_correction: family === 'purchase' && Number(fit.params.scale_pos_weight ?? 1) !== 1 ? { scale_pos_weight: fit.params.scale_pos_weight } : null,
      });
      writeJsonAtomic(join(dir, 'metrics.json'), {
        family, primary: fc.primary, metrics: fit.metrics, gap_closed: fit.gapClosed, curve: fit.curve,
        importance: fit.importance, shap: fit.shap, details: fit.details,
        rows: { train: data.train.labels.length, valid: data.valid.labels.length, test: data.test.labels.length },
      });
      // Keys relative to the data folder, so the same world gives the same file wherever it lives.
      writeJsonAtomic(join(dir, 'fingerprints.json'), Object.fromEntries([
        ...data.inputs.map((path) => [relative(flags.data, path), fileSha256(path)]), [`config: ${basename(flags.config)}`, fileSha256(flags.config)],
      ]));
      copyFileSync(flags.config, join(dir, 'config.json'));
    });
    say(`train: registered ${family} v${version} in ${familyDir}`);
    return {
      summary: {
        family, version, primary: fc.primary, metrics: fit.metrics, gap_closed: fit.gapClosed, rounds: fit.rounds,
        path: join(familyDir, `v${version}`),
      },
      metaPath: catalog.runMeta(`train-${family}`),
    };
  } finally {
    fit.result.booster.dispose();
  }
});
