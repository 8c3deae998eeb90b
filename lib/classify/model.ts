import { type Csr, CsrBuilder, hstack } from './sparse';
import { confusionMatrix, macroF1 } from '../eval/index';
import { argmaxRows } from '../train/index';
import { fitLinearSvcInParallel } from './parallel';
import { decisionFunction, type LinearSvc, type LinearSvcOptions } from './svm';
import { fitTfidf, type Tfidf, type TfidfOptions, transformTfidf } from './tfidf';

/** What a catalogue classifier reads of a product. */
export interface ProductText {
  title: string;
  brand?: string | null;
  seller?: string | null;
  price?: number | null;
}

/** The feature blocks of a product: title n-grams, then one-hot brand, seller and price bucket. */
export interface Featurizer {
  /** The title's TF-IDF blocks (word 1–2 grams and char_wb 2–5 grams by default). */
  text: Tfidf[];
  /** One-hot vocabularies learned from training products; unseen values get no column. */
  brands: string[];
  sellers: string[];
  /**
   * Price buckets: floor(log2(1 + price)), capped; one more column for a missing price. 0 when no
   * training product has a price (no block: a column every row sets would be a second intercept).
   */
  priceBuckets: number;
  /**
   * The value a one-hot brand, seller or price column takes (1 by default; each title block has
   * length 1): how much those facts weigh beside the title, chosen on validation by `fitTextClassifier`.
   */
  extraWeight?: number;
}

export const DEFAULT_TEXT_BLOCKS: TfidfOptions[] = [
  { analyzer: 'word', ngram: [1, 2] },
  { analyzer: 'char_wb', ngram: [2, 5] },
];

/** Learns the vocabularies of the training products only. */
export function fitFeaturizer(
  train: readonly ProductText[],
  blocks: readonly TfidfOptions[] = DEFAULT_TEXT_BLOCKS,
  priceBuckets = 20,
): Featurizer {
  const titles = train.map((p) => p.title);
  const values = (key: 'brand' | 'seller') =>
    [...new Set(train.map((p) => normalizeValue(p[key])).filter((v): v is string => v !== null))].sort();
  return {
    text: blocks.map((options) => fitTfidf(titles, options)),
    brands: values('brand'),
    sellers: values('seller'),
    priceBuckets: train.some((p) => priceBucket(p.price, priceBuckets) < priceBuckets) ? priceBuckets : 0,
  };
}

const normalizeValue = (v: string | null | undefined) => {
  const t = v?.trim().toLowerCase();
  return t ? t : null;
};

/** A price's bucket: floor(log2(1 + price)) capped at buckets − 1, or `buckets` when missing or not a number ≥ 0. */
export function priceBucket(price: number | null | undefined, buckets: number): number {
  if (price === null || price === undefined || !(price >= 0)) return buckets;
  return Math.min(buckets - 1, Math.floor(Math.log2(1 + price)));
}

/** The products' feature rows: the title blocks side by side, then brand, seller and price (value 1 each). */
export function featurize(f: Featurizer, products: readonly ProductText[]): Csr {
  const titles = products.map((p) => p.title);
  const weight = f.extraWeight ?? 1;
  const oneHot = (vocabulary: string[], value: (p: ProductText) => string | number | null, cols: number) => {
    const index = new Map<string | number, number>(vocabulary.map((v, i) => [v, i]));
    const out = new CsrBuilder(cols);
    for (const p of products) {
      const v = value(p);
      const c = v === null ? undefined : index.get(v);
      if (c === undefined || weight === 0) out.push([], []);
      else out.push([c], [weight]);
    }
    return out.build();
  };
  const buckets = f.priceBuckets ? Array.from({ length: f.priceBuckets + 1 }, (_, i) => String(i)) : [];
  return hstack([
    ...f.text.map((t) => transformTfidf(t, titles)),
    oneHot(f.brands, (p) => normalizeValue(p.brand), f.brands.length),
    oneHot(f.sellers, (p) => normalizeValue(p.seller), f.sellers.length),
    oneHot(buckets, (p) => String(priceBucket(p.price, f.priceBuckets)), buckets.length),
  ]);
}

/** Row-wise softmax of `scores` (rows × classes) times `temperature`, in place-safe new array. */
export function softmaxRows(scores: ArrayLike<number>, classes: number, temperature: number): Float64Array {
  const out = new Float64Array(scores.length);
  for (let r = 0; r * classes < scores.length; r++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, scores[r * classes + c] * temperature);
    let sum = 0;
    for (let c = 0; c < classes; c++)
      sum += out[r * classes + c] = Math.exp(scores[r * classes + c] * temperature - max);
    for (let c = 0; c < classes; c++) out[r * classes + c] /= sum;
  }
  return out;
}

/** Mean negative log probability of the true class. */
export function logLoss(probabilities: Float64Array, labels: ArrayLike<number>, classes: number): number {
  let s = 0;
  for (let r = 0; r < labels.length; r++) s -= Math.log(Math.max(probabilities[r * classes + labels[r]], 1e-15));
  return s / labels.length;
}

/**
 * `logLoss(softmaxRows(scores, classes, temperature), labels, classes)` without the probabilities'
 * array: each row's true-class probability by the same operations in the same order, so the same
 * number to the last bit (the temperature search evaluates it 120 times on rows × classes scores).
 */
export function temperedLogLoss(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  temperature: number,
): number {
  let s = 0;
  for (let r = 0; r < labels.length; r++) {
    const o = r * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, scores[o + c] * temperature);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(scores[o + c] * temperature - max);
    const p = Math.exp(scores[o + labels[r]] * temperature - max) / sum;
    s -= Math.log(Math.max(p, 1e-15));
  }
  return s / labels.length;
}

