import { extname } from 'node:path';

import type { DataCatalog } from '../catalog';
import { InputError } from '../errors';
import { AtomicBatch, copyDaysToParquet, copyToParquet, queryRows, sqlString, withDuckDB } from '../io/index';
import { canonicalSelect } from '../tables';
import type { RowCheck } from './formats';
import { checkIsFile, commitImport, csvRejects, type ImportSummary, nothingRead, readHead, stageRows } from './import';

/** Which column of the file holds what; only `title` is required. */
export interface CatalogColumns {
  title: string;
  id?: string;
  category?: string;
  brand?: string;
  price?: string;
  seller?: string;
  group?: string;
}

export interface CatalogOptions {
  columns: CatalogColumns;
  /** Separator of the category path's levels; default '>' (so `A > B` and `A >> B` both split). */
  categorySep?: string;
}

export interface CatalogSummary extends Pick<
  ImportSummary,
  'input' | 'rows_read' | 'rows_accepted' | 'rows_rejected' | 'rejected_by_reason' | 'examples' | 'products'
> {
  format: 'catalog';
  /** Accepted products without a category (kept: they can be scored, not learned from). */
  unlabeled: number;
  categories: number;
  /** Deepest category path. */
  max_depth: number;
}

/** Parquet files start and end with `PAR1`. */
const isParquet = (path: string) =>
  extname(path).toLowerCase() === '.parquet' || new TextDecoder().decode(readHead(path, 4)) === 'PAR1';

/**
 * A price as shops write it: an optional currency sign, thousands separators (`1,299.00`), a
 * decimal comma (`3,49`), a sign (`-2`, then refused as negative), or a range (`£3.42 - £5.00`,
 * its lower end). NULL when it is none of them.
 */
export function priceSql(column: string): string {
  const s = `regexp_replace(trim(${column}), '[£$€¥₹\\s]|^[A-Z]{3}', '', 'g')`;
  const first = `regexp_extract(${s}, '^(-?[0-9][0-9.,]*)(-[0-9][0-9.,]*)?$', 1)`;
  return `CASE
    WHEN regexp_full_match(${first}, '-?([0-9]{1,3}(,[0-9]{3})+(\\.[0-9]+)?|[0-9]+(\\.[0-9]+)?)') THEN TRY_CAST(replace(${first}, ',', '') AS DOUBLE)
    WHEN regexp_full_match(${first}, '-?[0-9]+,[0-9]{1,2}') THEN TRY_CAST(replace(${first}, ',', '.') AS DOUBLE)
    END`;
}

/**
 * Runs a read of a CSV file, turning DuckDB's reader failures (a file no dialect fits) into one
 * line naming the file: in practice mixed line endings (CRLF lines, then LF ones) or a stray quote.
 */
async function csvReadErrors<T>(input: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const message = (error as Error).message;
    if (!/^Invalid Input Error/.test(message)) throw error;
    throw new InputError(
      `${input}: cannot be read as CSV (${message.split('\n')[0].replace(/^Invalid Input Error: /, '')}); mixed line endings (CRLF and LF lines in one file) or an unmatched quote are the usual causes`,
    );
  }
}

/**
 * A category path as ' > '-joined trimmed levels, from the forms catalogues publish: `A > B > C`,
 * `A >> B` or Flipkart's `["A >> B >> C"]`; empty levels are dropped. NULL when nothing is left.
 */
export function categoryPathSql(column: string, sep: string): string {
  const bare = `regexp_replace(trim(${column}), '^\\[\\s*"(.*)"\\s*\\]$', '\\1')`;
  const levels = `list_filter(list_transform(string_split(${bare}, ${sqlString(sep)}), x -> trim(x)), x -> x <> '')`;
  return `NULLIF(array_to_string(${levels}, ' > '), '')`;
}

/**
 * Imports a product catalogue (CSV or TSV with a header, or Parquet) into a data folder: the
 * canonical `raw/products.parquet` (product ids 1..n in file order, category paths as ' > '-joined
 * levels, sellers as ids), `raw/catalog.parquet` (each product's id in the file, group, seller and
 * category as given) and empty event and user tables. Rows are checked in DuckDB and counted by
 * reason (missing_title, unparseable_price, negative_price, duplicate_id, wrong_column_count)
 * with examples naming the file, line and field. Nothing is written unless some rows are good.
 */
