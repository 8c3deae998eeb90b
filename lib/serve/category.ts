import { CONTENT_DENSE, type ContentProduct, contentFeatureRow } from '../features/index';
import { DMatrix } from '../xgboost/index';
import type { LoadedModel } from './models';

/**
 * Top-k categories with probabilities for each product, from the same content-feature function
 * the training set was built with. The model's columns are the dense content features, then the
 * hashed buckets.
 */
export function predictCategories(
  model: LoadedModel,
  products: ContentProduct[],
  k = 3,
): { category: string; probability: number }[][] {
  const classes = model.classes!;
  const dense = model.features.filter((f) => !f.startsWith('hash_'));
  if (dense.join() !== CONTENT_DENSE.join())
    throw new Error(
      `category model v${model.version} expects dense features [${dense.join(', ')}], this service computes [${CONTENT_DENSE.join(', ')}]`,
    );
  const buckets = model.features.length - dense.length;
  const indptr = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const product of products) {
    const row = contentFeatureRow(product, buckets);
    CONTENT_DENSE.forEach((name, j) => {
      const v = row.dense[name];
      if (v === null) return;
      indices.push(j);
      values.push(v);
    });
    row.indices.forEach((b, i) => {
      indices.push(dense.length + b);
      values.push(row.values[i]);
    });
    indptr.push(indices.length);
  }
  const matrix = DMatrix.fromCSR(indptr, Uint32Array.from(indices), Float32Array.from(values), model.features.length);
  try {
    const { values: p } = model.booster.predict(matrix);
    return products.map((_, i) => {
      const row = Array.from(p.subarray(i * classes.length, (i + 1) * classes.length));
      return row
        .map((probability, c) => ({ category: classes[c], probability }))
        .sort((a, b) => b.probability - a.probability)
        .slice(0, k);
    });
  } finally {
    matrix.dispose();
  }
}
