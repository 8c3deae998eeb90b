// The public names of lib/features: what code outside the folder (and its tests) imports.
export { type HistoryRule, prefixAggregates } from './examples';
export { FUNNEL, WINDOWS, createDays, createProductDaily, createProductSnapshots } from './history';
export { type FeatureSpec, type RankCandidate } from './manifest';
export { createAsOfLookup, joinLookup } from './running-totals';
export {
  CONTENT_DENSE,
  CONTENT_DESCRIPTIONS,
  DEFAULT_FEATURE_OPTIONS,
  contentFeatureRow,
  createRankingText,
  hashedColumnLegend,
  productFeatures,
  purchaseSetSql,
  queryProductFeatures,
  rankingSetSql,
  selectList,
  userFeatures,
  type ContentProduct,
  type FeatureOptions,
} from './sets';
export { cosine, tfidf, tokenOverlap, tokenize } from './text';
export { sessionizedEventDays, updateHistory, type HistoryUpdate } from './history-store';
export { updateSessionExamples } from './examples-store';
export { buildTrainingSets, familyFeatures, featureManifest, readFeatureManifest, servingStoreTables } from './build';
export {
  buildPurchaseIndex,
  loadPurchaseIndex,
  readPurchaseIndex,
  savePurchaseIndex,
  writePurchaseIndex,
  type PurchaseIndex,
} from './purchase-index';
export {
  RANKING_INDEX_TABLES,
  buildRankingIndex,
  loadRankingIndex,
  loadServingStore,
  pairRow,
  pairRowAt,
  readRankingIndex,
  saveRankingIndex,
  servingStoreStamp,
  sortedFind,
  readSortedPairs,
  writeRankingIndex,
  type RankingIndex,
  type ServingStore,
  type SortedPairs,
} from './ranking-index';
