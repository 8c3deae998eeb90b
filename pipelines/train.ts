import { copyFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

import { dataCatalog } from '../lib/catalog';
import { DataRequirementError, parseFlags, runStage, say, StageRefusal } from '../lib/cli';
import { FAMILIES, FAMILY_NAMES, familyFlag, type Fitted, loadTrainConfig } from '../lib/families/index';
import { fileSha256, tableSha256 } from '../lib/io/index';
import { clearSkipped, registerVersion, writeSkipped, writeVersionFiles } from '../lib/registry/index';
import { checkFloor, DEFAULT_CONFIG, type FamilyConfig, metricsTable } from '../lib/train/index';
import { parseLevel } from '../lib/classify/index';
import { InputError } from '../lib/errors';

await runStage('train', async () => {
  const flags = parseFlags(
    `npx tsx pipelines/train.ts --family ${FAMILY_NAMES.join('|')} [--data DIR] [--config FILE]`,
    {
      family: {
        type: 'string',
        description: `model family: ${FAMILY_NAMES.map((name) => `${name} (${FAMILIES[name].summary})`).join('; ')}`,
      },
      data: {
        type: 'string',
        default: 'data',
        description:
          'data folder: reads features/ (recommend also interim/events), raw/ truth; writes models/<family>/v<N>/',
      },
      config: {
        type: 'string',
        default: DEFAULT_CONFIG,
        description: 'hyperparameters, floors, data requirements and promotion rules of every family',
      },
      level: {
        type: 'string',
        description:
          "category only: the depth of the category path a class is cut at (1: top level) or 'leaf' (default: the config's)",
      },
      'min-class': {
        type: 'string',
        description:
          "category only: classes with fewer products are left out or merged (default: the config's min_class_products)",
      },
      rare: {
        type: 'string',
        description:
          "category only: 'drop' leaves rare classes out, 'other' merges them into one class (default: the config's)",
      },
      'skip-unsupported': {
        type: 'boolean',
        description:
          'when the data cannot support the family (or the model is refused), write models/<family>/skipped.json with the reason and exit 0 (make all uses this)',
      },
    },
  );
  const name = familyFlag(flags.family);
  const family = FAMILIES[name];
  const config = loadTrainConfig(flags.config);
  const fc = categoryFlags(config.families[name], name, flags);
  const catalog = dataCatalog(flags.data);
  const familyDir = catalog.models.family(family.name);
  let fitted: Fitted;
  try {
    fitted = await family.fit({ catalog, fc, run: config, configPath: flags.config });
    try {
      checkFloor(family.name, fitted.metrics, fc, flags.config);
    } catch (error) {
      fitted.booster.dispose();
      throw error;
    }
  } catch (error) {
    if (!flags['skip-unsupported'] || !(error instanceof DataRequirementError || error instanceof StageRefusal))
      throw error;
    const path = writeSkipped(familyDir, family.name, error.message);
    say(`train: ${error.message}`);
    say(`train: skipped ${family.name} (--skip-unsupported): the reason is in ${path}`);
    return {
      summary: { family: family.name, skipped: error.message, ...error.summary },
      metaPath: catalog.runMeta(`train-${family.name}`),
    };
  }
  clearSkipped(familyDir);
  say(`train: best round ${fitted.rounds}; test metrics:\n${metricsTable(fitted.metrics, [...family.metrics])}`);
  if (fitted.gapClosed !== null && fitted.gapClosed < 0.9) {
    say(
      `train: finding: the model closes ${(fitted.gapClosed * 100).toFixed(1)} % of the gap from random to oracle on ${fc.primary} (under 90 %)`,
    );
  }
  try {
    const version = registerVersion(familyDir, (dir) => {
      fitted.booster.save(join(dir, 'model.json'));
      fitted.writeExtra(dir);
      const weight = fitted.params.objective === 'binary:logistic' ? Number(fitted.params.scale_pos_weight ?? 1) : 1;
      writeVersionFiles(dir, {
        features: fitted.features,
        params: {
          family: family.name,
          xgboost: fitted.params,
          rounds: fitted.rounds,
          max_rounds: fc.rounds,
          early_stopping_rounds: fc.early_stopping_rounds,
          primary: fc.primary,
          guards: fc.guards,
          floor_over_random: fc.floor_over_random,
          shap_rows: fc.shap_rows,
          // Serving applies the same correction to turn weighted-model outputs into probabilities.
          probability_correction: weight !== 1 ? { scale_pos_weight: fitted.params.scale_pos_weight } : null,
          ...fc.settings,
        },
        metrics: {
          family: family.name,
          primary: fc.primary,
          metrics: fitted.metrics,
          gap_closed: fitted.gapClosed,
          curve: fitted.curve,
          importance: fitted.importance,
          shap: fitted.shap,
          details: fitted.details,
          ...fitted.stored,
        },
        // Keys relative to the data folder, so the same world gives the same file wherever it lives.
        fingerprints: Object.fromEntries([
          ...fitted.inputs.map((path) => [relative(flags.data, path), tableSha256(path)]),
          [`config: ${basename(flags.config)}`, fileSha256(flags.config)],
        ]),
      });
      copyFileSync(flags.config, join(dir, 'config.json'));
    });
    say(`train: registered ${family.name} v${version} in ${familyDir}`);
    return {
      summary: {
        family: family.name,
        version,
        primary: fc.primary,
        metrics: fitted.metrics,
        gap_closed: fitted.gapClosed,
        rounds: fitted.rounds,
        path: join(familyDir, `v${version}`),
        ...fitted.summary,
      },
      metaPath: catalog.runMeta(`train-${family.name}`),
    };
  } finally {
    fitted.booster.dispose();
  }
});

/** The category family's flags over its config block; refused for any other family. */
function categoryFlags(
  fc: FamilyConfig,
  family: string,
  flags: { level?: string; 'min-class'?: string; rare?: string },
): FamilyConfig {
  const given = (['level', 'min-class', 'rare'] as const).filter((f) => flags[f] !== undefined);
  if (given.length === 0) return fc;
  if (family !== 'category') throw new InputError(`--${given[0]} is a category family flag, not ${family}'s`);
  const settings = { ...(fc.settings.category as Record<string, unknown>) };
  if (flags.level !== undefined) {
    const level = parseLevel(flags.level);
    if (level === null) throw new InputError(`--level must be a whole number from 1 or 'leaf', got '${flags.level}'`);
    settings.level = level;
  }
  if (flags['min-class'] !== undefined) {
    if (!/^[1-9][0-9]*$/.test(flags['min-class']))
      throw new InputError(`--min-class must be a whole number from 1, got '${flags['min-class']}'`);
    settings.min_class_products = Number(flags['min-class']);
  }
  if (flags.rare !== undefined) {
    if (flags.rare !== 'drop' && flags.rare !== 'other')
      throw new InputError(`--rare must be 'drop' or 'other', got '${flags.rare}'`);
    settings.rare = flags.rare;
  }
  return { ...fc, settings: { ...fc.settings, category: settings } };
}
