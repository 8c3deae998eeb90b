import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { InputError } from '../errors';
import type { TextClassifier } from './model';
import type { LinearSvc } from './svm';
import type { TfidfOptions } from './tfidf';

/**
 * A text classifier in a folder: `classifier.json` (classes, temperature, vocabularies, idf) and
 * `classifier-weights.f32` (the SVM's weights, float32 little-endian, class by class, each
 * row's intercept last). Weights are kept at float32 precision: `atFloat32` rounds a fitted
 * model so that what is evaluated is exactly what a reload answers.
 */
export const CLASSIFIER_FILE = 'classifier.json';
export const CLASSIFIER_WEIGHTS_FILE = 'classifier-weights.f32';

interface SavedClassifier {
  classes: string[];
  temperature: number;
  featurizer: {
    text: { options: TfidfOptions; terms: string[]; idf: number[] }[];
    brands: string[];
    sellers: string[];
    priceBuckets: number;
    extraWeight: number;
  };
  svm: { classes: number; cols: number; interceptScaling: number; iterations: number[] };
}

/** The model with its SVM weights rounded to float32, as saved. */
export function atFloat32(model: TextClassifier): TextClassifier {
  const svm: LinearSvc = { ...model.svm, weights: Float64Array.from(Float32Array.from(model.svm.weights)) };
  return { ...model, svm };
}

export function saveTextClassifier(dir: string, model: TextClassifier): void {
  const { featurizer: f, svm } = model;
  const saved: SavedClassifier = {
    classes: model.classes,
    temperature: model.temperature,
    featurizer: {
      text: f.text.map((t) => ({ options: t.options, terms: t.terms, idf: Array.from(t.idf) })),
      brands: f.brands,
      sellers: f.sellers,
      priceBuckets: f.priceBuckets,
      extraWeight: f.extraWeight ?? 1,
    },
    svm: { classes: svm.classes, cols: svm.cols, interceptScaling: svm.interceptScaling, iterations: svm.iterations },
  };
  writeFileSync(join(dir, CLASSIFIER_FILE), `${JSON.stringify(saved)}\n`);
  const weights = Float32Array.from(svm.weights);
  writeFileSync(join(dir, CLASSIFIER_WEIGHTS_FILE), new Uint8Array(weights.buffer));
}

export function loadTextClassifier(dir: string): TextClassifier {
  const path = join(dir, CLASSIFIER_FILE);
  let saved: SavedClassifier;
  try {
    saved = JSON.parse(readFileSync(path, 'utf8')) as SavedClassifier;
  } catch (error) {
    throw new InputError(`${path}: cannot be read (${(error as Error).message})`);
  }
  const weightsPath = join(dir, CLASSIFIER_WEIGHTS_FILE);
  let bytes: Buffer;
  try {
    bytes = readFileSync(weightsPath);
  } catch (error) {
    throw new InputError(`${weightsPath}: cannot be read (${(error as Error).message})`);
  }
  const { classes, cols } = saved.svm;
  const expected = classes * (cols + 1) * 4;
  if (bytes.byteLength !== expected)
    throw new InputError(
      `${weightsPath}: holds ${bytes.byteLength} bytes, not ${classes} classes × ${cols + 1} float32 weights`,
    );
  const width = saved.featurizer.text.reduce((n, t) => n + t.terms.length, 0);
  const oneHot = saved.featurizer.brands.length + saved.featurizer.sellers.length;
  const prices = saved.featurizer.priceBuckets ? saved.featurizer.priceBuckets + 1 : 0;
  if (width + oneHot + prices !== cols)
    throw new InputError(`${path}: its vocabularies make ${width + oneHot + prices} columns, its weights ${cols}`);
  const weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return {
    classes: saved.classes,
    temperature: saved.temperature,
    featurizer: {
      text: saved.featurizer.text.map((t) => ({ options: t.options, terms: t.terms, idf: Float64Array.from(t.idf) })),
      brands: saved.featurizer.brands,
      sellers: saved.featurizer.sellers,
      priceBuckets: saved.featurizer.priceBuckets,
      extraWeight: saved.featurizer.extraWeight,
    },
    svm: { ...saved.svm, weights: Float64Array.from(weights) },
  };
}
