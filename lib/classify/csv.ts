import Papa from 'papaparse';

import { type CategoryInput, sellerName } from './products';

/**
 * A price as shops write it (the rule `priceSql` applies on import): an optional currency sign,
 * thousands separators (`1,299.00`), a decimal comma (`3,49`), a sign, or a range (`£3.42 - £5.00`,
 * its lower end). null when it is none of them.
 */
export function parsePrice(text: string): number | null {
  const s = text.trim().replace(/[£$€¥₹\s]|^[A-Z]{3}/g, '');
  const m = /^(-?[0-9][0-9.,]*)(-[0-9][0-9.,]*)?$/.exec(s);
  if (!m) return null;
  const first = m[1];
  if (/^-?([0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?|[0-9]+(\.[0-9]+)?)$/.test(first)) return Number(first.replace(/,/g, ''));
  if (/^-?[0-9]+,[0-9]{1,2}$/.test(first)) return Number(first.replace(',', '.'));
  return null;
}

/** Which columns of a product file hold what (header names). */
export interface ProductColumns {
  title: string;
  brand?: string;
  price?: string;
  seller?: string;
  id?: string;
}

export const DEFAULT_PRODUCT_COLUMNS: ProductColumns = {
  title: 'title',
  brand: 'brand',
  price: 'price',
  seller: 'seller',
  id: 'id',
};

/** Why a product row cannot be scored, as the importers name reasons. */
export type ProductRowProblem = { reason: string; field: string; value: string };

/**
 * A CSV record (keyed by header) as a product to classify, or the problem with it. Optional
 * columns the header lacks are left empty; an empty cell is a missing value.
 */
export function productFromRecord(
  record: Record<string, string | undefined>,
  columns: ProductColumns,
): { product: CategoryInput & { id: string | null } } | { problem: ProductRowProblem } {
  const cell = (name: string | undefined) => {
    const v = name === undefined ? undefined : record[name];
    return v === undefined || v.trim() === '' ? null : v.trim();
  };
  const title = cell(columns.title);
  if (title === null) return { problem: { reason: 'missing_title', field: columns.title, value: '' } };
  const priceText = cell(columns.price);
  let price: number | null = null;
  if (priceText !== null) {
    price = parsePrice(priceText);
    if (price === null) return { problem: { reason: 'unparseable_price', field: columns.price!, value: priceText } };
    if (price < 0) return { problem: { reason: 'negative_price', field: columns.price!, value: priceText } };
  }
  return {
    product: {
      id: cell(columns.id),
      title,
      brand: cell(columns.brand),
      seller: cell(columns.seller),
      seller_id: null,
      price,
    },
  };
}

/** Columns the header must have: the title's always, the others when they were asked for by flag. */
export function checkHeader(
  header: readonly string[],
  columns: ProductColumns,
  asked: (keyof ProductColumns)[],
): string | null {
  const missing = (['title', ...asked] as (keyof ProductColumns)[]).filter(
    (k) => columns[k] !== undefined && !header.includes(columns[k]!),
  );
  return missing.length
    ? `has no column ${missing.map((k) => `'${columns[k]}' (${k})`).join(', ')}; its columns: ${header.join(', ')}`
    : null;
}

/**
 * A CSV text (a request body) as products: the header names the columns (`title` required;
 * `brand`, `price`, `seller`, `seller_id` optional). Throws an Error naming the row and field of
 * the first bad row.
 */
export function parseProductCsv(text: string): (CategoryInput & { id: string | null })[] {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: 'greedy',
  });
  const header = parsed.meta.fields ?? [];
  const problem = checkHeader(header, DEFAULT_PRODUCT_COLUMNS, []);
  if (problem) throw new Error(`the CSV body ${problem}`);
  const wrongWidth = parsed.errors.find((e) => e.type === 'FieldMismatch' || e.type === 'Quotes');
  if (wrongWidth) throw new Error(`the CSV body, row ${(wrongWidth.row ?? 0) + 1}: ${wrongWidth.message}`);
  return parsed.data.map((record, i) => {
    const r = productFromRecord(record, DEFAULT_PRODUCT_COLUMNS);
    if ('problem' in r)
      throw new Error(
        `the CSV body, row ${i + 1}, field '${r.problem.field}': ${r.problem.reason.replace(/_/g, ' ')}${r.problem.value ? ` ('${r.problem.value}')` : ''}`,
      );
    const sellerId = record.seller_id?.trim();
    if (sellerId) {
      if (!/^[0-9]{1,15}$/.test(sellerId))
        throw new Error(`the CSV body, row ${i + 1}, field 'seller_id': not a whole number ('${sellerId}')`);
      r.product.seller_id = Number(sellerId);
      r.product.seller = sellerName(r.product.seller, r.product.seller_id);
    }
    return r.product;
  });
}

/** Top-k answers as CSV: the row's id (or its number), then category and probability for each rank. */
export function predictionsCsv(
  ids: readonly (string | null)[],
  predictions: readonly { category: string; probability: number }[][],
  k = 3,
  firstRow = 1,
): string {
  if (predictions.length === 0) return '';
  const rows = predictions.map((top, i) => [
    ids[i] ?? String(firstRow + i),
    ...Array.from({ length: k }, (_, j) =>
      top[j] ? [top[j].category, top[j].probability.toFixed(6)] : ['', ''],
    ).flat(),
  ]);
  return `${Papa.unparse(rows, { newline: '\n' })}\n`;
}

/** The header of `predictionsCsv`'s lines. */
export const predictionsHeader = (k = 3) =>
  `${['id', ...Array.from({ length: k }, (_, j) => [`category_${j + 1}`, `probability_${j + 1}`]).flat()].join(',')}\n`;
