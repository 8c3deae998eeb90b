import { configFields } from '../train/index';

/** How the category family turns category paths into classes (`families.category.category`). */
export interface CategorySettings {
  /** Depth of the path a class is cut at (1: the top level), or the whole path. */
  level: number | 'leaf';
  /** Classes with fewer products than this are left out, or merged into `other`. */
  min_class_products: number;
  rare: 'drop' | 'other';
  /** Shares of the grouped, stratified split. */
  split: { train: number; valid: number; test: number };
  /** The linear model: SVM cost and the brand/seller/price weights tried on validation. */
  linear: { C: number; extra_weights: number[] };
  /** Buckets of the hashed title, brand and seller features XGBoost reads. */
  hash_buckets: number;
}

/** The class of a product merged from the rare ones when `rare` is `other`. */
export const OTHER_CLASS = 'other';

/** Checks the category family's settings block; every problem names the file and the field. */
export function checkCategorySettings(raw: unknown, path: string, at: string): CategorySettings {
  const { fail, object, number } = configFields(path);
  const r = object(raw, at);
  const level = r.level === 'leaf' ? ('leaf' as const) : number(r.level, `${at}.level`, 1, 100, true);
  if (r.rare !== 'drop' && r.rare !== 'other')
    fail(`${at}.rare`, `must be "drop" or "other", got ${JSON.stringify(r.rare)}`);
  const split = object(r.split, `${at}.split`);
  const shares = {
    train: number(split.train, `${at}.split.train`, 0.01, 1),
    valid: number(split.valid, `${at}.split.valid`, 0.01, 1),
    test: number(split.test, `${at}.split.test`, 0.01, 1),
  };
  const linear = object(r.linear, `${at}.linear`);
  const weights =
    Array.isArray(linear.extra_weights) && linear.extra_weights.length > 0
      ? linear.extra_weights.map((w, i) => number(w, `${at}.linear.extra_weights[${i}]`, 0, 100))
      : fail(
          `${at}.linear.extra_weights`,
          'must be a non-empty list of numbers (0 leaves brand, seller and price out)',
        );
  return {
    level,
    min_class_products: number(r.min_class_products, `${at}.min_class_products`, 1, 1e9, true),
    rare: r.rare as 'drop' | 'other',
    split: shares,
    linear: { C: number(linear.C, `${at}.linear.C`, 1e-6, 1e6), extra_weights: weights },
    hash_buckets: number(r.hash_buckets, `${at}.hash_buckets`, 16, 1 << 24, true),
  };
}

/**
 * A `--level` flag's value: a positive whole number or `leaf`; undefined keeps the config's.
 * Returns null when the value is not one of those.
 */
export function parseLevel(value: string): number | 'leaf' | null {
  if (value === 'leaf') return 'leaf';
  return /^[1-9][0-9]*$/.test(value) ? Number(value) : null;
}

/**
 * A product's class at a depth of its path (`A > B > C` at level 2 is `A > B`; a shorter path is
 * its whole self). Without a path, the leaf level falls back to the category id (logs such as
 * REES46 give ids without names); a deeper cut needs the path, so such a product has no class.
 */
export function categoryAt(path: string | null, id: string | null, level: number | 'leaf'): string | null {
  if (path) return level === 'leaf' ? path : path.split(' > ').slice(0, level).join(' > ');
  return level === 'leaf' ? id : null;
}

/** Classes kept, and what was left out or merged because a class was too small. */
export interface ClassLabels {
  /** Sorted class names (with `other` among them when rare classes were merged). */
  classes: string[];
  /** Each product's class index, -1 when it has none or its class was left out. */
  labels: Int32Array;
  /** Products without a class at the level. */
  unlabeled: number;
  rare: { classes: number; products: number; merged: boolean };
}

/**
 * Indexes products' classes, leaving out (or merging into `other`) every class with fewer than
 * `min` products.
 */
export function classLabels(names: readonly (string | null)[], min: number, rare: 'drop' | 'other'): ClassLabels {
  const counts = new Map<string, number>();
  for (const c of names) if (c !== null) counts.set(c, (counts.get(c) ?? 0) + 1);
  const small = [...counts].filter(([, n]) => n < min);
  const merged = rare === 'other' && small.length > 0;
  const kept = [...counts.keys()].filter((c) => counts.get(c)! >= min);
  // A real class named `other` absorbs the merged ones.
  const classes = [...new Set(merged ? [...kept, OTHER_CLASS] : kept)].sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  const labels = Int32Array.from(names, (c) => {
    if (c === null) return -1;
    const at = index.get(c);
    if (at !== undefined) return at;
    return merged ? index.get(OTHER_CLASS)! : -1;
  });
  return {
    classes,
    labels,
    unlabeled: names.filter((c) => c === null).length,
    rare: { classes: small.length, products: small.reduce((s, [, n]) => s + n, 0), merged },
  };
}
