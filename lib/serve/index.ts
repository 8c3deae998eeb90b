// The public names of lib/serve: what code outside the folder (and its tests) imports.
export { MAX_BATCH, buildApp, buildService } from './app';
export { fieldOf, jsonProblem } from './http';
export { loadProductionModels } from './models';
export { predictPurchases, type SessionEvent } from './purchase';
export { predictPurchasesFast, purchaseFeatureRows } from './purchase-index';
export { rankProducts } from './rank';
export { rankWithIndex, rankingFeatureRows, rankingMatrix } from './rank-index';
export type { RecommendAnswer } from './schemas';
