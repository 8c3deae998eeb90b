// The public names of lib/nextitem: session-based next-item recommendation (protocol and baselines).
export { BASELINES, ar, iknn, pop, randomItems, sknn, spop, sr, topScored, vsknn, type SknnParams } from './baselines';
export {
  NEXT_ITEM_EMBEDDING_FILE,
  NEXT_ITEM_FILE,
  SERVING_SOURCES_FILE,
  loadServingSources,
  openNextItemModel,
  saveNextItemModel,
  saveServingSources,
} from './artifacts';
export { fitSessionEmbedding, fitSessionEmbeddingOnThread, PrefixSimilarity } from './embedding';
export { checkSessionSettings, type SessionSettings } from './config';
export { CLICK_EVENT, loadServingSessions, loadSessionLog, sampleTestSessions, type SessionLog } from './data';
export {
  compareWithBaselines,
  evaluateNextItem,
  itemClicks,
  NEXT_ITEM_METRICS,
  prepareLog,
  splitByTime,
  type Click,
  type EvaluateOptions,
  type NextItemMetrics,
  type NextItemModel,
  type PreparedLog,
  type Verdict,
} from './protocol';
export {
  readClicks,
  SESSION_FORMATS,
  sessionFields,
  stageClicks,
  YOOCHOOSE_SECONDS,
  type ReadClicks,
  type SessionFormat,
} from './read';
export {
  DEFAULT_NEXT_ITEM_PARAMS,
  NEXT_ITEM_FEATURE_DESCRIPTIONS,
  NEXT_ITEM_FEATURES,
  nextItemModel,
  type Candidates,
  type NextItemFit,
  type NextItemModelParams,
  type NextItemReranker,
  fitSourceLists,
  type SourceLists,
} from './model';
