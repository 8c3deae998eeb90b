// The public names of lib/xgboost: what code outside the folder (and its tests) imports.
export { Booster, DMatrix, train, type BoosterParams, type TrainResult } from './booster';
export { DEFAULT_LIBRARY } from './native';
export { groupsFromQids, libsvmColumns, parseLibsvm, parseQueryFile } from './datasets';
