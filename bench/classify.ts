/**
 * How fast and how well products are classified by TF-IDF of the title (word 1–2 and char_wb 2–5
 * grams), one-hot brand, seller and price bucket, and the linear SVM, its probabilities calibrated
 * on validation, on a grouped, stratified 70/15/15 split (normalised titles as groups):
 *   npx tsx bench/classify.ts [--input FILE.csv|.parquet] [--title COL] [--category COL] [--brand COL] [--price COL] [--level N]
 * Without --input: the default world's products (data/raw/products.parquet). Classes with fewer
 * than --min-class products are left out. Prints seconds per step, products per second scored,
 * accuracy and macro F1 on test.
 */
import { existsSync } from 'node:fs';
import { parseFlags } from '../lib/cli';
import {
  categoryAt,
  classLabels,
  DEFAULT_LINEAR_SVC,
  featurize,
  fitTextClassifier,
  groupedSplit,
  logLoss,
  normalizeTitle,
  predictProbabilities,
  type ProductText,
  topClasses,
} from '../lib/classify/index';
import { accuracy, confusionMatrix, macroF1 } from '../lib/eval/index';
import { queryRows, sqlString, withDuckDB } from '../lib/io/index';
import { report } from './report';

const flags = parseFlags(
  'npx tsx bench/classify.ts [--input FILE] [--title COL] [--category COL] [--brand COL] [--price COL] [--seller COL] [--level N] [--min-class N]',
  {
    input: { type: 'string', default: 'data/raw/products.parquet', description: 'a product table, CSV or Parquet' },
    title: { type: 'string', default: 'title', description: 'the title column' },
    category: { type: 'string', default: 'category_path', description: 'the category path column' },
    brand: { type: 'string', description: 'the brand column (one-hot)' },
    price: { type: 'string', description: 'the price column (a bucket of log2 price)' },
    seller: { type: 'string', description: 'the seller column (one-hot)' },
    level: { type: 'string', default: '1', description: 'depth of the path used as the label' },
    'min-class': { type: 'string', default: '10', description: 'classes with fewer products are left out' },
  },
);
if (!existsSync(flags.input)) throw new Error(`${flags.input}: no such file`);
const reader = flags.input.endsWith('.parquet')
  ? `read_parquet(${sqlString(flags.input)})`
  : `read_csv(${sqlString(flags.input)}, header = true, all_varchar = true)`;
const q = (c: string | undefined) => (c ? `CAST("${c.replace(/"/g, '""')}" AS VARCHAR)` : 'NULL');
const rows = await withDuckDB((con) =>
  queryRows(
    con,
    `SELECT ${q(flags.title)} AS title, ${q(flags.category)} AS path, ${q(flags.brand)} AS brand, ${q(flags.seller)} AS seller,
      TRY_CAST(regexp_replace(${q(flags.price)}, '[^0-9.]', '', 'g') AS DOUBLE) AS price
    FROM ${reader} WHERE ${q(flags.title)} IS NOT NULL AND ${q(flags.category)} IS NOT NULL`,
  ),
);
const level = Number(flags.level);
// The path as the catalogue importer writes it (levels trimmed, joined by ' > '), cut at the level.
const pathOf = (path: string) =>
  path
    .split('>')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .join(' > ');
const named = classLabels(
  rows.map((r) => categoryAt(pathOf(r.path as string), null, level)),
  Number(flags['min-class']),
  'drop',
);
const kept = rows.filter((_, i) => named.labels[i] >= 0);
const products: ProductText[] = kept.map((r) => ({
  title: r.title as string,
  brand: r.brand as string | null,
  seller: r.seller as string | null,
  price: r.price as number | null,
}));
const { classes } = named;
const labels = named.labels.filter((y) => y >= 0);
const split = groupedSplit(
  Array.from(labels, (y) => classes[y]),
  products.map((p) => normalizeTitle(p.title)),
  { train: 0.7, valid: 0.15, test: 0.15 },
  42,
);
const part = (s: string) => kept.map((_, i) => i).filter((i) => split[i] === s);
const [train, valid, test] = [part('train'), part('valid'), part('test')];
const pick = (rows: number[]) => rows.map((i) => products[i]);
const labelsOf = (rows: number[]) => Int32Array.from(rows, (i) => labels[i]);

let t = performance.now();
const lap = () => {
  const now = performance.now();
  const s = (now - t) / 1000;
  t = now;
  return s;
};
const fitted = await fitTextClassifier(
  { products: pick(train), labels: labelsOf(train) },
  { products: pick(valid), labels: labelsOf(valid) },
  classes,
  { svm: DEFAULT_LINEAR_SVC, extraWeights: [0, 0.25, 0.5, 1], threads: 2 },
);
const fit = lap();
const { model } = fitted;
const k = classes.length;
const xtrain = featurize(model.featurizer, pick(train));
lap();
const probabilities = predictProbabilities(model, pick(test));
const score = lap();
const truth = labelsOf(test);
const top = topClasses(probabilities, k, 3);
const width = Math.min(3, k);
const predicted = Array.from(truth, (_, r) => top.classes[r * width]);
const top3 = Array.from(truth).filter((y, r) => top.classes.subarray(r * width, (r + 1) * width).includes(y)).length;
report(`classify-level-${level}`, {
  products: kept.length,
  classes: k,
  train: train.length,
  test: test.length,
  columns: xtrain.cols,
  fit_seconds: fit,
  fits: fitted.tried.length,
  extra_weight: model.featurizer.extraWeight ?? 1,
  score_products_per_second: Math.round(test.length / score),
  accuracy: accuracy(truth, predicted),
  top3_accuracy: top3 / truth.length,
  macro_f1: macroF1(confusionMatrix(truth, predicted, k)),
  log_loss: logLoss(probabilities, truth, k),
  temperature: model.temperature,
});
