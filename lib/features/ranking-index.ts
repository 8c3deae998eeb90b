import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';

import type { DataCatalog } from '../catalog';
import {
  type Block,
  fileSha256,
  queryRows,
  readBlocks,
  readColumns,
  requireTables,
  sqlString,
  type TableContract,
  withDuckDB,
  writeBlocks,
} from '../io/index';
import { readFeatureManifest, servingStoreTables } from './build';
import type { FeatureSpec } from './manifest';
import { createAsOfLookup, joinLookup } from './running-totals';
import { type FeatureOptions, productFeatures, queryProductFeatures, selectList, userFeatures } from './sets';
import { tfidf, tokenize } from './text';

/**
 * The serving store and the ranking index computed from it: what the prediction service reads at
 * start. The features stage writes the store's tables and, from them, the index file; the service
 * (lib/serve/rank-index.ts) assembles a search's features from the index.
 */

/** What the serving store held: the tables loaded, the snapshot day and the TF-IDF vocabulary (ranking). */
export interface ServingStore {
  tables: Set<string>;
  snapshotDay: string | null;
  idf: Map<string, number> | null;
}

const LATEST_ONLY: Record<string, string> = {
  user_category_totals: 'user_id, category_id',
  query_product_totals: 'query_id, product_id',
  query_category_totals: 'query_id, category_id',
};

/** Loads every serving-store table the features stage wrote into `con`, and the catalogue as `catalog_products`. */
export async function loadServingStore(
  con: DuckDBConnection,
  catalog: DataCatalog,
  /** Only these tables (and no catalogue, snapshot day or vocabulary): what a service with its ranking index needs. */
  only?: readonly string[],
): Promise<ServingStore> {
  const tables = new Set<string>();
  for (const table of Object.keys(servingStoreTables())) {
    if (!existsSync(catalog.features.store(table)) || (only && !only.includes(table))) continue;
    // Ranking asks every history as of the store's snapshot day, after the last event: only each
    // key's latest running total can answer, so the rest is dropped (purchase keeps user_totals whole).
    const keys = LATEST_ONLY[table];
    await con.run(`CREATE OR REPLACE TABLE ${table} AS SELECT * FROM read_parquet(${sqlString(catalog.features.store(table))})
      ${keys ? `QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY upto DESC) = 1` : ''}`);
    tables.add(table);
  }
  if (only) return { tables, snapshotDay: null, idf: null };
  await con.run(
    `CREATE OR REPLACE TABLE catalog_products AS SELECT * FROM read_parquet(${sqlString(catalog.raw.products)})`,
  );
  const snapshotDay = tables.has('product_days')
    ? String((await queryRows(con, `SELECT strftime(max(day), '%Y-%m-%d %H:%M:%S') AS day FROM product_days`))[0].day)
    : null;
  const idf = existsSync(catalog.features.storeIdf)
    ? new Map(JSON.parse(readFileSync(catalog.features.storeIdf, 'utf8')) as [string, number][])
    : null;
  return { tables, snapshotDay, idf };
}

/**
 * A fingerprint of what the ranking index is computed from: the store's files, its TF-IDF
 * vocabulary, the feature manifest and the catalogue (their bytes, so a copied folder keeps it).
 */
export function servingStoreStamp(catalog: DataCatalog): string {
  const hash = createHash('sha256');
  const files = [
    ...Object.keys(servingStoreTables()).map((t) => catalog.features.store(t)),
    catalog.features.storeIdf,
    catalog.features.manifest,
    catalog.raw.products,
  ];
  for (const path of files) hash.update(`${basename(path)}:${existsSync(path) ? fileSha256(path) : 'absent'}\n`);
  return hash.digest('hex');
}

/**
 * Pairs of keys with values: for each outer key (sorted), its inner keys (sorted) and `width`
 * values each. A lookup is two binary searches; the arrays are what a blocks file stores.
 */
export interface SortedPairs {
  outer: Float64Array;
  /** Where each outer key's inner keys start (outer.length + 1 entries). */
  start: Int32Array;
  inner: Float64Array;
  values: Float64Array;
  width: number;
}

