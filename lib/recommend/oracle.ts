import { type Catalog, makeShop, PERSONA_PARAMS, RESULTS_PER_SEARCH, type Users } from '../generate/index';
import { PERSONAS } from '../events';
import type { ProductIndex } from './products';

/** The synthetic shop's hidden truth, rebuilt from the world's seed (cheap and deterministic). */
export interface ShopTruth {
  catalog: Catalog;
  users: Users;
  startMs: number;
  periodMs: number;
  /** Per catalogue product: its share of draws within its leaf, and its top category's leaf count. */
  shareInLeaf: Float64Array;
  leavesInTop: Int32Array;
}

export function shopTruth(source: { seed: number; events: number; days: number; start: string }): ShopTruth {
  const { catalog, users } = makeShop(source);
  const shareInLeaf = new Float64Array(catalog.productCount);
  const leavesInTop = new Int32Array(catalog.productCount);
  for (let l = 0; l < catalog.leaves.length; l++) {
    const [from, to] = [catalog.leafStart[l], catalog.leafStart[l + 1]];
    const base = from > 0 ? catalog.byLeafCum[from - 1] : 0;
    const total = catalog.byLeafCum[to - 1] - base;
    for (let k = from; k < to; k++) {
      const p = catalog.byLeaf[k];
      shareInLeaf[p] = (catalog.byLeafCum[k] - (k > 0 ? catalog.byLeafCum[k - 1] : 0)) / total;
      leavesInTop[p] = catalog.leavesByTop[catalog.leaves[l].top].length;
    }
  }
  return {
    catalog,
    users,
    startMs: Date.parse(`${source.start}T00:00:00Z`),
    periodMs: source.days * 86_400_000,
    shareInLeaf,
    leavesInTop,
  };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** Mean examination over the shown positions, position^-0.7 as the generator uses. */
const MEAN_EXAMINATION =
  Array.from({ length: RESULTS_PER_SEARCH }, (_, r) => Math.pow(r + 1, -0.7)).reduce((a, b) => a + b) /
  RESULTS_PER_SEARCH;

/**
 * The oracle: each product's expected touches in a session of `userId` starting at `asOf`, from
 * the generator's own probabilities. A step picks a top category by the user's (drifting)
 * affinity, a leaf uniformly, and a product by its popularity in the leaf; a browse step views it,
 * a search shows 12 draws from the leaf and 4 from a sibling and the user clicks by appeal. Position
 * details are averaged, so it is very close to, not exactly, the best possible ranking.
 */
export function oracleScores(
  truth: ShopTruth,
  userId: number,
  asOf: number,
  products: ProductIndex,
  out: Float32Array,
): void {
  const { catalog, users } = truth;
  const u = userId - 1;
  out.fill(0);
  if (!(u >= 0 && u < users.count)) return;
  const params = PERSONA_PARAMS[PERSONAS[users.persona[u]]];
  const drift = Math.min(1, Math.max(0, (asOf - truth.startMs) / truth.periodMs));
  const favourites = users.favouriteBrands.subarray(u * 3, u * 3 + 3);
  const sensitivity = users.priceSensitivity[u];
  const shown = RESULTS_PER_SEARCH / 16;
  for (let i = 0; i < products.ids.length; i++) {
    const p = products.ids[i] - 1;
    if (!(p >= 0 && p < catalog.productCount)) continue;
    const top = catalog.leaves[catalog.leaf[p]].top;
    const a0 = users.affinityStart[u * users.tops + top];
    const affinity = a0 + (users.affinityEnd[u * users.tops + top] - a0) * drift;
    let appeal =
      0.8 * catalog.quality[p] -
      0.6 * sensitivity * catalog.relativePrice[p] +
      params.discountAppeal * (1 - catalog.price[p] / catalog.basePrice[p]);
    if (params.brandLoyalty > 0 && favourites.includes(catalog.brand[p])) appeal += params.brandLoyalty;
    const click = 2 * params.clickRate * MEAN_EXAMINATION * shown * (12 * sigmoid(appeal) + 4 * sigmoid(appeal - 1.5));
    out[i] =
      (affinity / truth.leavesInTop[p]) * truth.shareInLeaf[p] * (1 - params.searchRate + params.searchRate * click);
  }
}
