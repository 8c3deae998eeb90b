// The public names of lib/classify: text classification of product titles (TF-IDF and a linear SVM, as scikit-learn computes them).
export {
  atFloat32,
  CLASSIFIER_FILE,
  CLASSIFIER_WEIGHTS_FILE,
  loadTextClassifier,
  saveTextClassifier,
} from './artifacts';
export { type ClassifierEvaluation, evaluateClassifier } from './evaluate';
export {
  DEFAULT_TEXT_BLOCKS,
  featurize,
  type Featurizer,
  fitFeaturizer,
  fitTemperature,
  fitTextClassifier,
  logLoss,
  namedTopClasses,
  predictProbabilities,
  priceBucket,
  type ProductText,
  softmaxRows,
  type TextClassifier,
  type TextClassifierFit,
  type TextClassifierOptions,
  topClasses,
} from './model';
export { fitLinearSvcInParallel } from './parallel';
export { type Csr, CsrBuilder, hstack, takeRows } from './sparse';
export { groupedSplit, normalizeTitle, type SplitName } from './split';
export { decisionFunction, DEFAULT_LINEAR_SVC, fitLinearSvc, type LinearSvc, type LinearSvcOptions } from './svm';
export { analyze, type Analyzer, fitTfidf, type Tfidf, type TfidfOptions, transformTfidf } from './tfidf';
export {
  type CategorySettings,
  categoryAt,
  checkCategorySettings,
  classLabels,
  type ClassLabels,
  OTHER_CLASS,
  parseLevel,
} from './labels';
export {
  type CatalogProduct,
  type CategoryInput,
  contentColumns,
  contentMatrix,
  readCatalogProducts,
  sellerName,
} from './products';
export {
  checkHeader,
  DEFAULT_PRODUCT_COLUMNS,
  parsePrice,
  parseProductCsv,
  predictionsCsv,
  predictionsHeader,
  type ProductColumns,
  productFromRecord,
  type ProductRowProblem,
} from './csv';
export { type BulkOptions, type BulkResult, type ProductScorer, scoreProductFile } from './bulk';
