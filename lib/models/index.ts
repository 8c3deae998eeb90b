// The public names of lib/models: what code outside the folder (and its tests) imports.
export { fitLogistic, fitLogisticOnThreads, type LogisticModel, predictLogistic } from './logistic';
export { fitLogisticTfjs } from './logistic-tfjs';
