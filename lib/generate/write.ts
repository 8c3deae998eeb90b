import { writeFileSync } from 'node:fs';
import { DOUBLE, DuckDBEnumType, ENUM, INTEGER, UTINYINT, VARCHAR } from '@duckdb/node-api';
import type { DataCatalog } from '../catalog';
import { EVENT_TYPES, PERSONAS } from '../events';
import { canonicalSelect } from '../tables';
import type { World } from './world';
import {
  AtomicBatch,
  copyDaysToParquet,
  copyToParquet,
  type DuckDBOptions,
  registerColumnScan,
  typedArrayFor,
  withDuckDB,
} from '../io/index';

const iota = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
const timestamp = (ms: string) => `make_timestamp(CAST(${ms} AS BIGINT) * 1000)`;

/** Codes for an ENUM column, in the typed array of the enum's code width. */
function enumCodes(type: DuckDBEnumType, codes: ArrayLike<number>): Uint8Array | Uint16Array | Uint32Array {
  const Codes = typedArrayFor(type) as new (n: number) => Uint8Array | Uint16Array | Uint32Array;
  const out = new Codes(codes.length);
  out.set(codes);
  return out;
}

export interface WriteSummary {
  products: number;
  users: number;
  events: number;
  sessions: number;
  searches: number;
  impressions: number;
}

/**
 * Writes a generated world as the canonical Parquet tables (plus truth and source.json) under
 * `catalog.raw`, all renamed into place together. DuckDB scans the world's JS columns directly;
 * repeated text (categories, brands, event types, queries) travels as ENUM codes and is cast to
 * VARCHAR in the COPY: written as ENUM, a large dictionary came out as a corrupt Parquet file
 * (DuckDB 1.5.5, seen with 700k values).
 */
