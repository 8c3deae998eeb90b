import type { DuckDBConnection } from '@duckdb/node-api';
import type { Cutoffs } from '../split/index';
import { createCategoryExamples, createPurchaseExamples, createRankingExamples, createRecommendExamples, type HistoryRule } from './examples';
import { createDays, createProductSnapshots, createUserTotals } from './history';
import { type FeatureSpec, manifestEntry } from './manifest';
import {
  categorySetSql, contentFeatures, createQueryTotals, type FeatureOptions, productFeatures, purchaseSetSql, queryProductFeatures, rankingSetSql,
  recommendSetSql, registerContentHashes, createRankingText, sessionFeatures, userFeatures,
} from './sets';

export const FAMILIES = ['ranking', 'purchase', 'category', 'recommend'] as const;
export type Family = (typeof FAMILIES)[number];

/** Each family's features, in the order models are trained on them. */
export function familyFeatures(options: FeatureOptions): Record<Family, FeatureSpec[]> {
  const product = productFeatures(options);
  return {
    ranking: [...product, ...userFeatures(product.find((s) => s.name === 'price')!.sql), ...queryProductFeatures(options)],
    purchase: sessionFeatures(),
    category: contentFeatures(),
    recommend: [],
  };
}

/** The manifest written next to the feature files. */
export function featureManifest(options: FeatureOptions, rule: HistoryRule) {
  const families = familyFeatures(options);
  return {
    history: rule,
    options,
    families: Object.fromEntries(Object.entries(families).map(([family, specs]) => [family, specs.map((s) => s.name)])),
    features: Object.fromEntries(Object.entries(families).map(([family, specs]) => [family, specs.map(manifestEntry)])),
  };
}

/**
 * Builds every family's training set as table `<family>_set` in `con`, from tables `events`,
 * `products`, `session_splits` and (synthetic worlds) `impressions`.
 */
export async function buildTrainingSets(con: DuckDBConnection, cutoffs: Cutoffs, rule: HistoryRule, options: FeatureOptions & { seed: number; hasImpressions: boolean },
  onStep: (step: string) => void = () => {}): Promise<Family[]> {
  onStep('history snapshots');
  await createDays(con);
  await createProductSnapshots(con);
  await createUserTotals(con);
  const built: Family[] = [];
  if (options.hasImpressions) {
    onStep('ranking set');
    await createRankingExamples(con, cutoffs, rule);
    await createQueryTotals(con);
    await createRankingText(con, `make_timestamp(${cutoffs.train.to * 1000})`);
    await con.run(`CREATE OR REPLACE TABLE ranking_set AS ${await rankingSetSql(con, options)}`);
    built.push('ranking');
  }
  onStep('purchase set');
  await createPurchaseExamples(con, cutoffs, rule);
  await con.run(`CREATE OR REPLACE TABLE purchase_set AS ${await purchaseSetSql(con)}`);
  built.push('purchase');
  onStep('category set');
  await createCategoryExamples(con, options.seed);
  await registerContentHashes(con, options.hashBuckets);
  await con.run(`CREATE OR REPLACE TABLE category_set AS ${categorySetSql()}`);
  built.push('category');
  onStep('recommend set');
  await createRecommendExamples(con, cutoffs, rule);
  await con.run(`CREATE OR REPLACE TABLE recommend_set AS ${recommendSetSql()}`);
  built.push('recommend');
  return built;
}

