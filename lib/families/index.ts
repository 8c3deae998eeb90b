import { DEFAULT_CONFIG, readTrainConfig, type TrainConfig } from '../train/index';
import { InputError } from '../errors';
import { category } from './category';
import { purchase } from './purchase';
import { ranking } from './ranking';
import { recommend } from './recommend';
import { session } from './session';
import type { ModelFamily } from './types';

/**
 * Every model family, in the order stages, reports and the service list them. A name here without
 * its module, or a module without its name, does not compile; everything else (the train, promote
 * and report stages, the service's model loading, the Makefile's family list, the conformance
 * tests) iterates this list.
 */
export const FAMILY_NAMES = ['ranking', 'purchase', 'category', 'recommend', 'session'] as const;
export type FamilyName = (typeof FAMILY_NAMES)[number];

export const FAMILIES: Record<FamilyName, ModelFamily> = { ranking, purchase, category, recommend, session };

/** A `--family` flag's value, checked. */
export function familyFlag(value: string | undefined): FamilyName {
  if (!FAMILY_NAMES.includes(value as FamilyName))
    throw new InputError(`--family must be one of ${FAMILY_NAMES.join(', ')}, got '${value ?? ''}'`);
  return value as FamilyName;
}

/** The training config (config/models.json by default), checked against every family. */
export type ShopConfig = TrainConfig<FamilyName>;

/** Reads and checks the training config; every problem names the file and the field. */
export const loadTrainConfig = (path = DEFAULT_CONFIG): ShopConfig =>
  readTrainConfig(
    path,
    FAMILY_NAMES.map((name) => FAMILIES[name]),
  );

export { category, purchase, ranking, recommend, session };
export { recommendSettings } from './recommend';
export { bulkCategoryScorer, type CategoryModel, openCategoryModel, predictXgboostCategories } from './category';
export { REFERENCES } from './charts';
export type { SetModelFamily } from './set-family';
export type { Chart, DescribeContext, FitContext, Fitted, ModelFamily } from './types';