export async function importCatalog(
  input: string,
  catalog: DataCatalog,
  options: CatalogOptions,
  onStep?: (step: string) => void,
): Promise<CatalogSummary> {
  checkIsFile(input);
  const { columns } = options;
  const sep = options.categorySep ?? '>';
  if (sep === '') throw new InputError('--category-sep must not be empty');
  const parquet = isParquet(input);
  const read = parquet
    ? `read_parquet(${sqlString(input)})`
    : `read_csv(${sqlString(input)}, header = true, all_varchar = true, ${csvRejects('catalog')})`;
  const batch = new AtomicBatch();
  try {
    return await withDuckDB(async (con) => {
      onStep?.('reading');
      let header: string[];
      try {
        header = (await queryRows(con, `DESCRIBE SELECT * FROM ${read} LIMIT 0`)).map((r) => r.column_name as string);
      } catch (error) {
        throw new InputError(
          `${input}: cannot be read as ${parquet ? 'Parquet' : 'CSV'} (${(error as Error).message.split('\n')[0]})`,
        );
      }
      for (const [flag, name] of Object.entries(columns)) {
        if (name !== undefined && !header.includes(name))
          throw new InputError(
            `${input}: --${flag} names column '${name}', which the file does not have (its columns: ${header.join(', ')})`,
          );
      }
      const col = (name: string | undefined) =>
        name === undefined
          ? 'CAST(NULL AS VARCHAR)'
          : `NULLIF(trim(CAST("${name.replace(/"/g, '""')}" AS VARCHAR)), '')`;
      const checks: RowCheck[] = [
        { reason: 'missing_title', field: columns.title, fails: 'title IS NULL' },
        ...(columns.price
          ? [
              { reason: 'unparseable_price', field: columns.price, fails: 'price_text IS NOT NULL AND price IS NULL' },
              { reason: 'negative_price', field: columns.price, fails: 'price < 0' },
            ]
          : []),
        ...(columns.id
          ? [{ reason: 'duplicate_id', field: columns.id, fails: 'source_id IS NOT NULL AND id_seen > 1' }]
          : []),
      ];
      const staged = await csvReadErrors(input, () =>
        stageRows(
          con,
          {
            read,
            columns: {
              title: col(columns.title),
              source_id: col(columns.id),
              id_seen: columns.id ? `count(*) OVER (PARTITION BY ${col(columns.id)} ORDER BY rowid)` : '1',
              category_source: col(columns.category),
              category_path: categoryPathSql(col(columns.category), sep),
              brand: col(columns.brand),
              price_text: col(columns.price),
              price: priceSql(col(columns.price)),
              seller: col(columns.seller),
              group_id: col(columns.group),
            },
            checks,
            csv: !parquet,
            usesRowid: Boolean(columns.id),
          },
          input,
          'catalog',
        ),
      );
      const rejected = Object.values(staged.rejectedByReason).reduce((a, b) => a + b, 0);
      if (staged.accepted === 0) throw nothingRead(input, staged, 'product');
      onStep?.('writing');
      await con.run(`CREATE TABLE products AS SELECT row_number() OVER (ORDER BY row) AS product_id, * EXCLUDE (row)
        FROM catalog WHERE reason IS NULL`);
      await con.run(`CREATE TABLE sellers AS SELECT seller, row_number() OVER (ORDER BY seller) AS seller_id
        FROM (SELECT DISTINCT seller FROM products WHERE seller IS NOT NULL)`);
      await copyToParquet(
        con,
        `SELECT ${canonicalSelect('products', {
          product_id: 'product_id',
          title: 'title',
          category_id: 'category_path',
          category_path: 'category_path',
          brand: 'brand',
          seller_id: 's.seller_id',
          price: 'price',
          base_price: 'price',
        })} FROM products p LEFT JOIN sellers s USING (seller) ORDER BY product_id`,
        catalog.raw.products,
        batch,
      );
      await copyToParquet(
        con,
        `SELECT CAST(product_id AS BIGINT) AS product_id, source_id, group_id, seller, category_source FROM products ORDER BY product_id`,
        catalog.raw.catalog,
        batch,
      );
      await copyDaysToParquet(
        con,
        `(SELECT ${canonicalSelect('events', {})} WHERE false)`,
        'event_time',
        catalog.raw.eventDays,
        batch,
        { replace: true },
      );
      await copyToParquet(con, `SELECT ${canonicalSelect('users', {})} WHERE false`, catalog.raw.users, batch);
      const [stats] = await queryRows(
        con,
        `SELECT count(*) AS products, count(*) - count(category_path) AS unlabeled, count(DISTINCT category_path) AS categories,
          coalesce(max(len(string_split(category_path, ' > '))), 0) AS max_depth FROM products`,
      );
      commitImport(catalog, batch, { kind: 'import', format: 'catalog', input, columns, category_sep: sep });
      return {
        format: 'catalog',
        input,
        rows_read: staged.accepted + rejected,
        rows_accepted: staged.accepted,
        rows_rejected: rejected,
        rejected_by_reason: staged.rejectedByReason,
        examples: staged.examples,
        products: Number(stats.products),
        unlabeled: Number(stats.unlabeled),
        categories: Number(stats.categories),
        max_depth: Number(stats.max_depth),
      };
    });
  } finally {
    batch.discard();
  }
}
