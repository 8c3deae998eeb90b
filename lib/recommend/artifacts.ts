import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { flattenLists, unflattenLists } from '../io/index';
import type { RecommendModel } from './candidates';

type Typed = Float64Array | Float32Array | Int32Array;
const TYPES = { f64: Float64Array, f32: Float32Array, i32: Int32Array } as const;
type TypeName = keyof typeof TYPES;
const typeName = (a: Typed): TypeName =>
  a instanceof Float64Array ? 'f64' : a instanceof Float32Array ? 'f32' : 'i32';

/** The candidate model's files in a registry version: `recommender.json` (shapes, names, settings) and one little-endian `.bin` per array. */
export const RECOMMENDER_FILE = 'recommender.json';

interface Header {
  categories: string[];
  groups: string[];
  dim: number;
  candidates: RecommendModel['candidates'];
  arrays: Record<string, { type: TypeName; length: number }>;
}

export function saveRecommendModel(dir: string, model: RecommendModel): void {
  const byCategory = flattenLists(model.popularity.byCategory);
  const byGroup = flattenLists(model.popularity.byGroup);
  const arrays: Record<string, Typed> = {
    product_ids: model.products.ids,
    product_category: model.products.category,
    product_group: model.products.group,
    product_price: model.products.price,
    covisit_indptr: model.covisit.indptr,
    covisit_items: model.covisit.items,
    covisit_scores: model.covisit.scores,
    popular: model.popularity.popular,
    trending: model.popularity.trending,
    cart_rate: model.popularity.cartRate,
    purchase_rate: model.popularity.purchaseRate,
    views: model.popularity.views,
    category_share: model.popularity.categoryShare,
    by_category_indptr: byCategory.start,
    by_category: byCategory.values,
    by_group_indptr: byGroup.start,
    by_group: byGroup.values,
    embedding: model.embedding.vectors,
  };
  const header: Header = {
    categories: model.products.categories,
    groups: model.products.groups,
    dim: model.embedding.dim,
    candidates: model.candidates,
    arrays: Object.fromEntries(Object.entries(arrays).map(([k, a]) => [k, { type: typeName(a), length: a.length }])),
  };
  for (const [name, a] of Object.entries(arrays))
    writeFileSync(join(dir, `${name}.bin`), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  writeFileSync(join(dir, RECOMMENDER_FILE), `${JSON.stringify(header, null, 2)}\n`);
}

export function loadRecommendModel(dir: string): RecommendModel {
  const header = JSON.parse(readFileSync(join(dir, RECOMMENDER_FILE), 'utf8')) as Header;
  const a = <T extends TypeName>(name: string, type: T): InstanceType<(typeof TYPES)[T]> => {
    const spec = header.arrays[name];
    if (!spec || spec.type !== type)
      throw new Error(`${join(dir, RECOMMENDER_FILE)}: array '${name}' missing or not ${type}`);
    const bytes = readFileSync(join(dir, `${name}.bin`));
    const Ctor = TYPES[type];
    if (bytes.byteLength !== spec.length * Ctor.BYTES_PER_ELEMENT)
      throw new Error(
        `${join(dir, `${name}.bin`)}: ${bytes.byteLength} bytes, expected ${spec.length} × ${Ctor.BYTES_PER_ELEMENT}`,
      );
    const out = new Ctor(spec.length);
    new Uint8Array(out.buffer).set(bytes);
    return out as InstanceType<(typeof TYPES)[T]>;
  };
  const ids = a('product_ids', 'f64');
  const unflatten = (name: string) => unflattenLists(a(`${name}_indptr`, 'i32'), a(name, 'i32'));
  return {
    products: {
      ids,
      category: a('product_category', 'i32'),
      categories: header.categories,
      group: a('product_group', 'i32'),
      groups: header.groups,
      price: a('product_price', 'f64'),
      indexOf: new Map(Array.from(ids, (id, i) => [id, i])),
    },
    covisit: {
      indptr: a('covisit_indptr', 'i32'),
      items: a('covisit_items', 'i32'),
      scores: a('covisit_scores', 'f32'),
    },
    popularity: {
      popular: a('popular', 'f32'),
      trending: a('trending', 'f32'),
      cartRate: a('cart_rate', 'f32'),
      purchaseRate: a('purchase_rate', 'f32'),
      views: a('views', 'f32'),
      categoryShare: a('category_share', 'f32'),
      byCategory: unflatten('by_category'),
      byGroup: unflatten('by_group'),
    },
    embedding: { dim: header.dim, vectors: a('embedding', 'f32') },
    candidates: header.candidates,
  };
}