export async function writeWorld(
  world: World,
  catalog: DataCatalog,
  options: DuckDBOptions = {},
  onStep?: (step: string) => void,
): Promise<WriteSummary> {
  const { catalog: shop, users, activity, firstSeen } = world;
  const { events, sessions, searches, impressions } = activity;
  const batch = new AtomicBatch();
  try {
    return await withDuckDB(async (con) => {
      onStep?.('products');
      const leafType = ENUM(shop.leaves.map((l) => l.categoryId));
      const pathType = ENUM(shop.leaves.map((l) => l.path));
      const brandType = ENUM(shop.brands);
      registerColumnScan(con, 'products', [
        { name: 'product', type: INTEGER, values: iota(shop.productCount) },
        { name: 'title', type: VARCHAR, values: shop.title },
        { name: 'category_id', type: leafType, values: enumCodes(leafType, shop.leaf) },
        { name: 'category_path', type: pathType, values: enumCodes(pathType, shop.leaf) },
        { name: 'brand', type: brandType, values: enumCodes(brandType, shop.brand) },
        { name: 'seller', type: INTEGER, values: shop.seller },
        { name: 'price', type: DOUBLE, values: shop.price },
        { name: 'base_price', type: DOUBLE, values: shop.basePrice },
      ]);
      await copyToParquet(
        con,
        `
        SELECT ${canonicalSelect('products', {
          product_id: 'product + 1',
          title: 'title',
          category_id: 'category_id',
          category_path: 'category_path',
          brand: 'brand',
          seller_id: 'seller + 1001',
          price: 'price',
          base_price: 'base_price',
        })}
        FROM products()`,
        catalog.raw.products,
        batch,
      );

      onStep?.('users');
      const personaType = ENUM([...PERSONAS]);
      registerColumnScan(con, 'users', [
        { name: 'user', type: INTEGER, values: iota(users.count) },
        { name: 'persona', type: personaType, values: users.persona },
        { name: 'first_seen', type: DOUBLE, values: firstSeen },
      ]);
      await copyToParquet(
        con,
        `
        SELECT ${canonicalSelect('users', { user_id: 'user + 1', persona: 'persona', first_seen: timestamp('first_seen') })}
        FROM users() WHERE NOT isnan(first_seen)`,
        catalog.raw.users,
        batch,
      );

      onStep?.('events');
      const eventType = ENUM([...EVENT_TYPES]);
      registerColumnScan(con, 'events', [
        { name: 'time', type: DOUBLE, values: events.time },
        { name: 'user', type: INTEGER, values: events.user },
        { name: 'session', type: INTEGER, values: events.session },
        { name: 'type', type: eventType, values: events.type },
        { name: 'product', type: INTEGER, values: events.product },
        { name: 'price', type: DOUBLE, values: events.price },
        { name: 'search', type: INTEGER, values: events.search },
      ]);
      // Materialised once, then written a day per file (each day's rows in the world's order).
      await con.run(`CREATE TEMP TABLE world_events AS
        SELECT ${canonicalSelect('events', {
          event_time: timestamp('time'),
          user_id: 'user + 1',
          session_id: 'session + 1',
          event_type: 'type',
          product_id: 'CASE WHEN product >= 0 THEN product + 1 END',
          price: 'CASE WHEN product >= 0 THEN price END',
          search_id: 'CASE WHEN search >= 0 THEN search + 1 END',
        })}
        FROM events()`);
      await copyDaysToParquet(con, 'world_events', 'event_time', catalog.raw.eventDays, batch, { replace: true });
      await con.run('DROP TABLE world_events');

      onStep?.('impressions');
      // Search time, user, session and query per impression, looked up by search index.
      const bySearch = <T extends Float64Array | Int32Array>(column: T): T => {
        const out = new (column.constructor as new (n: number) => T)(impressions.search.length);
        for (let k = 0; k < out.length; k++) out[k] = column[impressions.search[k]];
        return out;
      };
      const queryType = ENUM(activity.queries);
      registerColumnScan(con, 'impressions', [
        { name: 'search', type: INTEGER, values: impressions.search },
        { name: 'time', type: DOUBLE, values: bySearch(searches.time) },
        { name: 'user', type: INTEGER, values: bySearch(searches.user) },
        { name: 'session', type: INTEGER, values: bySearch(searches.session) },
        { name: 'query', type: queryType, values: enumCodes(queryType, bySearch(searches.query)) },
        { name: 'product', type: INTEGER, values: impressions.product },
        { name: 'position', type: UTINYINT, values: impressions.position },
        { name: 'clicked', type: UTINYINT, values: impressions.clicked },
        { name: 'carted', type: UTINYINT, values: impressions.carted },
        { name: 'purchased', type: UTINYINT, values: impressions.purchased },
      ]);
      await copyToParquet(
        con,
        `
        SELECT ${canonicalSelect('impressions', {
          search_id: 'search + 1',
          event_time: timestamp('time'),
          user_id: 'user + 1',
          session_id: 'session + 1',
          query: 'query',
          product_id: 'product + 1',
          position: 'position',
          clicked: 'clicked = 1',
          carted: 'carted = 1',
          purchased: 'purchased = 1',
        })}
        FROM impressions()`,
        catalog.raw.impressions,
        batch,
      );

      onStep?.('truth');
      registerColumnScan(con, 'truth_impressions', [
        { name: 'search', type: INTEGER, values: impressions.search },
        { name: 'position', type: UTINYINT, values: impressions.position },
        { name: 'p_click', type: DOUBLE, values: impressions.pClick },
        { name: 'p_cart', type: DOUBLE, values: impressions.pCart },
        { name: 'p_purchase', type: DOUBLE, values: impressions.pPurchase },
      ]);
      await copyToParquet(
        con,
        `
        SELECT CAST(search + 1 AS BIGINT) AS search_id, CAST(position AS INTEGER) AS position, p_click, p_cart, p_purchase
        FROM truth_impressions()`,
        catalog.raw.truthImpressions,
        batch,
      );
      registerColumnScan(con, 'truth_sessions', [
        { name: 'session', type: INTEGER, values: iota(sessions.user.length) },
        { name: 'intent', type: DOUBLE, values: sessions.intent },
        { name: 'p_purchase', type: DOUBLE, values: sessions.pPurchase },
      ]);
      await copyToParquet(
        con,
        `SELECT CAST(session + 1 AS VARCHAR) AS session_id, intent, p_purchase FROM truth_sessions()`,
        catalog.raw.truthSessions,
        batch,
      );

      writeFileSync(
        batch.add(catalog.raw.source),
        `${JSON.stringify({ kind: 'synthetic', ...world.options }, null, 2)}\n`,
      );
      // The single events file of the layout before day files goes.
      batch.remove(catalog.raw.legacyEvents);
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
