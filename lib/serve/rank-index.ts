import type { DuckDBConnection } from '@duckdb/node-api';

import {
  cosine,
  createAsOfLookup,
  type FeatureOptions,
  type FeatureSpec,
  joinLookup,
  productFeatures,
  queryProductFeatures,
  type RankCandidate,
  selectList,
  tfidf,
  tokenize,
  tokenOverlap,
  userFeatures,
} from '../features/index';
import { queryRows, requireTables, type TableContract } from '../io/index';
import { DMatrix } from '../xgboost/index';
import { type LoadedModel, SERVING_MATRIX } from './models';
import type { RankedProduct, RankRequest } from './rank';

type Row = Record<string, number | null>;

/**
 * Every request-independent piece of the ranking features, computed once when the service loads
 * by the training's own SQL expressions over the serving store (product, user, user × category,
 * query × product and query × category history), so a search only assembles them: the fast path
 * of /v1/rank. A test holds it equal, feature by feature, to the SQL path (`rankProducts`).
 */
export interface RankingIndex {
  products: Map<
    number,
    { features: Row; category: string | null; price: number | null; tokens: string[]; vector: Map<string, number> }
  >;
  /** What a product the catalogue does not know gets. */
  coldProduct: Row;
  users: Map<number, { features: Row; events: number | null; meanViewedPrice: number | null }>;
  /** A user with no history, or none given. */
  noUser: { features: Row; events: number | null; meanViewedPrice: number | null };
  userCategoryEvents: Map<string, number>;
  queryIds: Map<string, number>;
  pairTotals: Map<string, [number, number, number]>;
  queryCategoryTotals: Map<string, [number, number, number]>;
  idf: ReadonlyMap<string, number>;
  /** The ranking features that depend on the request, each with its spec's `serve` expression. */
  requestFeatures: { name: string; serve: NonNullable<FeatureSpec['serve']> }[];
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const f32 = (v: number | null) => (v === null || !Number.isFinite(v) ? null : Math.fround(v));

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
  writes: ['index_products', 'index_product_days', 'index_users', 'index_users_ut'],
} as const satisfies TableContract;

