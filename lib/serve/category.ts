import { type CategoryInput, namedTopClasses, topClasses } from '../classify/index';
import type { LoadedModel } from './models';

/**
 * Top-k categories with probabilities for each product, from the production version's chosen
 * model (the linear one or XGBoost) on the same features its training computed.
 */
export function predictCategories(
  model: LoadedModel,
  products: CategoryInput[],
  k = 3,
): { category: string; probability: number }[][] {
  const chosen = model.category!;
  const n = chosen.classes.length;
  return namedTopClasses(chosen.classes, topClasses(chosen.probabilities(products), n, k), products.length, k);
}
