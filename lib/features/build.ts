import { existsSync, readFileSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../errors';
import { requireTables, type TableContract } from '../io/index';
import type { Cutoffs } from '../split/index';
import {
  createPurchaseExamples,
  createRankingExamples,
  createRecommendExamples,
  type HistoryRule,
  purchaseCutsSql,
  recommendSessionsSql,
} from './examples';
import { createDays, createProductDaily, createProductSnapshots, createUserTotals } from './history';
import { type FeatureSpec, manifestEntry } from './manifest';
import {
  createQueryTotals,
  type FeatureOptions,
  productFeatures,
  purchaseSetSql,
  queryProductFeatures,
  rankingSetSql,
  recommendSetSql,
  createRankingText,
  fitRankingIdf,
  sessionFeatures,
  userFeatures,
} from './sets';

// The category family reads the products themselves (lib/families/category.ts): no set here.
export const FAMILIES = ['ranking', 'purchase', 'recommend'] as const;
export type Family = (typeof FAMILIES)[number];

/** Each family's features, in the order models are trained on them. */
export function familyFeatures(options: FeatureOptions): Record<Family, FeatureSpec[]> {
  const product = productFeatures(options);
  return {
    ranking: [
      ...product,
      ...userFeatures(product.find((s) => s.name === 'price')!.sql),
      ...queryProductFeatures(options),
    ],
    purchase: sessionFeatures(),
    recommend: [],
  };
}

/** The manifest written next to the feature files. */
/** `features/manifest.json`: the options, each family's ordered feature names, and every feature's entry. */
export type FeatureManifest = ReturnType<typeof featureManifest>;

/** Reads a feature manifest; a missing or damaged file is an InputError naming it. */
export function readFeatureManifest(path: string): FeatureManifest {
  if (!existsSync(path)) throw new InputError(`${path}: no such file; run the features stage first (make data)`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as FeatureManifest;
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

export function featureManifest(options: FeatureOptions, rule: HistoryRule) {
  const families = familyFeatures(options);
  return {
    history: rule,
    options,
    families: Object.fromEntries(Object.entries(families).map(([family, specs]) => [family, specs.map((s) => s.name)])),
    features: Object.fromEntries(Object.entries(families).map(([family, specs]) => [family, specs.map(manifestEntry)])),
  };
}

/** What buildTrainingSets reads and writes on its connection. */
export const TRAINING_SETS_TABLES = {
  reads: ['events', 'products', 'session_splits'],
  optional: ['impressions'],
  writes: FAMILIES.map((family) => `${family}_set`),
} as const satisfies TableContract;

/**
 * Builds every family's training set as view `<family>_set` in `con`, from tables `events`,
 * `products`, `session_splits` and (synthetic worlds) `impressions`; and the history tables,
 * unless `historyReady` says `updateHistory` created them already; and what each session gives
 * the examples (`purchase_cuts`, `recommend_sessions`), unless `sessionsReady` says
 * `updateSessionExamples` created them. The sets are views, not tables: the
 * features stage writes each split with one COPY that runs the set's joins and sort on that
 * split's examples alone and streams them to the file, where storing 17 M wide rows first cost
 * more than the joins (a 10 M-event world).
 */
export async function buildTrainingSets(
  con: DuckDBConnection,
  cutoffs: Cutoffs,
  rule: HistoryRule,
  options: FeatureOptions & { seed: number; hasImpressions: boolean; historyReady?: boolean; sessionsReady?: boolean },
  onStep: (step: string) => void = () => {},
): Promise<{ families: Family[]; idf: Map<string, number> | null }> {
  await requireTables(con, 'buildTrainingSets', TRAINING_SETS_TABLES);
  if (!options.historyReady) {
    onStep('history: days');
    await createDays(con);
    onStep('history: product snapshots');
    await createProductDaily(con);
    await createProductSnapshots(con);
    onStep('history: user totals');
    await createUserTotals(con);
  }
  const built: Family[] = [];
  let idf: Map<string, number> | null = null;
  if (options.hasImpressions) {
    onStep('ranking: examples');
    await createRankingExamples(con, cutoffs, rule);
    onStep('ranking: query totals');
    await createQueryTotals(con);
    onStep('ranking: TF-IDF');
    idf = await fitRankingIdf(con, `make_timestamp(${cutoffs.train.to * 1000})`);
    await createRankingText(con, idf);
    onStep('ranking: set');
    await con.run(`CREATE OR REPLACE VIEW ranking_set AS ${await rankingSetSql(con, options)}`);
    built.push('ranking');
  }
  onStep('purchase: examples');
  if (!options.sessionsReady) await con.run(`CREATE OR REPLACE TEMP TABLE purchase_cuts AS ${purchaseCutsSql()}`);
  await createPurchaseExamples(con, cutoffs, rule);
  if (!options.sessionsReady) await con.run('DROP TABLE purchase_cuts');
  onStep('purchase: set');
  await con.run(`CREATE OR REPLACE VIEW purchase_set AS ${await purchaseSetSql(con)}`);
  built.push('purchase');
  onStep('recommend: examples');
  if (!options.sessionsReady)
    await con.run(`CREATE OR REPLACE TEMP TABLE recommend_sessions AS ${recommendSessionsSql()}`);
  await createRecommendExamples(con, cutoffs, rule);
  if (!options.sessionsReady) await con.run('DROP TABLE recommend_sessions');
  onStep('recommend: set');
  await con.run(`CREATE OR REPLACE VIEW recommend_set AS ${recommendSetSql()}`);
  built.push('recommend');
  return { families: built, idf };
}

/**
 * The serving feature store, as of the last snapshot day (after every event): the history tables
 * the training SQL looks features up in, so the service runs that same SQL per request. Returns
 * table → SELECT; the TF-IDF vocabulary goes beside them.
 */
export function servingStoreTables(): Record<string, string> {
  const last = (table: string) => `SELECT * FROM ${table} WHERE day = (SELECT max(day) FROM ${table})`;
  return {
    user_totals: 'SELECT * FROM user_totals ORDER BY user_id, upto',
    user_category_totals: 'SELECT * FROM user_category_totals ORDER BY user_id, category_id, upto',
    product_days: `${last('product_days')} ORDER BY product_id`,
    category_days: `${last('category_days')} ORDER BY category_id`,
    query_ids: 'SELECT * FROM query_ids ORDER BY query_id',
    query_product_totals: 'SELECT * FROM query_product_totals ORDER BY query_id, product_id, upto',
    query_category_totals: 'SELECT * FROM query_category_totals ORDER BY query_id, category_id, upto',
  };
}
