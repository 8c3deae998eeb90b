// The public names of lib/split: what code outside the folder (and its tests) imports.
export {
  DEFAULT_FRACTIONS,
  SPLITS,
  computeCutoffs,
  readCutoffs,
  splitOfSql,
  toSplitsFile,
  type Cutoffs,
} from './cutoffs';
