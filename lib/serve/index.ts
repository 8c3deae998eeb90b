// The public names of lib/serve: what code outside the folder (and its tests) imports.
export { MAX_BATCH, buildApp } from './app';
export { fieldOf, jsonProblem } from './http';
export { loadProductionModels } from './models';
export { eventTimeMs, predictPurchases, type SessionEvent } from './purchase';
export { buildPurchaseIndex, predictPurchasesFast, purchaseFeatureRows } from './purchase-index';
export { loadServingStore, rankProducts, servingStoreStamp } from './rank';
export {
  buildRankingIndex,
  loadRankingIndex,
  pairRow,
  rankWithIndex,
  rankingFeatureRows,
  rankingMatrix,
  readRankingIndex,
  saveRankingIndex,
  sortedPairs,
  writeRankingIndex,
} from './rank-index';
export type { RecommendAnswer } from './schemas';
