// The public names of lib/nextitem: session-based next-item recommendation (protocol and baselines).
export { BASELINES, ar, iknn, pop, sknn, spop, sr, topScored, vsknn, type SknnParams } from './baselines';
export {
  evaluateNextItem,
  itemClicks,
  prepareLog,
  splitByTime,
  type Click,
  type NextItemMetrics,
  type NextItemModel,
  type PreparedLog,
} from './protocol';
export { readClicks, SESSION_FORMATS, type ReadClicks, type SessionFormat } from './read';
export { DEFAULT_NEXT_ITEM_PARAMS, NEXT_ITEM_FEATURES, nextItemModel, type NextItemModelParams } from './model';
