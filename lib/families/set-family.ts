import { progressBar, say } from '../cli';
import {
  checkRequirements,
  countFamilyExamples,
  fitFamily,
  loadFamilyData,
  type SetFamilySpec,
  toDMatrix,
  unweightProbabilities,
} from '../train/index';
import { Booster } from '../xgboost/index';
import type { ModelFamily } from './types';

/** A family trained on one feature-set file per split: the spec the training machinery reads, plus the rest of ModelFamily. */
export type SetModelFamily<Details = any> = ModelFamily<Details> & SetFamilySpec;

type Own<Details> = Omit<SetModelFamily<Details>, 'count' | 'fit' | 'scoreSaved'>;

/**
 * Completes a set family: counting its examples, fitting XGBoost with early stopping, and scoring a
 * saved version are the same for every such family and come from lib/train.
 */
export function setFamily<Details>(own: Own<Details>): SetModelFamily<Details> {
  const family: SetModelFamily<Details> = {
    ...own,
    count: (catalog) => countFamilyExamples(catalog, own),
    async fit({ catalog, fc, run, configPath }) {
      checkRequirements(own.name, own.units, await countFamilyExamples(catalog, own), fc.requirements, configPath);
      say(`train: reading the ${own.name} training set from ${catalog.features.dir}`);
      const data = await loadFamilyData(catalog, own);
      const n = (x: number) => x.toLocaleString('en-US');
      say(
        `train: ${n(data.train.labels.length)} train, ${n(data.valid.labels.length)} valid, ${n(data.test.labels.length)} test rows × ${data.features.length} features`,
      );
      const bar = progressBar(`train: ${own.name} rounds (valid ${fc.params.eval_metric})`, fc.rounds);
      // The bar ends with the rounds; what follows (the baseline's fit, SHAP) is named as it starts.
      let rounds = 0;
      let boosting = true;
      const fit = await fitFamily(
        own,
        data,
        fc,
        run,
        (round) => bar.update((rounds = round + 1)),
        undefined,
        (phase) => {
          if (boosting) bar.done(rounds);
          boosting = false;
          say(`train: ${phase}`);
        },
      );
      return {
        booster: fit.result.booster,
        params: fit.params,
        rounds: fit.rounds,
        features: data.features,
        metrics: fit.metrics,
        gapClosed: fit.gapClosed,
        curve: fit.curve,
        importance: fit.importance,
        shap: fit.shap,
        details: fit.details as Details,
        stored: {
          rows: { train: data.train.labels.length, valid: data.valid.labels.length, test: data.test.labels.length },
        },
        inputs: data.inputs,
        writeExtra: () => {},
      };
    },
    async scoreSaved({ catalog }, version) {
      const data = await loadFamilyData(catalog, own);
      const booster = Booster.load(version.modelPath);
      const matrix = toDMatrix(data.test);
      try {
        const scores = unweightProbabilities(booster.predict(matrix).values, version.params().xgboost);
        return own.evaluate(own.truth(data), scores);
      } finally {
        matrix.dispose();
        booster.dispose();
      }
    },
  };
  return family;
}
