import { writeFileSync } from 'node:fs';
import { DOUBLE, DuckDBEnumType, ENUM, INTEGER, UTINYINT, VARCHAR } from '@duckdb/node-api';
import type { DataCatalog } from '../catalog';
import { EVENT_TYPES, PERSONAS } from '../events';
import { canonicalSelect } from '../tables';
import type { World } from './world';
import {
  AtomicBatch,
  copyToParquetFile,
  dayFile,
  emptyDayFile,
  rowsByDay,
  type DuckDBOptions,
  registerColumnScan,
  registerSegmentScan,
  type ScanSegment,
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
  const { shards, searches } = activity;
  const batch = new AtomicBatch();
  try {
    return await withDuckDB(async (con, instance) => {
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
      const personaType = ENUM([...PERSONAS]);
      registerColumnScan(con, 'users', [
        { name: 'user', type: INTEGER, values: iota(users.count) },
        { name: 'persona', type: personaType, values: users.persona },
        { name: 'first_seen', type: DOUBLE, values: firstSeen },
      ]);

      // Events: a file per day, each day's rows in the world's order, gathered shard by shard.
      const eventType = ENUM([...EVENT_TYPES]);
      const eventColumns = ({ events }: (typeof shards)[number]) => [
        { name: 'time', type: DOUBLE, values: events.time },
        { name: 'user', type: INTEGER, values: events.user },
        { name: 'session', type: INTEGER, values: events.session },
        { name: 'type', type: eventType, values: events.type },
        { name: 'product', type: INTEGER, values: events.product },
        { name: 'price', type: DOUBLE, values: events.price },
        { name: 'search', type: INTEGER, values: events.search },
      ];
      const segmentsByDay = new Map<string, ScanSegment[]>();
      for (const shard of shards) {
        for (const { day, rows } of rowsByDay(shard.events.time)) {
          if (!segmentsByDay.has(day)) segmentsByDay.set(day, []);
          segmentsByDay.get(day)!.push({ columns: eventColumns(shard), rows });
        }
      }
      const days = [...segmentsByDay.keys()].sort();
      days.forEach((day, k) => registerSegmentScan(con, `events_${k}`, segmentsByDay.get(day)!));
      if (days.length === 0)
        registerSegmentScan(con, 'events_none', [{ columns: eventColumns(shards[0]), rows: new Int32Array(0) }]);
      const eventSelect = (scan: string) => `
        SELECT ${canonicalSelect('events', {
          event_time: timestamp('time'),
          user_id: 'user + 1',
          session_id: 'session + 1',
          event_type: 'type',
          product_id: 'CASE WHEN product >= 0 THEN product + 1 END',
          price: 'CASE WHEN product >= 0 THEN price END',
          search_id: 'CASE WHEN search >= 0 THEN search + 1 END',
        })}
        FROM ${scan}()`;
      const eventDays = batch.addDir(catalog.raw.eventDays);

      // Impressions, with their search's time, user, session and query looked up by search index.
      const queryType = ENUM(activity.queries);
      const queryCodes = enumCodes(queryType, searches.query);
      registerSegmentScan(
        con,
        'impressions',
        shards.map(({ impressions }) => {
          const bySearch = { at: impressions.search };
          return {
            columns: [
              { name: 'search', type: INTEGER, values: impressions.search },
              { name: 'time', type: DOUBLE, values: searches.time, ...bySearch },
              { name: 'user', type: INTEGER, values: searches.user, ...bySearch },
              { name: 'session', type: INTEGER, values: searches.session, ...bySearch },
              { name: 'query', type: queryType, values: queryCodes, ...bySearch },
              { name: 'product', type: INTEGER, values: impressions.product },
              { name: 'position', type: UTINYINT, values: impressions.position },
              { name: 'clicked', type: UTINYINT, values: impressions.clicked },
              { name: 'carted', type: UTINYINT, values: impressions.carted },
              { name: 'purchased', type: UTINYINT, values: impressions.purchased },
            ],
          };
        }),
      );
      registerSegmentScan(
        con,
        'truth_impressions',
        shards.map(({ impressions }) => ({
          columns: [
            { name: 'search', type: INTEGER, values: impressions.search },
            { name: 'position', type: UTINYINT, values: impressions.position },
            { name: 'p_click', type: DOUBLE, values: impressions.pClick },
            { name: 'p_cart', type: DOUBLE, values: impressions.pCart },
            { name: 'p_purchase', type: DOUBLE, values: impressions.pPurchase },
          ],
        })),
      );
      let firstSession = 0;
      registerSegmentScan(
        con,
        'truth_sessions',
        shards.map(({ sessions }) => {
          const session = Int32Array.from({ length: sessions.user.length }, (_, i) => firstSession + i);
          firstSession += session.length;
          return {
            columns: [
              { name: 'session', type: INTEGER, values: session },
              { name: 'intent', type: DOUBLE, values: sessions.intent },
              { name: 'p_purchase', type: DOUBLE, values: sessions.pPurchase },
            ],
          };
        }),
      );

      // Every file is one COPY from one scan, and they run two at a time on two connections (a
      // scan feeds its COPY on one thread), the longest first: the files are the same whatever
      // the order.
      const tasks: { step?: string; select: string; path: string }[] = [
        {
          step: 'impressions',
          select: `SELECT ${canonicalSelect('impressions', {
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
          path: batch.add(catalog.raw.impressions),
        },
        {
          step: 'truth',
          select: `SELECT CAST(search + 1 AS BIGINT) AS search_id, CAST(position AS INTEGER) AS position, p_click, p_cart, p_purchase
            FROM truth_impressions()`,
          path: batch.add(catalog.raw.truthImpressions),
        },
        ...days.map((day, k) => ({
          step: k === 0 ? `events (${days.length} days)` : undefined,
          select: eventSelect(`events_${k}`),
          path: dayFile(eventDays, day),
        })),
        ...(days.length === 0 ? [{ select: `${eventSelect('events_none')}`, path: emptyDayFile(eventDays) }] : []),
        {
          step: 'products and users',
          select: `SELECT ${canonicalSelect('products', {
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
          path: batch.add(catalog.raw.products),
        },
        {
          select: `SELECT ${canonicalSelect('users', { user_id: 'user + 1', persona: 'persona', first_seen: timestamp('first_seen') })}
            FROM users() WHERE NOT isnan(first_seen)`,
          path: batch.add(catalog.raw.users),
        },
        {
          select: `SELECT CAST(session + 1 AS VARCHAR) AS session_id, intent, p_purchase FROM truth_sessions()`,
          path: batch.add(catalog.raw.truthSessions),
        },
      ];
      const second = await instance.connect();
      try {
        let next = 0;
        // Both connections finish what they run before either closes; the first error stops the rest.
        const runs = await Promise.allSettled(
          [con, second].map(async (connection) => {
            while (next < tasks.length) {
              const task = tasks[next++];
              if (task.step) onStep?.(task.step);
              try {
                await copyToParquetFile(connection, task.select, task.path);
              } catch (error) {
                next = tasks.length;
                throw error;
              }
            }
          }),
        );
        for (const run of runs) if (run.status === 'rejected') throw run.reason;
      } finally {
        second.closeSync();
      }

      writeFileSync(
        batch.add(catalog.raw.source),
        `${JSON.stringify({ kind: 'synthetic', ...world.options }, null, 2)}\n`,
      );
      // The single events file of the layout before day files goes.
      batch.remove(catalog.raw.legacyEvents);
      batch.commit();
      const total = (count: (shard: (typeof shards)[number]) => number) => shards.reduce((n, s) => n + count(s), 0);
      return {
        products: shop.productCount,
        users: firstSeen.reduce((n, t) => (Number.isNaN(t) ? n : n + 1), 0),
        events: total((s) => s.events.time.length),
        sessions: total((s) => s.sessions.user.length),
        searches: searches.time.length,
        impressions: total((s) => s.impressions.search.length),
      };
    }, options);
  } finally {
    batch.discard();
  }
}
