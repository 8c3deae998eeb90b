/**
 * How fast and how well titles are classified by TF-IDF (word 1–2 and char_wb 2–5 grams) and the
 * linear SVM, on a grouped, stratified 70/15/15 split (normalised titles as groups):
 *   npx tsx bench/classify.ts [--input FILE.csv|.parquet] [--title COL] [--category COL] [--level N] [--min-class N]
 * Without --input: the default world's products (data/raw/products.parquet). Classes with fewer
 * than --min-class products are left out. Prints seconds per step, products per second scored,
 * accuracy and macro F1 on test.
 */
import { existsSync } from 'node:fs';
import { parseFlags } from '../lib/cli';
import {
  decisionFunction,
  DEFAULT_LINEAR_SVC,
  fitLinearSvcInParallel,
  fitTfidf,
  groupedSplit,
  hstack,
  normalizeTitle,
  transformTfidf,
} from '../lib/classify/index';
import { accuracy, confusionMatrix, macroF1 } from '../lib/eval/index';
import { queryRows, sqlString, withDuckDB } from '../lib/io/index';
import { report } from './report';

const flags = parseFlags(
  'npx tsx bench/classify.ts [--input FILE] [--title COL] [--category COL] [--level N] [--min-class N]',
  {
    input: { type: 'string', default: 'data/raw/products.parquet', description: 'a product table, CSV or Parquet' },
    title: { type: 'string', default: 'title', description: 'the title column' },
    category: { type: 'string', default: 'category_path', description: 'the category path column' },
    level: { type: 'string', default: '1', description: 'depth of the path used as the label' },
    'min-class': { type: 'string', default: '10', description: 'classes with fewer products are left out' },
  },
);
if (!existsSync(flags.input)) throw new Error(`${flags.input}: no such file`);
const reader = flags.input.endsWith('.parquet')
  ? `read_parquet(${sqlString(flags.input)})`
  : `read_csv(${sqlString(flags.input)}, header = true, all_varchar = true)`;
const q = (c: string) => `"${c.replace(/"/g, '""')}"`;
const rows = await withDuckDB((con) =>
  queryRows(
    con,
    `SELECT ${q(flags.title)} AS title, ${q(flags.category)} AS path FROM ${reader} WHERE ${q(flags.title)} IS NOT NULL AND ${q(flags.category)} IS NOT NULL`,
  ),
);
const level = Number(flags.level);
const labelOf = (path: string) =>
  path
    .split('>')
    .map((s) => s.trim())
    .slice(0, level)
    .join(' > ');
const counts = new Map<string, number>();
for (const r of rows) counts.set(labelOf(r.path as string), (counts.get(labelOf(r.path as string)) ?? 0) + 1);
const kept = rows.filter((r) => counts.get(labelOf(r.path as string))! >= Number(flags['min-class']));
const titles = kept.map((r) => r.title as string);
const labels = kept.map((r) => labelOf(r.path as string));
const classes = [...new Set(labels)].sort();
const split = groupedSplit(labels, titles.map(normalizeTitle), { train: 0.7, valid: 0.15, test: 0.15 }, 42);
const part = (s: string) => kept.map((_, i) => i).filter((i) => split[i] === s);
const [train, test] = [part('train'), part('test')];

let t = performance.now();
const lap = () => {
  const now = performance.now();
  const s = (now - t) / 1000;
  t = now;
  return s;
};
const trainTitles = train.map((i) => titles[i]);
const blocks = [
  fitTfidf(trainTitles, { analyzer: 'word', ngram: [1, 2] }),
  fitTfidf(trainTitles, { analyzer: 'char_wb', ngram: [2, 5] }),
];
const features = (docs: string[]) => hstack(blocks.map((b) => transformTfidf(b, docs)));
const xtrain = features(trainTitles);
const vectorize = lap();
const y = Int32Array.from(train, (i) => classes.indexOf(labels[i]));
const model = await fitLinearSvcInParallel(xtrain, y, classes.length, DEFAULT_LINEAR_SVC);
const fit = lap();
const d = decisionFunction(model, features(test.map((i) => titles[i])));
const score = lap();
const k = classes.length;
const truth = test.map((i) => classes.indexOf(labels[i]));
const predicted = truth.map((_, r) => {
  let best = 0;
  for (let c = 1; c < k; c++) if (d[r * k + c] > d[r * k + best]) best = c;
  return best;
});
const confusion = confusionMatrix(truth, predicted, k);
report(`classify-level-${level}`, {
  products: kept.length,
  classes: k,
  train: train.length,
  test: test.length,
  columns: xtrain.cols,
  vectorize_train_seconds: vectorize,
  svm_seconds: fit,
  score_products_per_second: Math.round(test.length / score),
  accuracy: accuracy(truth, predicted),
  macro_f1: macroF1(confusion),
});
