import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { DataRequirementError, InputError, phasedProgress, say } from '../cli';
import type { DataCatalog } from '../catalog';
import {
  atFloat32,
  type CatalogProduct,
  type CategoryInput,
  type CategorySettings,
  checkCategorySettings,
  type ClassifierEvaluation,
  categoryAt,
  classLabels,
  contentColumns,
  contentMatrix,
  DEFAULT_LINEAR_SVC,
  evaluateClassifier,
  fitTextClassifier,
  groupedSplit,
  loadTextClassifier,
  normalizeTitle,
  predictProbabilities,
  type ProductScorer,
  readCatalogProducts,
  saveTextClassifier,
  type SplitName,
  type TextClassifier,
} from '../classify/index';
import { CONTENT_DESCRIPTIONS, hashedColumnLegend } from '../features/index';
import { withDuckDB } from '../io/index';
import { writeJsonAtomic } from '../registry/index';
import {
  assertBelowOracle,
  brandMajority,
  type CategoryDetails,
  checkRequirements,
  type FamilyConfig,
  gapClosed,
  importanceByKind,
  keepBestRounds,
  learningCurve,
  meanAbsContributions,
  randomScores,
  type RequirementCounts,
  sampleRows,
} from '../train/index';
import { Booster, type BoosterParams, DMatrix, train } from '../xgboost/index';
import type { ModelFamily } from './types';

/** The category family's own settings block (`families.category.category`). */
export const categorySettings = (fc: FamilyConfig) => fc.settings.category as CategorySettings;

/** Which of the two models a version serves, beside its class names (`category.json`). */
export const CATEGORY_CHOICE_FILE = 'category.json';

const METRICS = ['macro_f1', 'micro_f1', 'accuracy', 'top3_accuracy'] as const;

/** Products with a class, split: what both models learn from and are scored on. */
interface CategoryData {
  classes: string[];
  splits: Record<SplitName, { products: CatalogProduct[]; labels: Int32Array }>;
  labelInfo: CategoryDetails['labels'];
  groupedBy: string;
  inputs: string[];
  /** Whether the folder is a generated world (the oracle is the generator's own category). */
  synthetic: boolean;
}

/** Reads the products, cuts their classes at the configured level, and splits them by group, seeded. */
async function categoryData(catalog: DataCatalog, settings: CategorySettings, seed: number): Promise<CategoryData> {
  if (!existsSync(catalog.raw.products))
    throw new InputError(
      `${catalog.raw.products}: no such file; import a catalogue or log (pipelines/import.ts) or generate a world first`,
    );
  const { products, inputs } = await withDuckDB((con) => readCatalogProducts(con, catalog));
  const names = products.map((p) => categoryAt(p.category_path, p.category_id, settings.level));
  const { classes, labels, unlabeled, rare } = classLabels(names, settings.min_class_products, settings.rare);
  const kept = products.flatMap((p, i) => (labels[i] >= 0 ? [{ p, y: labels[i] }] : []));
  const hasGroups = kept.some(({ p }) => p.group !== null);
  const side = groupedSplit(
    kept.map(({ y }) => classes[y]),
    kept.map(({ p }) => {
      if (p.group !== null) return `g:${p.group}`;
      const title = normalizeTitle(p.title);
      // Without a title, a product is its own group.
      return title ? `t:${title}` : `p:${p.product_id}`;
    }),
    settings.split,
    seed,
  );
  const splits = Object.fromEntries(
    (['train', 'valid', 'test'] as const).map((name) => {
      const rows = kept.filter((_, i) => side[i] === name);
      return [name, { products: rows.map(({ p }) => p), labels: Int32Array.from(rows, ({ y }) => y) }];
    }),
  ) as CategoryData['splits'];
  const source = existsSync(catalog.raw.source) ? JSON.parse(readFileSync(catalog.raw.source, 'utf8')) : {};
  return {
    classes,
    splits,
    labelInfo: { level: settings.level, min_class_products: settings.min_class_products, unlabeled, rare },
    groupedBy: hasGroups
      ? 'the --group column (the normalised title where it is empty)'
      : kept.some(({ p }) => p.title.trim() !== '')
        ? 'the normalised title'
        : 'the product (the catalogue has no titles)',
    inputs,
    synthetic: source.kind === 'synthetic',
  };
}

