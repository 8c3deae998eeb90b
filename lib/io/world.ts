import { DOUBLE, INTEGER, UTINYINT, VARCHAR } from '@duckdb/node-api';
import type { DataCatalog } from '../catalog';
import { EVENT_TYPES, PERSONAS } from '../events';
import type { World } from '../generate';
import { writeFileSync } from 'node:fs';
import { AtomicBatch, copyToParquet, createTableFromColumns, type DuckDBOptions, withDuckDB } from './duckdb';

const iota = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
const sqlList = (values: readonly string[]) => `[${values.map((v) => `'${v}'`).join(', ')}]`;
const timestamp = (ms: string) => `make_timestamp(CAST(${ms} AS BIGINT) * 1000)`;

export interface WriteSummary {
  products: number;
  users: number;
  events: number;
  sessions: number;
  searches: number;
  impressions: number;
}

/** Writes a generated world as the canonical Parquet tables (plus truth) under `catalog.raw`. */
export async function writeWorld(world: World, catalog: DataCatalog, options: DuckDBOptions = {}, onStep?: (step: string) => void): Promise<WriteSummary> {
  const { catalog: shop, users, activity, firstSeen } = world;
  const { events, sessions, searches, impressions } = activity;
  const batch = new AtomicBatch();
  try {
    return await withDuckDB(async (con) => {
    onStep?.('products');
    await createTableFromColumns(con, 'products', [
      { name: 'i', type: INTEGER, values: iota(shop.productCount) },
      { name: 'title', type: VARCHAR, values: shop.title },
      { name: 'leaf', type: INTEGER, values: shop.leaf },
      { name: 'brand', type: INTEGER, values: shop.brand },
      { name: 'seller', type: INTEGER, values: shop.seller },
      { name: 'price', type: DOUBLE, values: shop.price },
      { name: 'base_price', type: DOUBLE, values: shop.basePrice },
    ]);
    await createTableFromColumns(con, 'leaves', [
      { name: 'leaf', type: INTEGER, values: iota(shop.leaves.length) },
      { name: 'category_id', type: VARCHAR, values: shop.leaves.map((l) => l.categoryId) },
      { name: 'category_path', type: VARCHAR, values: shop.leaves.map((l) => l.path) },
    ]);
    await createTableFromColumns(con, 'brands', [
      { name: 'brand', type: INTEGER, values: iota(shop.brands.length) },
      { name: 'name', type: VARCHAR, values: shop.brands },
    ]);
    await copyToParquet(con, `
      SELECT CAST(p.i + 1 AS BIGINT) AS product_id, p.title, l.category_id, l.category_path, b.name AS brand,
             CAST(p.seller + 1001 AS BIGINT) AS seller_id, p.price, p.base_price
      FROM products p JOIN leaves l USING (leaf) JOIN brands b USING (brand) ORDER BY p.i`, catalog.raw.products, batch);

    onStep?.('users');
    await createTableFromColumns(con, 'users', [
      { name: 'persona', type: UTINYINT, values: users.persona },
      { name: 'first_seen', type: DOUBLE, values: firstSeen },
    ]);
    await copyToParquet(con, `
      SELECT CAST(rowid + 1 AS BIGINT) AS user_id, ${sqlList(PERSONAS)}[persona + 1] AS persona, ${timestamp('first_seen')} AS first_seen
      FROM users WHERE NOT isnan(first_seen)`, catalog.raw.users, batch);

    onStep?.('events');
    await createTableFromColumns(con, 'events', [
      { name: 'time', type: DOUBLE, values: events.time },
      { name: 'user', type: INTEGER, values: events.user },
      { name: 'session', type: INTEGER, values: events.session },
      { name: 'type', type: UTINYINT, values: events.type },
      { name: 'product', type: INTEGER, values: events.product },
      { name: 'price', type: DOUBLE, values: events.price },
      { name: 'search', type: INTEGER, values: events.search },
    ]);
    await copyToParquet(con, `
      SELECT ${timestamp('time')} AS event_time, CAST(user + 1 AS BIGINT) AS user_id, CAST(session + 1 AS VARCHAR) AS session_id,
             ${sqlList(EVENT_TYPES)}[type + 1] AS event_type,
             CAST(CASE WHEN product >= 0 THEN product + 1 END AS BIGINT) AS product_id,
             CASE WHEN product >= 0 THEN price END AS price,
             CAST(CASE WHEN search >= 0 THEN search + 1 END AS BIGINT) AS search_id
      FROM events`, catalog.raw.events, batch);
    await con.run('DROP TABLE events');

    onStep?.('impressions');
    // Search time, user and session are looked up here rather than joined in SQL, which keeps
    // the rows in generation order (search, position) without a sort.
    const bySearch = <T extends Float64Array | Int32Array>(column: T): T => {
      const out = new (column.constructor as new (n: number) => T)(impressions.search.length);
      for (let k = 0; k < out.length; k++) out[k] = column[impressions.search[k]];
      return out;
    };
    await createTableFromColumns(con, 'queries', [
      { name: 'query', type: INTEGER, values: iota(activity.queries.length) },
      { name: 'text', type: VARCHAR, values: activity.queries },
    ]);
    // Query texts by index as an ENUM, so each row looks its text up by position: a join would
    // not keep the rows in order.
    await con.run('CREATE TYPE query_text AS ENUM (SELECT text FROM queries ORDER BY query)');
    await createTableFromColumns(con, 'impressions', [
      { name: 'search', type: INTEGER, values: impressions.search },
      { name: 'time', type: DOUBLE, values: bySearch(searches.time) },
      { name: 'user', type: INTEGER, values: bySearch(searches.user) },
      { name: 'session', type: INTEGER, values: bySearch(searches.session) },
      { name: 'query', type: INTEGER, values: bySearch(searches.query) },
      { name: 'product', type: INTEGER, values: impressions.product },
      { name: 'position', type: UTINYINT, values: impressions.position },
      { name: 'clicked', type: UTINYINT, values: impressions.clicked },
      { name: 'carted', type: UTINYINT, values: impressions.carted },
      { name: 'purchased', type: UTINYINT, values: impressions.purchased },
      { name: 'p_click', type: DOUBLE, values: impressions.pClick },
      { name: 'p_cart', type: DOUBLE, values: impressions.pCart },
      { name: 'p_purchase', type: DOUBLE, values: impressions.pPurchase },
    ]);
    await copyToParquet(con, `
      SELECT CAST(i.search + 1 AS BIGINT) AS search_id, ${timestamp('i.time')} AS event_time, CAST(i.user + 1 AS BIGINT) AS user_id,
             CAST(i.session + 1 AS VARCHAR) AS session_id, CAST(enum_range(NULL::query_text)[i.query + 1] AS VARCHAR) AS query,
             CAST(i.product + 1 AS BIGINT) AS product_id,
             CAST(i.position AS INTEGER) AS position, i.clicked = 1 AS clicked, i.carted = 1 AS carted, i.purchased = 1 AS purchased
      FROM impressions i`, catalog.raw.impressions, batch);
    await copyToParquet(con, `
      SELECT CAST(search + 1 AS BIGINT) AS search_id, CAST(position AS INTEGER) AS position, p_click, p_cart, p_purchase
      FROM impressions`, catalog.raw.truthImpressions, batch);

    onStep?.('truth');
    await createTableFromColumns(con, 'sessions', [
      { name: 'intent', type: DOUBLE, values: sessions.intent },
      { name: 'p_purchase', type: DOUBLE, values: sessions.pPurchase },
    ]);
    await copyToParquet(con, `
      SELECT CAST(rowid + 1 AS VARCHAR) AS session_id, intent, p_purchase FROM sessions`, catalog.raw.truthSessions, batch);

    writeFileSync(batch.add(catalog.raw.source), `${JSON.stringify({ kind: 'synthetic', ...world.options }, null, 2)}\n`);
    batch.commit();
    return {
      products: shop.productCount,
      users: firstSeen.reduce((n, t) => (Number.isNaN(t) ? n : n + 1), 0),
      events: events.time.length,
      sessions: sessions.user.length,
      searches: searches.time.length,
      impressions: impressions.search.length,
    };
    }, options);
  } finally {
    batch.discard();
  }
}
