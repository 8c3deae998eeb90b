import { existsSync } from 'node:fs';

import type { DuckDBConnection } from '@duckdb/node-api';

import type { DataCatalog } from '../catalog';
import { type ContentProduct, contentFeatureRow, CONTENT_DENSE } from '../features/index';
import { parquetSql, queryRows, toNumber } from '../io/index';
import type { ProductText } from './model';

/** What either category model reads of a product. */
export type CategoryInput = ProductText & ContentProduct;

/** A product as the category family reads it: what both classifiers see, its category and its group. */
export interface CatalogProduct {
  title: string;
  brand: string | null;
  seller: string | null;
  seller_id: number | null;
  price: number | null;
  product_id: number;
  category_id: string | null;
  category_path: string | null;
  /** What keeps listings of one product on one side of the split (an imported `--group`); null: the normalised title. */
  group: string | null;
}

/**
 * Every product of a data folder, in product_id order (a missing title is empty). An imported catalogue's own
 * file adds the seller's name and the group; otherwise the seller is its id.
 */
export async function readCatalogProducts(
  con: DuckDBConnection,
  catalog: DataCatalog,
): Promise<{ products: CatalogProduct[]; inputs: string[] }> {
  const imported = existsSync(catalog.raw.catalog);
  const rows = await queryRows(
    con,
    `SELECT p.product_id, p.title, p.brand, p.seller_id, p.price, p.category_id, p.category_path,
        ${imported ? 'c.seller, c.group_id' : 'NULL AS seller, NULL AS group_id'}
      FROM ${parquetSql(catalog.raw.products)} p
      ${imported ? `LEFT JOIN ${parquetSql(catalog.raw.catalog)} c USING (product_id)` : ''}
      ORDER BY p.product_id`,
  );
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  const products = rows.map((r) => {
    const seller_id = r.seller_id === null ? null : toNumber(r.seller_id);
    return {
      product_id: toNumber(r.product_id),
      // Logs such as REES46 have no titles: such products are classified by brand, seller and price.
      title: r.title === null ? '' : String(r.title),
      brand: text(r.brand),
      seller_id,
      seller: sellerName(text(r.seller), seller_id),
      price: r.price === null ? null : Number(r.price),
      category_id: text(r.category_id),
      category_path: text(r.category_path),
      group: text(r.group_id),
    };
  });
  return { products, inputs: imported ? [catalog.raw.products, catalog.raw.catalog] : [catalog.raw.products] };
}

/** The seller as the linear model reads it: its name, or else its id as text (how generated worlds name sellers). */
export const sellerName = (seller: string | null | undefined, sellerId: number | null | undefined) =>
  seller ?? (sellerId === null || sellerId === undefined ? null : String(sellerId));

/** The XGBoost classifier's columns: the numeric content features, then the hashed buckets. */
export const contentColumns = (buckets: number) => [
  ...CONTENT_DENSE,
  ...Array.from({ length: buckets }, (_, i) => `hash_${i}`),
];

/**
 * Products' content features as CSR rows for XGBoost (missing numbers left out, as XGBoost reads a
 * missing value): the one implementation behind training and serving.
 */
export function contentMatrix(
  products: readonly ContentProduct[],
  buckets: number,
): { indptr: number[]; indices: Uint32Array; values: Float32Array; cols: number } {
  const indptr = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const product of products) {
    const row = contentFeatureRow(product, buckets);
    CONTENT_DENSE.forEach((name, j) => {
      const v = row.dense[name];
      if (v === null) return;
      indices.push(j);
      values.push(v);
    });
    row.indices.forEach((b, i) => {
      indices.push(CONTENT_DENSE.length + b);
      values.push(row.values[i]);
    });
    indptr.push(indices.length);
  }
  return {
    indptr,
    indices: Uint32Array.from(indices),
    values: Float32Array.from(values),
    cols: CONTENT_DENSE.length + buckets,
  };
}