/** Products and distinct classes per split, for the data requirements. */
function countCategoryExamples(data: CategoryData): RequirementCounts {
  const count = ({ labels }: { labels: Int32Array }) => ({ examples: labels.length, positives: new Set(labels).size });
  return { train: count(data.splits.train), valid: count(data.splits.valid), test: count(data.splits.test) };
}

const matrixOf = (products: readonly CategoryInput[], buckets: number, labels?: Int32Array, nthread = 0) => {
  const csr = contentMatrix(products, buckets);
  return DMatrix.fromCSR(csr.indptr, csr.indices, csr.values, csr.cols, {
    labels: labels ? Float32Array.from(labels) : undefined,
    nthread,
  });
};

/** XGBoost's class probabilities (rows × classes) for products, from the same content features it learned on. */
export function predictXgboostCategories(
  booster: Booster,
  products: readonly CategoryInput[],
  buckets: number,
  nthread = 1,
): Float64Array {
  const matrix = matrixOf(products, buckets, undefined, nthread);
  try {
    return Float64Array.from(booster.predict(matrix).values);
  } finally {
    matrix.dispose();
  }
}

const headline = (e: ClassifierEvaluation) => Object.fromEntries(METRICS.map((m) => [m, e[m]]));

/**
 * Product category classification: a TF-IDF + linear SVM model on the title (word 1–2 and char
 * 2–5 grams) with brand, seller and price buckets, and XGBoost on hashed title tokens, brand,
 * seller and price beside it; the one with the better validation macro F1 is the model. Classes
 * are the category path cut at a level, rare ones left out or merged; the split is stratified and
 * keeps every group (or normalised title) on one side.
 */
