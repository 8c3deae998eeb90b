import { type CategoryInput, topClasses } from '../classify/index';
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
  const top = topClasses(chosen.probabilities(products), n, k);
  const width = Math.min(k, n);
  return products.map((_, r) =>
    Array.from({ length: width }, (_, i) => ({
      category: chosen.classes[top.classes[r * width + i]],
      probability: top.probabilities[r * width + i],
    })),
  );
}
