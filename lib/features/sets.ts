import type { DuckDBConnection } from '@duckdb/node-api';
import { FLOAT, INTEGER } from '@duckdb/node-api';
import { queryRows, readColumns, registerColumnScan } from '../io/index';
import { FUNNEL, userHistoryJoins, WINDOWS } from './history';
import type { FeatureSpec, RankCandidate } from './manifest';
import { createAsOfLookup, createRunningTotals, joinLookup } from './running-totals';
import { fitIdf, hashBucket, hashFeatures, pairTextFeatures, tokenize } from './text';

export interface FeatureOptions {
  /** Pseudo-views of the category's rate that rare products are pulled toward. */
  smoothing: number;
  /**
   * Whether catalogue prices are known up front (the synthetic shop's are fixed); otherwise a
   * product's price is the last one seen in events before the snapshot.
   */
  staticCatalogPrices: boolean;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = { smoothing: 20, staticCatalogPrices: true };

const f = (
  entity: FeatureSpec['entity'],
  name: string,
  description: string,
  sql: string,
  type: FeatureSpec['type'] = 'float',
  window?: string,
): FeatureSpec => ({ name, entity, type, description, sql, ...(window ? { window } : {}) });

/** Product history and catalogue features, over aliases `x` (examples with snapshot_day), `pd`, `cd`, `p`. */
export function productFeatures(options: FeatureOptions): FeatureSpec[] {
  const m = options.smoothing;
  const price = options.staticCatalogPrices ? 'coalesce(pd.last_seen_price, p.price)' : 'pd.last_seen_price';
  const rate = (num: string, label: string) =>
    f(
      'product',
      `${label}_28d`,
      `${label.replaceAll('_', ' ')} over 28 days, pulled toward the category's rate by ${m} pseudo-views`,
      `(pd.${num}_28d + ${m} * coalesce(cd.${num}_28d / nullif(cd.views_28d, 0), 0)) / (pd.views_28d + ${m})`,
      'float',
      '28d',
    );
  return [
    ...WINDOWS.flatMap((w) =>
      Object.keys(FUNNEL).map((c) =>
        f(
          'product',
          `${c}_${w}d`,
          `${c} of the product in the ${w} days before the snapshot`,
          `pd.${c}_${w}d`,
          'int',
          `${w}d`,
        ),
      ),
    ),
    rate('clicks', 'ctr'),
    rate('carts', 'cart_rate'),
    rate('purchases', 'purchase_rate'),
    f(
      'product',
      'days_since_last_purchase',
      'days from the last day the product sold to the snapshot (null: never)',
      `date_diff('day', pd.last_purchase_day, x.snapshot_day)`,
      'int',
    ),
    f(
      'product',
      'category_rank',
      'popularity rank in its category by 7-day views (1 = most viewed)',
      'pd.category_rank',
      'int',
      '7d',
    ),
    f('product', 'price', 'price (the last seen before the snapshot, or the catalogue price where it is fixed)', price),
    f('product', 'discount', 'share off the base price', `1 - ${price} / nullif(p.base_price, 0)`),
    f('product', 'log_price', 'ln(1 + price)', `ln(1 + ${price})`),
  ];
}

const userSessions = f(
  'user',
  'user_sessions',
  "the user's sessions before the snapshot (frequency)",
  'coalesce(ut.sessions, 0)',
  'int',
);
const userRecency = f(
  'user',
  'user_recency_days',
  "days from the user's last active day to the snapshot (null: new user)",
  `date_diff('day', ut.upto, x.snapshot_day)`,
  'int',
);

/** User history features, over aliases `x`, `ut`, `uct` and the product's price expression. */
export function userFeatures(priceSql: string): FeatureSpec[] {
  return [
    f('user', 'user_events', "the user's events before the snapshot", 'coalesce(ut.events, 0)', 'int'),
    userSessions,
    f('user', 'user_purchases', "the user's purchases before the snapshot", 'coalesce(ut.purchases, 0)', 'int'),
    f(
      'user',
      'user_spend',
      "the user's spend before the snapshot (monetary value)",
      'CAST(coalesce(ut.spend, 0) AS DOUBLE)',
    ),
    userRecency,
    {
      ...f(
        'user',
        'user_category_affinity',
        "share of the user's past events in the product's category",
        'coalesce(uct.events, 0) / nullif(ut.events, 0)',
      ),
      serve: (c) => (c.userEvents === null || c.userEvents === 0 ? null : (c.userCategoryEvents ?? 0) / c.userEvents),
    },
    {
      ...f(
        'user',
        'user_price_ratio',
        "price relative to the mean price of the user's past views",
        `${priceSql} / nullif(CAST(ut.viewed_price / nullif(ut.priced_views, 0) AS DOUBLE), 0)`,
      ),
      serve: (c) =>
        c.price === null || c.meanViewedPrice === null || c.meanViewedPrice === 0 ? null : c.price / c.meanViewedPrice,
    },
  ];
}

/** Query-product features, over aliases `x`, `qp` (pair history), `qc` (query-category history) and `tx` (text). */
export function queryProductFeatures(options: FeatureOptions): FeatureSpec[] {
  const m = options.smoothing;
  // The query's rate on the product's category: measure k (1 clicks, 2 purchases) per impression.
  const categoryRate = (c: RankCandidate, k: 1 | 2) =>
    c.queryCategory && c.queryCategory[0] !== 0 ? c.queryCategory[k] / c.queryCategory[0] : null;
  const smoothed = (c: RankCandidate, k: 1 | 2) =>
    ((c.pair?.[k] ?? 0) + m * (categoryRate(c, k) ?? 0)) / ((c.pair?.[0] ?? 0) + m);
  return [
    {
      ...f(
        'query_product',
        'shown_position',
        "the rank the shop's search engine gave the product (1 = top): the request's order when serving",
        'x.position',
        'int',
      ),
      serve: (c) => c.position,
    },
    {
      ...f(
        'query_product',
        'pair_impressions',
        'times this product was shown for this query before the snapshot',
        'coalesce(qp.impressions, 0)',
        'int',
      ),
      serve: (c) => c.pair?.[0] ?? 0,
    },
    {
      ...f(
        'query_product',
        'pair_ctr',
        `click-through of the pair, pulled toward the query-category rate by ${m} pseudo-impressions`,
        `(coalesce(qp.clicks, 0) + ${m} * coalesce(qc.clicks / nullif(qc.impressions, 0), 0)) / (coalesce(qp.impressions, 0) + ${m})`,
      ),
      serve: (c) => smoothed(c, 1),
    },
    {
      ...f(
        'query_product',
        'pair_purchase_rate',
        'purchases per impression of the pair, smoothed the same way',
        `(coalesce(qp.purchases, 0) + ${m} * coalesce(qc.purchases / nullif(qc.impressions, 0), 0)) / (coalesce(qp.impressions, 0) + ${m})`,
      ),
      serve: (c) => smoothed(c, 2),
    },
    {
      ...f(
        'query_product',
        'query_category_ctr',
        "click-through of this query on the product's category",
        'qc.clicks / nullif(qc.impressions, 0)',
      ),
      serve: (c) => categoryRate(c, 1),
    },
    {
      ...f(
        'query_product',
        'query_category_purchase_rate',
        "purchases per impression of this query on the product's category",
        'qc.purchases / nullif(qc.impressions, 0)',
      ),
      serve: (c) => categoryRate(c, 2),
    },
    {
      ...f(
        'query_product',
        'tfidf_cosine',
        'TF-IDF cosine of query and title (vocabulary of the training period)',
        'tx.tfidf_cosine',
      ),
      serve: (c) => c.tfidfCosine,
    },
    {
      ...f('query_product', 'token_overlap', 'query tokens found in the title', 'tx.token_overlap', 'int'),
      serve: (c) => c.tokenOverlap,
    },
    {
      ...f(
        'query_product',
        'token_overlap_share',
        'share of query tokens found in the title',
        'tx.token_overlap / nullif(tx.query_tokens, 0)',
      ),
      serve: (c) => (c.queryTokens === 0 ? null : c.tokenOverlap / c.queryTokens),
    },
  ];
}

/** Session-prefix features, over alias `sp` (the prefix aggregate) and `x`. */
export function sessionFeatures(): FeatureSpec[] {
  return [
    f('session', 'prefix_events', 'events so far in the session', 'sp.events', 'int'),
    f('session', 'prefix_products', 'distinct products so far', 'sp.products', 'int'),
    f('session', 'prefix_views', 'views so far', 'sp.views', 'int'),
    f('session', 'prefix_clicks', 'clicks so far', 'sp.clicks', 'int'),
    f('session', 'prefix_carts', 'add-to-carts so far', 'sp.carts', 'int'),
    f('session', 'prefix_removals', 'removals from the cart so far', 'sp.removals', 'int'),
    f('session', 'prefix_searches', 'searches so far', 'sp.searches', 'int'),
    f(
      'session',
      'seconds_since_start',
      'seconds from the first event to the prediction',
      `epoch(x.as_of) - epoch(sp.first_time)`,
    ),
    f(
      'session',
      'mean_dwell_seconds',
      'mean seconds between consecutive events so far',
      `(epoch(sp.last_time) - epoch(sp.first_time)) / nullif(sp.events - 1, 0)`,
    ),
    f('session', 'max_price_viewed', 'highest price viewed so far', 'sp.max_price'),
    f('session', 'mean_price_viewed', 'mean price viewed so far', 'sp.mean_price'),
    f('session', 'hour', 'hour of day (UTC) of the prediction', 'hour(x.as_of)', 'int'),
    f('session', 'weekday', 'ISO weekday of the prediction (1 = Monday)', 'isodow(x.as_of)', 'int'),
    f(
      'user',
      'user_bought_before',
      'whether the user purchased before the snapshot',
      '(coalesce(ut.purchases, 0) > 0)::INTEGER',
      'int',
    ),
    userSessions,
    userRecency,
  ];
}

/** The numeric content features of a product (no history, no category) the category family's XGBoost reads, before its hashed buckets. */
export const CONTENT_DENSE = ['title_chars', 'title_tokens', 'mean_token_chars', 'price', 'log_price'] as const;

/** What each content column holds, for the report's feature charts. */
export const CONTENT_DESCRIPTIONS: Record<(typeof CONTENT_DENSE)[number], string> = {
  title_chars: 'characters in the title',
  title_tokens: 'tokens in the title',
  mean_token_chars: 'mean token length in the title',
  price: 'catalogue price',
  log_price: 'ln(1 + catalogue price)',
};

/**
 * A product's content features: the numeric ones (null when undefined) and the hashed names as
 * sparse buckets. The one implementation behind both the category training set and serving.
 */
export function contentFeatureRow(
  product: ContentProduct,
  buckets: number,
): { dense: Record<(typeof CONTENT_DENSE)[number], number | null>; indices: number[]; values: number[] } {
  const tokens = tokenize(product.title);
  const price = product.price === null || product.price === undefined ? null : product.price;
  const hashed = hashFeatures(contentNames(product), buckets);
  return {
    dense: {
      title_chars: [...(product.title ?? '')].length,
      title_tokens: tokens.length,
      mean_token_chars: tokens.length ? tokens.reduce((a, b) => a + b.length, 0) / tokens.length : null,
      price,
      log_price: price === null ? null : Math.log(1 + price),
    },
    indices: hashed.indices,
    values: hashed.values,
  };
}

/** Features as FLOAT or INTEGER: what models consume (XGBoost reads float32), at half the bytes of DOUBLE. */
export const selectList = (specs: FeatureSpec[]) =>
  specs
    .filter((s) => s.sql !== '')
    .map((s) => `CAST(${s.sql} AS ${s.type === 'int' ? 'INTEGER' : 'FLOAT'}) AS ${s.name}`)
    .join(',\n      ');

/** The price range of the brand × price cross: powers of two. */
export const priceRange = (price: number | null) =>
  price === null || !(price > 0) ? 'none' : String(Math.floor(Math.log2(price)));

/** What a product's content features read. */
export interface ContentProduct {
  title: string | null;
  brand: string | null;
  seller_id: number | null;
  price: number | null;
}

/** Hashed names of a product's content: seller, brand, title tokens, brand × price range. */
export function contentNames(product: ContentProduct): string[] {
  return [
    `seller=${product.seller_id ?? 'none'}`,
    `brand=${(product.brand ?? 'none').toLowerCase()}`,
    ...tokenize(product.title).map((t) => `title=${t}`),
    `brand_x_price=${(product.brand ?? 'none').toLowerCase()}|${priceRange(product.price)}`,
  ];
}

/**
 * What the hashed columns hold: for each bucket `hash_<i>` that any product uses, its most
 * frequent content names (the hashing trick may put several in one bucket), for chart labels.
 */
export function hashedColumnLegend(
  products: readonly ContentProduct[],
  buckets: number,
  perBucket = 3,
): Record<string, string> {
  const counts = new Map<number, Map<string, number>>();
  for (const product of products) {
    for (const name of new Set(contentNames(product))) {
      const b = hashBucket(name, buckets);
      if (!counts.has(b)) counts.set(b, new Map());
      const names = counts.get(b)!;
      names.set(name, (names.get(name) ?? 0) + 1);
    }
  }
  return Object.fromEntries(
    [...counts]
      .sort((a, b) => a[0] - b[0])
      .map(([b, names]) => [
        `hash_${b}`,
        [...names]
          .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
          .slice(0, perBucket)
          .map(([n]) => n)
          .join(', '),
      ]),
  );
}

/** Query-product history: running totals of impressions by (query, product) and (query, category), queries by id. */
export async function createQueryTotals(con: DuckDBConnection): Promise<void> {
  const measures = { impressions: '1', clicks: 'clicked::INTEGER', purchases: 'purchased::INTEGER' };
  const source = `(SELECT i.*, q.query_id, p.category_id, date_trunc('day', i.event_time) AS day
    FROM impressions i JOIN products p USING (product_id) JOIN query_ids q USING (query)) i`;
  await createRunningTotals(con, {
    name: 'query_product_totals',
    source,
    keys: { query_id: 'query_id', product_id: 'product_id' },
    time: 'day',
    measures,
  });
  await createRunningTotals(con, {
    name: 'query_category_totals',
    source,
    keys: { query_id: 'query_id', category_id: 'category_id' },
    time: 'day',
    measures,
    where: 'category_id IS NOT NULL',
  });
}

/** The TF-IDF vocabulary of the training period: query texts and the titles of products seen before `trainEnd`. */
export async function fitRankingIdf(con: DuckDBConnection, trainEnd: string): Promise<Map<string, number>> {
  const corpus = await queryRows(
    con,
    `SELECT DISTINCT query AS text FROM impressions WHERE event_time < ${trainEnd}
    UNION ALL SELECT title AS text FROM products WHERE product_id IN (SELECT DISTINCT product_id FROM events WHERE event_time < ${trainEnd}) AND title IS NOT NULL`,
  );
  return fitIdf(corpus.map((r) => tokenize(r.text as string)));
}

/**
 * Creates `ranking_text`: TF-IDF cosine and token overlap of every (query, product) pair in
 * `ranking_examples`, reading `query_ids` and `products`. The same code builds training sets and
 * answers /v1/rank.
 */
export async function createRankingText(con: DuckDBConnection, idf: ReadonlyMap<string, number>): Promise<void> {
  // Queries and titles cross into JS once each; the (query, product) pairs only as row numbers into them.
  await con.run(`CREATE OR REPLACE TEMP TABLE ranking_text_queries AS
    SELECT query_id, query, CAST(row_number() OVER (ORDER BY query_id) - 1 AS INTEGER) AS q
    FROM query_ids WHERE query_id IN (SELECT DISTINCT query_id FROM ranking_examples)`);
  await con.run(`CREATE OR REPLACE TEMP TABLE ranking_text_titles AS
    SELECT product_id, title, CAST(row_number() OVER (ORDER BY product_id) - 1 AS INTEGER) AS t
    FROM products WHERE product_id IN (SELECT DISTINCT product_id FROM ranking_examples)`);
  await con.run(`CREATE OR REPLACE TEMP TABLE ranking_text_pairs AS
    SELECT query_id, product_id, q.q, coalesce(t.t, -1) AS t, CAST(row_number() OVER () - 1 AS INTEGER) AS r
    FROM (SELECT DISTINCT query_id, product_id FROM ranking_examples) JOIN ranking_text_queries q USING (query_id)
    LEFT JOIN ranking_text_titles t USING (product_id)`);
  const texts = async (sql: string) => (await con.runAndReadAll(sql)).getColumnsJS()[0] as (string | null)[];
  const queries = await texts('SELECT query FROM ranking_text_queries ORDER BY q');
  const titles = await texts('SELECT title FROM ranking_text_titles ORDER BY t');
  const pairs = await readColumns(con, 'SELECT q, t FROM ranking_text_pairs ORDER BY r', {
    q: 'INTEGER',
    t: 'INTEGER',
  });
  const text = pairTextFeatures(queries, titles, pairs.columns.q, pairs.columns.t, idf);
  const n = pairs.rows;
  const columns = [
    { name: 'r', type: INTEGER, values: Int32Array.from({ length: n }, (_, i) => i) },
    { name: 'tfidf_cosine', type: FLOAT, values: text.cosine },
    { name: 'token_overlap', type: INTEGER, values: text.overlap },
    { name: 'query_tokens', type: INTEGER, values: text.queryTokens },
  ];
  let scores = 'ranking_text_scores';
  if (n > 50_000) {
    // A training set: a table function over the arrays, much faster than appending. Its name is
    // fresh each call, as a name already registered on the connection would keep the old arrays.
    const scan = `ranking_text_scan_${++rankingTextScans}`;
    registerColumnScan(con, scan, columns);
    scores = `${scan}()`;
  } else {
    // One search (the service, request after request): appended, so nothing stays registered.
    await con.run(
      'CREATE OR REPLACE TEMP TABLE ranking_text_scores (r INTEGER, tfidf_cosine FLOAT, token_overlap INTEGER, query_tokens INTEGER)',
    );
    const appender = await con.createAppender('ranking_text_scores');
    for (let i = 0; i < n; i++) {
      appender.appendInteger(i);
      appender.appendFloat(text.cosine[i]);
      appender.appendInteger(text.overlap[i]);
      appender.appendInteger(text.queryTokens[i]);
      appender.endRow();
    }
    appender.closeSync();
  }
  await con.run(`CREATE OR REPLACE TEMP TABLE ranking_text AS
    SELECT p.query_id, p.product_id, s.tfidf_cosine, s.token_overlap, s.query_tokens
    FROM ranking_text_pairs p JOIN ${scores} s USING (r)`);
  for (const table of ['ranking_text_queries', 'ranking_text_titles', 'ranking_text_pairs', 'ranking_text_scores'])
    await con.run(`DROP TABLE IF EXISTS ${table}`);
}

let rankingTextScans = 0;

/** SELECT of the ranking training set: examples with product, user and query-product features. */
export async function rankingSetSql(con: DuckDBConnection, options: FeatureOptions): Promise<string> {
  const product = productFeatures(options);
  const userJoins = await userHistoryJoins(con, 'ranking_examples', true);
  await createAsOfLookup(con, 'ranking_examples_qp', 'ranking_examples', 'query_product_totals', [
    'query_id',
    'product_id',
  ]);
  await createAsOfLookup(con, 'ranking_examples_qc', 'ranking_examples', 'query_category_totals', [
    'query_id',
    'category_id',
  ]);
  const priceSql = product.find((s) => s.name === 'price')!.sql;
  return `SELECT x.search_id, x.product_id, x.position, x.user_id, x.session_id, x.query, x.as_of, x.split, x.label,
      ${selectList([...product, ...userFeatures(priceSql), ...queryProductFeatures(options)])}
    FROM ranking_examples x
    JOIN products p USING (product_id)
    LEFT JOIN product_days pd ON pd.product_id = x.product_id AND pd.day = x.snapshot_day
    LEFT JOIN category_days cd ON cd.category_id IS NOT DISTINCT FROM x.category_id AND cd.day = x.snapshot_day
    ${userJoins}
    ${joinLookup('ranking_examples_qp', 'qp', ['query_id', 'product_id'])}
    ${joinLookup('ranking_examples_qc', 'qc', ['query_id', 'category_id'])}
    LEFT JOIN ranking_text tx ON tx.query_id = x.query_id AND tx.product_id = x.product_id
    ORDER BY x.search_id, x.position`;
}

/** SELECT of the purchase training set: session prefixes with prefix and user features. */
export async function purchaseSetSql(con: DuckDBConnection): Promise<string> {
  const userJoins = await userHistoryJoins(con, 'purchase_examples', false);
  return `SELECT x.session_id, x.user_id, x.cut, x.as_of, x.split, x.label,
      ${selectList(sessionFeatures())}
    FROM purchase_examples x
    JOIN purchase_prefixes sp
      USING (session_id, cut)
    ${userJoins}
    ORDER BY x.as_of, x.session_id, x.cut`;
}

/** SELECT of the recommendation set: who, when, and which products the session went on to touch. */
export function recommendSetSql(): string {
  return 'SELECT session_id, user_id, as_of, split, targets FROM recommend_examples ORDER BY as_of, session_id';
}
