import type { DataCatalog } from '../catalog';
import type { ReferenceScores } from './details';
import type { Evaluate, Truth } from './evaluate';
import type { FamilyData, FamilyReader } from './data';

/** Test scores of the random floor, the baseline and the oracle (null without truth). */
export type References = Omit<ReferenceScores, 'model'>;

/**
 * What the shared training machinery (read a split, fit XGBoost with early stopping, score the
 * references) needs from a family trained on one feature-set file per split. Each such family in
 * lib/families provides it; nothing here branches on a family's name.
 */
export interface SetFamilySpec {
  name: string;
  /** How its rows are read from the training-set files. */
  reader: FamilyReader;
  /** Its test metrics for one set of scores. */
  evaluate: Evaluate;
  /** Random floor, baseline and oracle scores on the test split (`nthread`: the run's threads, for a baseline that fits on them). */
  references: (data: FamilyData, seed: number, nthread: number) => References | Promise<References>;
  /** What its report draws beyond the headline metrics (JSON, stored in metrics.json). */
  details: (data: FamilyData, scores: ReferenceScores) => unknown;
  /** The truth a test split is scored against. */
  truth: (data: FamilyData) => Truth;
  /** What the data folder lacks for this family, when its training sets are missing (null: nothing, rerun the features stage). */
  missingData?: (catalog: DataCatalog) => string | null;
}