export const category: ModelFamily<CategoryDetails> = {
  name: 'category',
  summary:
    "a product's category from its title, brand, seller and price (TF-IDF + linear SVM, and XGBoost multi:softprob, the better on validation), against each brand's majority category",
  endpoint: '/v1/predict/category',
  metrics: [...METRICS],
  settings: { category: checkCategorySettings },
  units: {
    examples: 'products with a category',
    positives: 'categories',
    fewPositives: 'a classifier needs categories to tell apart',
    need: 'this family needs products with categories (category_path or category_id in the catalogue or log) and a title, brand, seller or price to tell them by',
  },
  labelRate: null,
  oracle: true,
  async count(catalog) {
    // Counting reads the products as training will, with the default settings' split.
    return countCategoryExamples(await categoryData(catalog, DEFAULT_CATEGORY_SETTINGS, 0));
  },
  async fit({ catalog, fc, run, configPath }) {
    const settings = categorySettings(fc);
    say(`train: reading the products of ${catalog.raw.products}`);
    const data = await categoryData(catalog, settings, run.seed);
    const { classes, splits } = data;
    const n = (x: number) => x.toLocaleString('en-US');
    const { rare } = data.labelInfo;
    if (rare.classes > 0 && !rare.merged && classes.length < 2)
      throw new DataRequirementError(
        `category: ${classes.length} class${classes.length === 1 ? '' : 'es'} of at least ${settings.min_class_products} products at level ${settings.level}, and ${n(rare.products)} products in ${n(rare.classes)} smaller classes left out: the log is too small for this family at this level (--min-class, --rare other or --level, or min_class_products in ${configPath} under families.category.category)`,
        { family: 'category', classes: classes.length, rare },
      );
    checkRequirements('category', category.units, countCategoryExamples(data), fc.requirements, configPath);
    say(
      `train: ${classes.length} classes at level ${settings.level}; ${n(splits.train.labels.length)} train, ${n(splits.valid.labels.length)} valid, ${n(splits.test.labels.length)} test products (grouped by ${data.groupedBy}); ${n(data.labelInfo.unlabeled)} without a category; ${rare.classes} classes under ${settings.min_class_products} products (${n(rare.products)} products) ${rare.merged ? 'merged into other' : 'left out'}`,
    );
    const phases = phasedProgress('train: ');
    const linearFit = await fitTextClassifier(splits.train, splits.valid, classes, {
      svm: { ...DEFAULT_LINEAR_SVC, C: settings.linear.C, seed: run.seed },
      extraWeights: settings.linear.extra_weights,
      threads: run.nthread,
      onFit: (weight, done, total) => phases.step('linear SVM for each brand/seller/price weight', done - 1, total),
    });
    phases.end();
    // The saved model holds float32 weights: it is the one scored.
    const linear = atFloat32(linearFit.model);

    const buckets = settings.hash_buckets;
    const params: BoosterParams = {
      ...fc.params,
      num_class: classes.length,
      nthread: run.nthread,
      seed: run.seed,
    };
    const dtrain = matrixOf(splits.train.products, buckets, splits.train.labels, run.nthread);
    const dvalid = matrixOf(splits.valid.products, buckets, splits.valid.labels, run.nthread);
    let result;
    try {
      result = train(params, dtrain, {
        rounds: fc.rounds,
        evals: [
          [dtrain, 'train'],
          [dvalid, 'valid'],
        ],
        earlyStoppingRounds: fc.early_stopping_rounds,
        onRound: (round) => phases.step(`XGBoost rounds (valid ${fc.params.eval_metric})`, round + 1, fc.rounds),
      });
    } finally {
      dtrain.dispose();
      dvalid.dispose();
    }
    phases.end();
    const rounds = keepBestRounds(result);
    const booster = result.booster;
    const k = classes.length;
    const scored = (name: 'linear' | 'xgboost', which: 'valid' | 'test') =>
      name === 'linear'
        ? predictProbabilities(linear, splits[which].products)
        : predictXgboostCategories(booster, splits[which].products, buckets, run.nthread);
    const validF1 = (name: 'linear' | 'xgboost') =>
      evaluateClassifier(scored(name, 'valid'), splits.valid.labels, classes).macro_f1;
    const valid = { linear: validF1('linear'), xgboost: validF1('xgboost') };
    // Ties go to the linear model: it is the cheaper to serve.
    const chosen = valid.xgboost > valid.linear ? 'xgboost' : 'linear';
    const test = {
      linear: evaluateClassifier(scored('linear', 'test'), splits.test.labels, classes),
      xgboost: evaluateClassifier(scored('xgboost', 'test'), splits.test.labels, classes),
    };
    const truth = splits.test.labels;
    const score = (p: Float64Array) => headline(evaluateClassifier(p, truth, classes));
    const brands = (split: SplitName) => splits[split].products.map((p) => p.brand?.toLowerCase() ?? null);
    // A generated world's category is the generator's own choice: the truth itself is the oracle.
    const oracle = data.synthetic ? new Float64Array(truth.length * k) : null;
    if (oracle) truth.forEach((y, i) => (oracle[i * k + y] = 1));
    const metrics = {
      random: score(randomScores(truth.length, run.seed, k)),
      baseline: score(brandMajority(brands('train'), splits.train.labels, brands('test'), k)),
      model: headline(test[chosen]),
      oracle: oracle ? score(oracle) : null,
    };
    if (metrics.oracle) assertBelowOracle('category', metrics.model, metrics.oracle);
    const features = contentColumns(buckets);
    const sample = sampleRows(truth.length, fc.shap_rows, run.seed);
    const shapMatrix = matrixOf(
      Array.from(sample, (r) => splits.test.products[r]),
      buckets,
      undefined,
      run.nthread,
    );
    let shap: Record<string, number>;
    try {
      shap = sample.length ? meanAbsContributions(booster, shapMatrix, features) : {};
    } finally {
      shapMatrix.dispose();
    }
    const report = test[chosen];
    const weight = linear.featurizer.extraWeight ?? 1;
    const table = (['linear', 'xgboost'] as const)
      .map(
        (m) =>
          `  ${m.padEnd(8)} valid macro F1 ${valid[m].toFixed(4)}  test ${METRICS.map((x) => `${x} ${test[m][x].toFixed(4)}`).join('  ')}`,
      )
      .join('\n');
    say(`train: both models:\n${table}\ntrain: the ${chosen} model is kept (better on validation)`);
    const details: CategoryDetails = {
      family: 'category',
      chosen,
      models: {
        linear: { valid_macro_f1: valid.linear, test: headline(test.linear) },
        xgboost: { valid_macro_f1: valid.xgboost, test: headline(test.xgboost) },
      },
      linear: {
        tried: linearFit.tried,
        weight,
        temperature: linear.temperature,
        terms: linear.featurizer.text.reduce((s, t) => s + t.terms.length, 0),
      },
      classes,
      per_class: report.per_class,
      confusion: report.confusion,
      confident_errors: report.confident_errors.map((e) => ({
        title: splits.test.products[e.row].title,
        truth: e.truth,
        predicted: e.predicted,
        probability: e.probability,
      })),
      labels: data.labelInfo,
      split: {
        train: splits.train.labels.length,
        valid: splits.valid.labels.length,
        test: splits.test.labels.length,
        grouped_by: data.groupedBy,
      },
    };
    return {
      booster,
      params,
      rounds,
      features,
      metrics,
      gapClosed: metrics.oracle
        ? gapClosed(metrics.random[fc.primary], metrics.model[fc.primary], metrics.oracle[fc.primary])
        : null,
      curve: learningCurve(result),
      importance: importanceByKind(booster, features),
      shap,
      details,
      stored: {
        rows: details.split,
        log_loss: { linear: test.linear.log_loss, xgboost: test.xgboost.log_loss },
      },
      inputs: data.inputs,
      writeExtra: (dir) => {
        writeJsonAtomic(join(dir, 'classes.json'), classes);
        saveTextClassifier(dir, linear);
        writeJsonAtomic(join(dir, CATEGORY_CHOICE_FILE), { chosen, hash_buckets: buckets, level: settings.level });
      },
      summary: { chosen, valid_macro_f1: valid, classes: classes.length, rare },
    };
  },
  async scoreSaved({ catalog, fc, run }, version) {
    const settings = categorySettings(fc);
    const data = await categoryData(catalog, settings, run.seed);
    const saved = openCategoryModel(version.dir, version.modelPath);
    try {
      if (saved.classes.join('\n') !== data.classes.join('\n'))
        throw new Error(`category v${version.version} knows other classes than the data folder now gives`);
      return headline(
        evaluateClassifier(saved.probabilities(data.splits.test.products), data.splits.test.labels, data.classes),
      );
    } finally {
      saved.dispose();
    }
  },
  describeFeatures: ({ hashBuckets, products }) => ({
    ...CONTENT_DESCRIPTIONS,
    ...hashedColumnLegend(products as never, hashBuckets),
  }),
  charts(d) {
    const worst = [...d.per_class].reverse();
    return [
      {
        table: {
          head: ['model', 'valid macro F1', ...METRICS.map((m) => `test ${m}`), 'kept'],
          rows: (['linear', 'xgboost'] as const).map((m) => [
            m === 'linear' ? 'TF-IDF + linear SVM' : 'XGBoost (hashed features)',
            d.models[m].valid_macro_f1,
            ...METRICS.map((x) => d.models[m].test[x]),
            m === d.chosen ? 'yes' : '',
          ]),
        },
      },
      {
        table: {
          head: ['level', 'classes', 'train', 'valid', 'test', 'without a category', 'rare classes', 'their products'],
          rows: [
            [
              String(d.labels.level),
              ...[
                d.classes.length,
                d.split.train,
                d.split.valid,
                d.split.test,
                d.labels.unlabeled,
                d.labels.rare.classes,
              ].map((x) => x.toLocaleString('en-US')),
              `${d.labels.rare.products.toLocaleString('en-US')} (${d.labels.rare.merged ? 'merged into other' : 'left out'})`,
            ],
          ],
        },
      },
      {
        note: `The split keeps each group on one side (grouped by ${d.split.grouped_by}). The linear model tried brand/seller/price weights ${d.linear.tried.map((t) => `${t.weight} (valid macro F1 ${t.macro_f1.toFixed(4)})`).join(', ')} and kept ${d.linear.weight}; ${d.linear.terms.toLocaleString('en-US')} title terms. The learning curve and feature charts below are XGBoost's${d.chosen === 'xgboost' ? ', the kept model' : ', the model beside it'}.`,
      },
      {
        plot: 'per-class-f1',
        traces: [{ type: 'bar', x: worst.map((c) => c.class), y: worst.map((c) => c.f1) }],
        layout: {
          title: { text: `Per-class F1 on test of the ${d.chosen} model, worst last` },
          yaxis: { range: [0, 1] },
        },
      },
      {
        plot: 'confusion',
        traces: [
          {
            type: 'heatmap',
            z: d.confusion.matrix,
            x: [...d.confusion.classes, '(others)'],
            y: d.confusion.classes,
            colorscale: [
              [0, '#ffffff'],
              [1, '#08306b'],
            ],
          },
        ],
        layout: {
          title: { text: 'Confusion of the largest classes on test (rows: true, columns: predicted)' },
          yaxis: { autorange: 'reversed' },
        },
        height: 720,
      },
      {
        table: {
          head: ['title', 'true', 'predicted', 'probability'],
          rows: d.confident_errors.map((e) => [e.title, e.truth, e.predicted, e.probability]),
        },
      },
    ];
  },
};

