// The public names of lib/serve: what code outside the folder (and its tests) imports.
export { MAX_BATCH, buildApp, buildService } from './app';
export { cluster, runPrimary, workerChannel } from './cluster';
export { fieldOf, jsonProblem } from './http';
export { loadProductionModels } from './models';
export { eventTimeMs, predictPurchases, type SessionEvent } from './purchase';
export { buildPurchaseIndex, predictPurchasesFast, purchaseFeatureRows } from './purchase-index';
export { rankProducts } from './rank';
export { rankWithIndex, rankingFeatureRows, rankingMatrix } from './rank-index';
export type { RecommendAnswer } from './schemas';