/** Builds the index from the serving store tables on `con` (see loadServingStore), as of `snapshotDay`. */
export async function buildRankingIndex(
  con: DuckDBConnection,
  snapshotDay: string,
  idf: ReadonlyMap<string, number>,
  options: FeatureOptions,
): Promise<RankingIndex> {
  await requireTables(con, 'buildRankingIndex', RANKING_INDEX_TABLES);
  const day = `TIMESTAMP '${snapshotDay}'`;
  const product = productFeatures(options);
  const priceSql = product.find((s) => s.name === 'price')!.sql;
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
    LEFT JOIN memory.main.category_days cd ON cd.category_id IS NOT DISTINCT FROM x.category_id AND cd.day = x.snapshot_day`,
  );
  const pick = (row: Record<string, unknown>, names: string[]): Row =>
    Object.fromEntries(names.map((n) => [n, num(row[n])]));
  const products: RankingIndex['products'] = new Map();
  let coldProduct: Row = {};
  for (const row of productRows) {
    const features = pick(
      row,
      product.map((s) => s.name),
    );
    if (Number(row.product_id) === -1) {
      coldProduct = features;
      continue;
    }
    const tokens = tokenize(row.title as string | null);
    products.set(Number(row.product_id), {
      features,
      category: (row.category_id as string | null) ?? null,
      price: num(row.price_double),
      tokens,
      vector: tfidf(tokens, idf),
    });
  }
  // Users, plus id -1 with no history.
  await con.run(
    `CREATE OR REPLACE TEMP TABLE index_users AS SELECT user_id, ${day} AS snapshot_day FROM (SELECT DISTINCT user_id FROM memory.main.user_totals UNION SELECT -1)`,
  );
  await createAsOfLookup(con, 'index_users_ut', 'index_users', 'memory.main.user_totals', ['user_id']);
  // The user's own features; those that combine the user with the product are computed per candidate (`serve`).
  const userSpecs = userFeatures(priceSql).filter((s) => !s.serve);
  const userRows = await queryRows(
    con,
    `SELECT x.user_id, ${selectList(userSpecs)}, ut.events AS ut_events,
      CAST(ut.viewed_price / nullif(ut.priced_views, 0) AS DOUBLE) AS mean_viewed FROM index_users x ${joinLookup('index_users_ut', 'ut', ['user_id'])}`,
  );
  const users: RankingIndex['users'] = new Map();
  let noUser: RankingIndex['noUser'] = { features: {}, events: null, meanViewedPrice: null };
  for (const row of userRows) {
    const entry = {
      features: pick(
        row,
        userSpecs.map((s) => s.name),
      ),
      events: num(row.ut_events),
      meanViewedPrice: num(row.mean_viewed),
    };
    if (Number(row.user_id) === -1) noUser = entry;
    else users.set(Number(row.user_id), entry);
  }
  // History as of the snapshot day, which is after every event: each key's latest running totals.
  const latest = async (table: string, keys: string[], measures: string[]) =>
    new Map(
      (
        await queryRows(
          con,
          `SELECT ${keys.join(', ')}, ${measures.join(', ')} FROM memory.main.${table}
      WHERE upto < ${day} QUALIFY row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY upto DESC) = 1`,
        )
      ).map((r) => [keys.map((k) => String(r[k])).join('|'), measures.map((m) => Number(r[m]))] as const),
    );
  const userCategoryEvents = new Map(
    [...(await latest('user_category_totals', ['user_id', 'category_id'], ['events']))].map(([k, [v]]) => [k, v]),
  );
  const pairTotals = (await latest(
    'query_product_totals',
    ['query_id', 'product_id'],
    ['impressions', 'clicks', 'purchases'],
  )) as Map<string, [number, number, number]>;
  const queryCategoryTotals = (await latest(
    'query_category_totals',
    ['query_id', 'category_id'],
    ['impressions', 'clicks', 'purchases'],
  )) as Map<string, [number, number, number]>;
  const queryIds = new Map(
    (await queryRows(con, 'SELECT query, query_id FROM memory.main.query_ids')).map((r) => [
      String(r.query),
      Number(r.query_id),
    ]),
  );
  for (const table of ['index_products', 'index_product_days', 'index_users'])
    await con.run(`DROP TABLE IF EXISTS temp.main.${table}`);
  return {
    products,
    coldProduct,
    users,
    noUser,
    userCategoryEvents,
    queryIds,
    pairTotals,
    queryCategoryTotals,
    idf,
    requestFeatures: [...userFeatures(priceSql), ...queryProductFeatures(options)].flatMap((spec) =>
      spec.serve ? [{ name: spec.name, serve: spec.serve }] : [],
    ),
  };
}

/**
 * Visits every feature of every candidate of one search, by name, as the training SQL computes it
 * (float32 values, null for missing): the request-independent ones from the index, the others from
 * their specs' `serve` expressions over what the service knows of the candidate.
 */
function visitFeatures(
  index: RankingIndex,
  request: RankRequest,
  visit: (row: number, name: string, value: number | null) => void,
): void {
  const user =
    (request.user_id === null || request.user_id === undefined ? undefined : index.users.get(request.user_id)) ??
    index.noUser;
  const queryId = index.queryIds.get(request.query) ?? -1;
  const queryTokens = tokenize(request.query);
  const queryVector = tfidf(queryTokens, index.idf);
  const distinct = new Set(queryTokens).size;
  request.product_ids.forEach((id, i) => {
    const product = index.products.get(id);
    const category = product?.category ?? null;
    const candidate: RankCandidate = {
      position: i + 1,
      pair: index.pairTotals.get(`${queryId}|${id}`) ?? null,
      queryCategory: (category === null ? undefined : index.queryCategoryTotals.get(`${queryId}|${category}`)) ?? null,
      tfidfCosine: product ? cosine(queryVector, product.vector) : 0,
      tokenOverlap: product ? tokenOverlap(queryTokens, product.tokens) : 0,
      queryTokens: distinct,
      userEvents: user.events,
      userCategoryEvents:
        user.events === null || category === null
          ? null
          : (index.userCategoryEvents.get(`${request.user_id}|${category}`) ?? null),
      price: product?.price ?? null,
      meanViewedPrice: user.meanViewedPrice,
    };
    const productFeatures = product?.features ?? index.coldProduct;
    for (const name in productFeatures) visit(i, name, productFeatures[name]);
    for (const name in user.features) visit(i, name, user.features[name]);
    for (const { name, serve } of index.requestFeatures) visit(i, name, f32(serve(candidate)));
  });
}

/** The feature rows of one search, by name, as the training SQL computes them (float32 values, null for missing). */
export function rankingFeatureRows(index: RankingIndex, request: RankRequest): Row[] {
  const rows: Row[] = request.product_ids.map(() => ({}));
  visitFeatures(index, request, (i, name, value) => {
    rows[i][name] = value;
  });
  return rows;
}

/** Where each named feature sits in a model's columns (-1: the model does not use it), cached per model. */
const layouts = new WeakMap<LoadedModel, Map<string, number>>();
const columnsOf = (model: LoadedModel) => {
  let layout = layouts.get(model);
  if (!layout) layouts.set(model, (layout = new Map(model.features.map((name, j) => [name, j]))));
  return layout;
};

/**
 * The model's input matrix for one search (rows × model columns, NaN for missing): the values of
 * `rankingFeatureRows`, written straight into place.
 */
export function rankingMatrix(index: RankingIndex, model: LoadedModel, request: RankRequest): Float32Array {
  const layout = columnsOf(model);
  const p = model.features.length;
  const values = new Float32Array(request.product_ids.length * p).fill(NaN);
  visitFeatures(index, request, (i, name, value) => {
    const j = layout.get(name);
    if (j !== undefined && value !== null) values[i * p + j] = value;
  });
  return values;
}

/** /v1/rank's fast path: the index's feature rows, scored by the model, best first. */
export function rankWithIndex(
  index: RankingIndex,
  model: LoadedModel,
  request: RankRequest,
): { results: RankedProduct[] } {
  const matrix = new DMatrix(
    rankingMatrix(index, model, request),
    request.product_ids.length,
    model.features.length,
    SERVING_MATRIX,
  );
  try {
    const scores = model.booster.predict(matrix).values;
    const results = request.product_ids.map((id, i) => ({
      product_id: id,
      score: scores[i],
      position: i + 1,
      cold_start: !index.products.has(id),
    }));
    results.sort((a, b) => b.score - a.score || a.position - b.position);
    return { results };
  } finally {
    matrix.dispose();
  }
}