function lowerBound(keys: Float64Array, key: number, from: number, to: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index of `key` in the sorted `keys`, or -1. */
export function sortedFind(keys: Float64Array, key: number): number {
  const i = lowerBound(keys, key, 0, keys.length);
  return i < keys.length && keys[i] === key ? i : -1;
}

/**
 * Sorted pairs from a query's rows: columns outer_key, inner_key, then v0 … v(width − 1), numbers,
 * in order of outer then inner key, each pair once. Read as columns, chunk by chunk: no object per
 * row and no sort in JS. Rows out of key order, a repeated pair or a NULL key are an error.
 */
export async function readSortedPairs(con: DuckDBConnection, sql: string, width: number): Promise<SortedPairs> {
  const names = Array.from({ length: width }, (_, k) => `v${k}`);
  const { rows, columns } = await readColumns(
    con,
    sql,
    Object.fromEntries(['outer_key', 'inner_key', ...names].map((name) => [name, 'DOUBLE' as const])),
  );
  const keys = columns.outer_key;
  const inner = columns.inner_key;
  // Each outer key's first row; at most one per row, cut to size at the end.
  const outer = new Float64Array(rows);
  const start = new Int32Array(rows + 1);
  let groups = 0;
  for (let i = 0; i < rows; i++) {
    const o = keys[i];
    if (i > 0) {
      const previous = keys[i - 1];
      if (!(o > previous || (o === previous && inner[i] > inner[i - 1])))
        throw new Error(`readSortedPairs: row ${i} is not after row ${i - 1} in key order (or a key is NULL): ${sql}`);
      if (o === previous) continue;
    }
    outer[groups] = o;
    start[groups++] = i;
  }
  start[groups] = rows;
  // The values by row: one column as it is, several interleaved.
  let values = columns.v0;
  if (width !== 1) {
    values = new Float64Array(rows * width);
    names.forEach((name, k) => {
      const column = columns[name];
      for (let i = 0, at = k; i < rows; i++, at += width) values[at] = column[i];
    });
  }
  return { outer: outer.slice(0, groups), start: start.slice(0, groups + 1), inner, values, width };
}

/** The row of (outer, inner) in `pairs` (its values at row × width), or -1. */
export function pairRow(pairs: SortedPairs, outer: number, inner: number): number {
  return pairRowAt(pairs, sortedFind(pairs.outer, outer), inner);
}

/** `pairRow` with the outer key's index already found (`sortedFind(pairs.outer, outer)`; -1: absent). */
export function pairRowAt(pairs: SortedPairs, o: number, inner: number): number {
  if (o < 0) return -1;
  const from = pairs.start[o];
  const to = pairs.start[o + 1];
  const i = lowerBound(pairs.inner, inner, from, to);
  return i < to && pairs.inner[i] === inner ? i : -1;
}

/**
 * Every request-independent piece of the ranking features, computed by the training's own SQL
 * expressions over the serving store (product, user, user × category, query × product and query ×
 * category history), so a search only assembles them: the fast path of /v1/rank. It is held in
 * typed arrays (NaN for a missing value), which the features stage writes to a blocks file and the
 * service reads in one pass. A test holds it equal, feature by feature, to the SQL path (`rankProducts`).
 */
export interface RankingIndex {
  /** The store this index was computed from (see `servingStoreStamp`). */
  stamp: string;
  options: FeatureOptions;
  productFeatureNames: string[];
  userFeatureNames: string[];
  /** Catalogue products, sorted by id; the rest are by product row. */
  productIds: Float64Array;
  /** products × productFeatureNames. */
  productValues: Float64Array;
  /** What a product the catalogue does not know gets. */
  coldProduct: Float64Array;
  /** Index into `categories`, -1 for none. */
  productCategory: Int32Array;
  productPrice: Float64Array;
  /** The title's distinct tokens (indices into `tokens`), by product row: tokenIds[tokenStart[r]..tokenStart[r + 1]). */
  tokenStart: Int32Array;
  tokenIds: Int32Array;
  /** The title's TF-IDF vector (token indices and weights, in the order `tfidf` builds it), by product row. */
  vectorStart: Int32Array;
  vectorIds: Int32Array;
  vectorWeights: Float64Array;
  /** Users with history, sorted by id; the rest are by user row. */
  userIds: Float64Array;
  userValues: Float64Array;
  userEvents: Float64Array;
  userMeanViewed: Float64Array;
  /** A user with no history, or none given: values, then events and mean viewed price. */
  noUser: Float64Array;
  /** user id × category index → events. */
  userCategoryEvents: SortedPairs;
  /** query id × product id → impressions, clicks, purchases. */
  pairTotals: SortedPairs;
  /** query id × category index → impressions, clicks, purchases. */
  queryCategoryTotals: SortedPairs;
  categories: string[];
  /** Every title token and every IDF token; `idf` by token index (NaN: not in the vocabulary). */
  tokens: string[];
  idf: Float64Array;
  queries: string[];
  /** query_id by index of `queries`. */
  queryIdValues: Float64Array;
  // Built when loaded, for lookups by text.
  tokenIndex: Map<string, number>;
  queryIndex: Map<string, number>;
  /** The ranking features that depend on the request, each with its spec's `serve` expression. */
  requestFeatures: { name: string; serve: NonNullable<FeatureSpec['serve']> }[];
}

const nan = (v: unknown) => (v === null || v === undefined ? NaN : Number(v));

/** The serving store's tables buildRankingIndex reads (loadServingStore writes them), and its scratch tables. */
export const RANKING_INDEX_TABLES = {
  reads: [
    'catalog_products',
    'product_days',
    'category_days',
    'user_totals',
    'user_category_totals',
    'query_ids',
    'query_product_totals',
    'query_category_totals',
  ],
  writes: ['index_products', 'index_product_days', 'index_users', 'index_users_ut', 'index_categories'],
} as const satisfies TableContract;

/** Builds the index from the serving store tables on `con` (see loadServingStore), as of `snapshotDay`. */
export async function buildRankingIndex(
  con: DuckDBConnection,
  snapshotDay: string,
  idfMap: ReadonlyMap<string, number>,
  options: FeatureOptions,
  stamp = '',
): Promise<RankingIndex> {
  await requireTables(con, 'buildRankingIndex', RANKING_INDEX_TABLES);
  const day = `TIMESTAMP '${snapshotDay}'`;
  const product = productFeatures(options);
  const priceSql = product.find((s) => s.name === 'price')!.sql;
  const productFeatureNames = product.map((s) => s.name);
  // Products, plus id -1 standing for an unknown one: no catalogue row, a history of zeros (as the SQL path gives it).
  await con.run(
    `CREATE OR REPLACE TEMP TABLE index_products AS SELECT * FROM memory.main.catalog_products UNION ALL BY NAME SELECT -1::BIGINT AS product_id`,
  );
  await con.run(`CREATE OR REPLACE TEMP TABLE index_product_days AS SELECT * FROM memory.main.product_days
    UNION ALL BY NAME SELECT -1::BIGINT AS product_id, ${day} AS day, ${product
      .filter((s) => /^(views|clicks|carts|purchases)_\d+d$/.test(s.name))
      .map((s) => `0::DOUBLE AS ${s.name}`)
      .join(', ')}`);
  const productRows = await queryRows(
    con,
    `SELECT x.product_id, x.category_id, p.title, CAST(${priceSql} AS DOUBLE) AS price_double, ${selectList(product)}
    FROM (SELECT product_id, category_id, ${day} AS snapshot_day FROM index_products) x JOIN index_products p USING (product_id)
    LEFT JOIN index_product_days pd ON pd.product_id = x.product_id AND pd.day = x.snapshot_day
    LEFT JOIN memory.main.category_days cd ON cd.category_id IS NOT DISTINCT FROM x.category_id AND cd.day = x.snapshot_day
    ORDER BY x.product_id`,
  );
  // Users, plus id -1 with no history.
  await con.run(
    `CREATE OR REPLACE TEMP TABLE index_users AS SELECT user_id, ${day} AS snapshot_day FROM (SELECT DISTINCT user_id FROM memory.main.user_totals UNION SELECT -1)`,
  );
  await createAsOfLookup(con, 'index_users_ut', 'index_users', 'memory.main.user_totals', ['user_id']);
  // The user's own features; those that combine the user with the product are computed per candidate (`serve`).
  const userSpecs = userFeatures(priceSql).filter((s) => !s.serve);
  const userFeatureNames = userSpecs.map((s) => s.name);
  const userRows = await queryRows(
    con,
    `SELECT x.user_id, ${selectList(userSpecs)}, ut.events AS ut_events,
      CAST(ut.viewed_price / nullif(ut.priced_views, 0) AS DOUBLE) AS mean_viewed FROM index_users x ${joinLookup('index_users_ut', 'ut', ['user_id'])}
    ORDER BY x.user_id`,
  );
  // Categories by sorted text, so the same store gives the same bytes: the products' and the history's.
  const categories = (
    await queryRows(
      con,
      `SELECT DISTINCT category_id FROM (SELECT category_id FROM index_products
        UNION ALL SELECT category_id FROM memory.main.user_category_totals WHERE upto < ${day}
        UNION ALL SELECT category_id FROM memory.main.query_category_totals WHERE upto < ${day})
      WHERE category_id IS NOT NULL`,
    )
  )
    .map((r) => String(r.category_id))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const categoryIndex = new Map(categories.map((c, i) => [c, i]));
  await con.run('CREATE OR REPLACE TEMP TABLE index_categories (category_id VARCHAR, k INTEGER)');
  const appender = await con.createAppender('index_categories');
  categories.forEach((c, k) => {
    appender.appendVarchar(c);
    appender.appendInteger(k);
    appender.endRow();
  });
  appender.closeSync();
  // History as of the snapshot day, which is after every event: each key's latest running totals,
  // read as columns in key order (no object per row, no sort in JS); a category as its index.
  const latestPairs = (table: string, keys: [string, string], measures: string[]) => {
    const category = keys[1] === 'category_id';
    return readSortedPairs(
      con,
      `SELECT t.${keys[0]} AS outer_key, ${category ? 'c.k' : `t.${keys[1]}`} AS inner_key,
        ${measures.map((m, k) => `coalesce(t.${m}, 0) AS v${k}`).join(', ')}
      FROM (SELECT * FROM memory.main.${table} WHERE upto < ${day} AND ${keys[0]} IS NOT NULL AND ${keys[1]} IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY upto DESC) = 1) t
      ${category ? 'JOIN temp.main.index_categories c ON c.category_id = t.category_id' : ''}
      ORDER BY outer_key, inner_key`,
      measures.length,
    );
  };
  const userCategoryEvents = await latestPairs('user_category_totals', ['user_id', 'category_id'], ['events']);
  const pairTotals = await latestPairs(
    'query_product_totals',
    ['query_id', 'product_id'],
    ['impressions', 'clicks', 'purchases'],
  );
  const queryCategoryTotals = await latestPairs(
    'query_category_totals',
    ['query_id', 'category_id'],
    ['impressions', 'clicks', 'purchases'],
  );
  const queryRowsById = await queryRows(con, 'SELECT query, query_id FROM memory.main.query_ids ORDER BY query');
  for (const table of ['index_products', 'index_product_days', 'index_users', 'index_categories'])
    await con.run(`DROP TABLE IF EXISTS temp.main.${table}`);

  const catalogueRows = productRows.filter((r) => Number(r.product_id) !== -1);
  const titleTokens = catalogueRows.map((r) => tokenize(r.title as string | null));
  const tokenSet = new Set<string>(idfMap.keys());
  for (const list of titleTokens) for (const t of list) tokenSet.add(t);
  const tokens = [...tokenSet].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const tokenIndex = new Map(tokens.map((t, i) => [t, i]));
  const idf = Float64Array.from(tokens, (t) => idfMap.get(t) ?? NaN);

  const n = catalogueRows.length;
  const pf = productFeatureNames.length;
  const productValues = new Float64Array(n * pf);
  const tokenStart = new Int32Array(n + 1);
  const vectorStart = new Int32Array(n + 1);
  const tokenIds: number[] = [];
  const vectorIds: number[] = [];
  const vectorWeights: number[] = [];
  catalogueRows.forEach((row, r) => {
    productFeatureNames.forEach((name, k) => (productValues[r * pf + k] = nan(row[name])));
    for (const t of new Set(titleTokens[r])) tokenIds.push(tokenIndex.get(t)!);
    tokenStart[r + 1] = tokenIds.length;
    for (const [t, w] of tfidf(titleTokens[r], idfMap)) {
      vectorIds.push(tokenIndex.get(t)!);
      vectorWeights.push(w);
    }
    vectorStart[r + 1] = vectorIds.length;
  });
  const cold = productRows.find((r) => Number(r.product_id) === -1);
  const catalogueUsers = userRows.filter((r) => Number(r.user_id) !== -1);
  const uf = userFeatureNames.length;
  const userValues = new Float64Array(catalogueUsers.length * uf);
  catalogueUsers.forEach((row, r) => userFeatureNames.forEach((name, k) => (userValues[r * uf + k] = nan(row[name]))));
  const none = userRows.find((r) => Number(r.user_id) === -1);
  const categoryOf = (v: unknown) => (v === null ? -1 : categoryIndex.get(String(v))!);
  return withLookups({
    stamp,
    productFeatureNames,
    userFeatureNames,
    productIds: Float64Array.from(catalogueRows, (r) => Number(r.product_id)),
    productValues,
    coldProduct: Float64Array.from(productFeatureNames, (name) => nan(cold?.[name])),
    productCategory: Int32Array.from(catalogueRows, (r) => categoryOf(r.category_id)),
    productPrice: Float64Array.from(catalogueRows, (r) => nan(r.price_double)),
    tokenStart,
    tokenIds: Int32Array.from(tokenIds),
    vectorStart,
    vectorIds: Int32Array.from(vectorIds),
    vectorWeights: Float64Array.from(vectorWeights),
    userIds: Float64Array.from(catalogueUsers, (r) => Number(r.user_id)),
    userValues,
    userEvents: Float64Array.from(catalogueUsers, (r) => nan(r.ut_events)),
    userMeanViewed: Float64Array.from(catalogueUsers, (r) => nan(r.mean_viewed)),
    noUser: Float64Array.from([
      ...userFeatureNames.map((name) => nan(none?.[name])),
      nan(none?.ut_events),
      nan(none?.mean_viewed),
    ]),
    userCategoryEvents,
    pairTotals,
    queryCategoryTotals,
    categories,
    tokens,
    idf,
    queries: queryRowsById.map((r) => String(r.query)),
    queryIdValues: Float64Array.from(queryRowsById, (r) => Number(r.query_id)),
    requestFeatures: [],
    options,
  });
}

type Stored = Omit<RankingIndex, 'tokenIndex' | 'queryIndex' | 'requestFeatures'>;

/** Adds what lookups by text need (built from the stored arrays) and the request features' serve expressions. */
function withLookups(index: Stored & { requestFeatures?: unknown }): RankingIndex {
  const { options } = index;
  const priceSql = productFeatures(options).find((s) => s.name === 'price')!.sql;
  return {
    ...index,
    tokenIndex: new Map(index.tokens.map((t, i) => [t, i])),
    queryIndex: new Map(index.queries.map((q, i) => [q, i])),
    requestFeatures: [...userFeatures(priceSql), ...queryProductFeatures(options)].flatMap((spec) =>
      spec.serve ? [{ name: spec.name, serve: spec.serve }] : [],
    ),
  };
}

/** The version of the index file's layout: a file of another is rebuilt, not misread. */
const INDEX_FORMAT = 1;

const ARRAYS = [
  'productIds',
  'productValues',
  'coldProduct',
  'productCategory',
  'productPrice',
  'tokenStart',
  'tokenIds',
  'vectorStart',
  'vectorIds',
  'vectorWeights',
  'userIds',
  'userValues',
  'userEvents',
  'userMeanViewed',
  'noUser',
  'idf',
  'queryIdValues',
] as const;
const PAIRS = ['userCategoryEvents', 'pairTotals', 'queryCategoryTotals'] as const;

/** Writes the index to a blocks file (atomically). */
export function saveRankingIndex(path: string, index: RankingIndex): void {
  const blocks: Record<string, Block> = {};
  for (const name of ARRAYS) blocks[name] = index[name];
  for (const name of PAIRS)
    for (const part of ['outer', 'start', 'inner', 'values'] as const) blocks[`${name}.${part}`] = index[name][part];
  writeBlocks(
    path,
    {
      format: INDEX_FORMAT,
      stamp: index.stamp,
      options: index.options,
      productFeatureNames: index.productFeatureNames,
      userFeatureNames: index.userFeatureNames,
      widths: Object.fromEntries(PAIRS.map((name) => [name, index[name].width])),
      categories: index.categories,
      tokens: index.tokens,
      queries: index.queries,
    },
    blocks,
  );
}

/**
 * Reads an index file written by `saveRankingIndex`; null when it was computed from another store
 * than `stamp` says (or by another layout), so the caller builds it again.
 */
export function loadRankingIndex(path: string, stamp: string): RankingIndex | null {
  const { meta, blocks } = readBlocks(path);
  const m = meta as {
    format: number;
    stamp: string;
    options: FeatureOptions;
    productFeatureNames: string[];
    userFeatureNames: string[];
    widths: Record<string, number>;
    categories: string[];
    tokens: string[];
    queries: string[];
  };
  if (m?.format !== INDEX_FORMAT || m.stamp !== stamp) return null;
  const pairs = Object.fromEntries(
    PAIRS.map((name) => [
      name,
      {
        outer: blocks[`${name}.outer`],
        start: blocks[`${name}.start`],
        inner: blocks[`${name}.inner`],
        values: blocks[`${name}.values`],
        width: m.widths[name],
      },
    ]),
  );
  return withLookups({
    ...(Object.fromEntries(ARRAYS.map((name) => [name, blocks[name]])) as Pick<Stored, (typeof ARRAYS)[number]>),
    ...(pairs as Pick<Stored, (typeof PAIRS)[number]>),
    stamp: m.stamp,
    options: m.options,
    productFeatureNames: m.productFeatureNames,
    userFeatureNames: m.userFeatureNames,
    categories: m.categories,
    tokens: m.tokens,
    queries: m.queries,
  });
}

/**
 * The data folder's ranking index file when it was computed from the store as it is now, else
 * null (no file, another store, an older layout, or an unreadable file: each said on stderr but
 * the first). `stamp`: the store's `servingStoreStamp`, when the caller has it.
 */
export function readRankingIndex(catalog: DataCatalog, stamp?: string): RankingIndex | null {
  const path = catalog.features.storeRankingIndex;
  if (!existsSync(path)) return null;
  try {
    return loadRankingIndex(path, stamp ?? servingStoreStamp(catalog));
  } catch (e) {
    process.stderr.write(`serve: ${(e as Error).message}\n`);
    return null;
  }
}

/** Computes the data folder's ranking index from its store and writes the file the service reads. */
export async function writeRankingIndex(catalog: DataCatalog): Promise<RankingIndex | null> {
  return withDuckDB(async (con) => {
    const store = await loadServingStore(con, catalog);
    if (!existsSync(catalog.features.manifest) || !store.snapshotDay || !store.idf) return null;
    if (!RANKING_INDEX_TABLES.reads.every((t) => t === 'catalog_products' || store.tables.has(t))) return null;
    const options = readFeatureManifest(catalog.features.manifest).options;
    const index = await buildRankingIndex(con, store.snapshotDay, store.idf, options, servingStoreStamp(catalog));
    saveRankingIndex(catalog.features.storeRankingIndex, index);
    return index;
  });
}