/** The defaults of `families.category.category` (counting uses them; training reads the config's). */
export const DEFAULT_CATEGORY_SETTINGS: CategorySettings = {
  level: 'leaf',
  min_class_products: 10,
  rare: 'drop',
  split: { train: 0.7, valid: 0.15, test: 0.15 },
  linear: { C: 1, extra_weights: [0, 0.5, 1] },
  hash_buckets: 4096,
};

/** A saved category version, answering with whichever model it chose. */
export interface CategoryModel {
  chosen: 'linear' | 'xgboost';
  classes: string[];
  probabilities(products: readonly CategoryInput[]): Float64Array;
  dispose(): void;
}

/**
 * Opens a saved category version: its choice, class names, and the chosen model. A version from
 * before the linear model (no category.json) is XGBoost on its own columns' hashed buckets.
 */
export function openCategoryModel(dir: string, modelPath: string, booster?: Booster): CategoryModel {
  const read = <T>(file: string): T | null =>
    existsSync(join(dir, file)) ? (JSON.parse(readFileSync(join(dir, file), 'utf8')) as T) : null;
  const classes = read<string[]>('classes.json');
  const features = read<string[]>('features.json');
  if (!classes || !features) throw new Error(`${dir}: no classes.json or features.json; the version is incomplete`);
  const choice = read<{ chosen: 'linear' | 'xgboost'; hash_buckets: number }>(CATEGORY_CHOICE_FILE) ?? {
    chosen: 'xgboost',
    hash_buckets: features.filter((f) => f.startsWith('hash_')).length,
  };
  if (choice.chosen === 'linear') {
    const model: TextClassifier = loadTextClassifier(dir);
    return { chosen: 'linear', classes, probabilities: (p) => predictProbabilities(model, p), dispose: () => {} };
  }
  const owned = booster ?? Booster.load(modelPath).setParams({ nthread: 1 });
  return {
    chosen: 'xgboost',
    classes,
    probabilities: (p) => predictXgboostCategories(owned, p, choice.hash_buckets),
    dispose: () => {
      if (!booster) owned.dispose();
    },
  };
}

/**
 * A saved category version scoring batches on `threads` worker threads (each opens the version
 * once): what bulk scoring of a product file uses. `close` ends the threads. Loaded on first call:
 * its module names the worker file through `import.meta.url`, which notebooks (tslab's CommonJS
 * build) cannot load, and notebooks import this family.
 */
export async function bulkCategoryScorer(
  dir: string,
  modelPath: string,
  classes: string[],
  k: number,
  threads: number,
): Promise<ProductScorer & { close(): Promise<void> }> {
  return (await import('./category-bulk')).bulkCategoryScorer(dir, modelPath, classes, k, threads);
}
