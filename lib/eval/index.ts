// The public names of lib/eval: what code outside the folder (and its tests) imports.
export { rocAuc } from './auc';
export { averagePrecision, brierScore, calibrationBins, logLoss, type CalibrationBin } from './binary';
export { accuracy, confusionMatrix, macroF1, microF1, perClassF1 } from './multiclass';
export { ctrAtK, meanReciprocalRank, ndcgAtK } from './ranking';
export { catalogueCoverage, mapAtK, recallAtK, userMrrAtK, userNdcgAtK, type UserRanking } from './recommend';
export { precisionRecallCurve, rocCurve, type CurvePoint } from './curves';
export { improves, lowerIsBetter } from './directions';
