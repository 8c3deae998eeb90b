/**
 * The catalogue as the recommender sees it: products by dense index (0..n-1, ascending
 * product_id), each with a dense category index and a price. Every model array is indexed by it.
 */
export interface ProductIndex {
  ids: Float64Array;
  /** Dense category index, -1 when the product has none. */
  category: Int32Array;
  categories: string[];
  /** Dense index of the top level of the category path ('Electronics' of 'Electronics > Phones'; the category itself without a path), -1 when none. */
  group: Int32Array;
  groups: string[];
  /** NaN when unknown. */
  price: Float64Array;
  indexOf: Map<number, number>;
}

export interface ProductRow {
  product_id: number;
  category_id: string | null;
  category_path: string | null;
  price: number | null;
}

/** The top level of a product's category: the path's first segment, else the category id, else null. */
export const topLevel = (r: Pick<ProductRow, 'category_id' | 'category_path'>): string | null =>
  r.category_path ? r.category_path.split(' > ')[0].trim() : r.category_id;

export function productIndex(rows: readonly ProductRow[]): ProductIndex {
  const sorted = [...rows].sort((a, b) => a.product_id - b.product_id);
  const categories = [...new Set(sorted.map((r) => r.category_id).filter((c): c is string => c !== null))].sort();
  const categoryOf = new Map(categories.map((c, i) => [c, i]));
  const groups = [...new Set(sorted.map(topLevel).filter((g): g is string => g !== null))].sort();
  const groupOf = new Map(groups.map((g, i) => [g, i]));
  const n = sorted.length;
  const index: ProductIndex = {
    ids: new Float64Array(n),
    category: new Int32Array(n),
    categories,
    group: new Int32Array(n),
    groups,
    price: new Float64Array(n),
    indexOf: new Map(),
  };
  sorted.forEach((r, i) => {
    if (index.indexOf.has(r.product_id)) throw new Error(`product_id ${r.product_id} appears twice in the catalogue`);
    index.ids[i] = r.product_id;
    index.category[i] = r.category_id === null ? -1 : categoryOf.get(r.category_id)!;
    const g = topLevel(r);
    index.group[i] = g === null ? -1 : groupOf.get(g)!;
    index.price[i] = r.price ?? NaN;
    index.indexOf.set(r.product_id, i);
  });
  return index;
}