/**
 * The temperature that turns decision values into probabilities with the least log loss on
 * held-out rows (a one-parameter calibration: the ranking of classes is unchanged). Golden-section
 * search over log temperature in [1/100, 100].
 */
export function fitTemperature(scores: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number {
  const loss = (logT: number) => temperedLogLoss(scores, labels, classes, Math.exp(logT));
  let [lo, hi] = [Math.log(0.01), Math.log(100)];
  const g = (Math.sqrt(5) - 1) / 2;
  let a = hi - g * (hi - lo);
  let b = lo + g * (hi - lo);
  let fa = loss(a);
  let fb = loss(b);
  for (let i = 0; i < 60; i++) {
    if (fa <= fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - g * (hi - lo);
      fa = loss(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + g * (hi - lo);
      fb = loss(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}

/** Each row's k best classes, best first, with their probabilities. */
export function topClasses(
  probabilities: Float64Array,
  classes: number,
  k: number,
): { classes: Int32Array; probabilities: Float64Array } {
  const rows = probabilities.length / classes;
  const width = Math.min(k, classes);
  const outClasses = new Int32Array(rows * width);
  const outProbabilities = new Float64Array(rows * width);
  // k passes of a selection per row (best probability, then the smaller class): no sort of every class.
  const taken = new Uint8Array(classes);
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    for (let i = 0; i < width; i++) {
      let best = -1;
      for (let c = 0; c < classes; c++)
        if (!taken[c] && (best < 0 || probabilities[o + c] > probabilities[o + best])) best = c;
      taken[best] = 1;
      outClasses[r * width + i] = best;
      outProbabilities[r * width + i] = probabilities[o + best];
    }
    for (let i = 0; i < width; i++) taken[outClasses[r * width + i]] = 0;
  }
  return { classes: outClasses, probabilities: outProbabilities };
}

/** `topClasses`' rows as named answers: each row's best classes with their probabilities, best first. */
export function namedTopClasses(
  classes: readonly string[],
  top: { classes: Int32Array; probabilities: Float64Array },
  rows: number,
  k: number,
): { category: string; probability: number }[][] {
  const width = Math.min(k, classes.length);
  return Array.from({ length: rows }, (_, r) =>
    Array.from({ length: width }, (_, i) => ({
      category: classes[top.classes[r * width + i]],
      probability: top.probabilities[r * width + i],
    })),
  );
}

/** A fitted catalogue classifier: features, the SVM and its probability temperature. */
export interface TextClassifier {
  classes: string[];
  featurizer: Featurizer;
  svm: LinearSvc;
  temperature: number;
}

/** Probabilities of every class for each product, rows × classes. */
export function predictProbabilities(model: TextClassifier, products: readonly ProductText[]): Float64Array {
  const scores = decisionFunction(model.svm, featurize(model.featurizer, products));
  return softmaxRows(scores, model.classes.length, model.temperature);
}

export interface TextClassifierOptions {
  svm: LinearSvcOptions;
  /** Values tried for the brand, seller and price columns (0 leaves them out); the best validation macro F1 wins. */
  extraWeights: number[];
  threads: number;
  /** Before each fit: which weight, and the how-manyth of how many. */
  onFit?: (weight: number, done: number, total: number) => void;
}

/** What choosing the weight saw: validation macro F1 for each weight tried. */
export interface TextClassifierFit {
  model: TextClassifier;
  tried: { weight: number; macro_f1: number }[];
}

/**
 * Fits the catalogue classifier: vocabularies on the training products only, an SVM for each
 * brand/seller/price weight tried, the one with the best macro F1 on validation kept (ties: the
 * smaller weight), and its probability temperature fitted on validation.
 */
export async function fitTextClassifier(
  train: { products: readonly ProductText[]; labels: Int32Array },
  valid: { products: readonly ProductText[]; labels: Int32Array },
  classes: string[],
  options: TextClassifierOptions,
): Promise<TextClassifierFit> {
  const base = fitFeaturizer(train.products);
  const hasExtras = base.brands.length + base.sellers.length + base.priceBuckets > 0;
  const weights = hasExtras ? [...new Set(options.extraWeights)].sort((a, b) => a - b) : [0];
  const tried: TextClassifierFit['tried'] = [];
  let best: { featurizer: Featurizer; svm: LinearSvc; scores: Float64Array; f1: number } | null = null;
  // The title blocks are computed once; each weight only rewrites the one-hot columns after them.
  const textCols = base.text.reduce((n, t) => n + t.terms.length, 0);
  const [trainX, validX] = [train.products, valid.products].map((p) => featurize({ ...base, extraWeight: 1 }, p));
  const weigh = (m: Csr, weight: number): Csr => ({
    ...m,
    values: m.values.map((v, k) => (m.indices[k] >= textCols ? weight : v)),
  });
  for (const [i, weight] of weights.entries()) {
    options.onFit?.(weight, i + 1, weights.length);
    const featurizer = { ...base, extraWeight: weight };
    const svm = await fitLinearSvcInParallel(
      weigh(trainX, weight),
      train.labels,
      classes.length,
      options.svm,
      options.threads,
    );
    const scores = decisionFunction(svm, weigh(validX, weight));
    const f1 = macroF1(confusionMatrix(valid.labels, argmaxRows(scores, classes.length), classes.length));
    tried.push({ weight, macro_f1: f1 });
    if (!best || f1 > best.f1) best = { featurizer, svm, scores, f1 };
  }
  // The kept weight's temperature only (each fit reads rows × classes scores 120 times).
  const temperature = fitTemperature(best!.scores, valid.labels, classes.length);
  return { model: { classes, featurizer: best!.featurizer, svm: best!.svm, temperature }, tried };
}
