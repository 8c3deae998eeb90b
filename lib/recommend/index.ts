// The public names of lib/recommend: what code outside the folder (and its tests) imports.
export { RECOMMENDER_FILE, loadRecommendModel, saveRecommendModel } from './artifacts';
export {
  CandidateScorer,
  RECOMMEND_FEATURES,
  RECOMMEND_FEATURE_DESCRIPTIONS,
  SOURCES,
  topIndices,
  type RecommendModel,
} from './candidates';
export { checkItem2VecParams, checkRecommendSettings } from './config';
export { fitCovisitation, fitCovisitationOnThreads } from './covisit';
export { RECOMMEND_METRICS, reciprocalRankFusion } from './evaluate';
export { evaluateRecommender, fitCandidateModel, fitReranker, type RecommendSettings } from './fit';
export { liveStates, replayStates, replayUserStates } from './replay';
export { PARALLEL_STATE_EVENTS, replayLiveStates } from './live-states';
export { DotKernel, dotRows } from './dot-kernel';
export { type Interactions } from './interactions';
export {
  type Embedding,
  epochOrder,
  fitItem2Vec,
  fitSkipGram,
  type Item2VecParams,
  scoreBySimilarity,
  sequencePairs,
  sequencePairSource,
  type PairSource,
  skipGramPairs,
} from './item2vec';
export { countRecommendExamples, loadInteractions, loadRecommendData } from './load';
export { fitPopularity } from './popularity';
export { productIndex } from './products';
export { AFFINITY_HALF_LIFE_MS, RECENT_ITEMS, applyEvent, emptyState, type UserState } from './state';
export { LIVE_STATES_FILE, loadStates, openStates, saveStates, StatesWriter, type StoredStates } from './state-file';
