// The public names of lib/train: what code outside the folder (and its tests) imports.
export {
  DEFAULT_CONFIG,
  configFields,
  checkTrainConfig,
  readTrainConfig,
  type ConfigFamily,
  type FamilyConfig,
  type RunSettings,
  type TrainConfig,
} from './config';
export { groupSizes, headRows, stackGroups, type FamilyData, type SplitData } from './data';
export { LeakError, argmaxRows, assertBelowOracle, gapClosed, metricsByKey, type Metrics } from './evaluate';
export {
  fitFamily,
  importanceByKind,
  keepBestRounds,
  lastValue,
  learningCurve,
  meanAbsContributions,
  meanAbsShap,
  resolveParams,
  sampleRows,
  toDMatrix,
  trainingMatrix,
  unweightProbabilities,
  type FittedFamily,
} from './fit';
export {
  brandMajority,
  constantScores,
  ctrBaseline,
  expectedGain,
  expectedGainOracle,
  labelOracle,
  logisticBaseline,
  purchaseProbabilityOracle,
  randomScores,
} from './references';
export { metricsTable } from './card';
export { countFamilyExamples, loadFamilyData } from './load';
export {
  type CategoryDetails,
  purchaseDetails,
  rankingDetails,
  selectGroups,
  type EvaluationDetails,
  type RecommendDetails,
  type SessionDetails,
} from './details';
export { checkFloor, checkRequirements, type RequirementCounts, type RequirementWords } from './requirements';
export { type SetFamilySpec } from './spec';
