import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { dataCatalog } from '../catalog';
import { queryRows, sqlString, withDuckDB } from '../io/index';
import { RAW_TABLES } from '../tables';
import { runStageScript, tableFromRows, tempDir } from '../testing';
import { DEFAULT_FEATURE_OPTIONS, queryProductFeatures } from './index';
import type { RankCandidate } from './manifest';

/**
 * Golden values: the ranking features of a log small enough to compute by hand, through the real
 * stages (sessionize, split, features), next to the leakage and parity properties tested on
 * generated worlds. Twenty days: train is Jan 1–14, valid Jan 15–17, test Jan 18–21 (70/15/15 of
 * the time range). The query 'red shoe' is searched six times; history is frozen at each split's
 * start, so the valid search sees days before Jan 15 and the test search days before Jan 18.
 *
 *   day  split  shown (position order)  clicked
 *    2   train  1, 2                    1
 *    5   train  1, 2                    1
 *    9   train  2, 1                    —
 *   12   train  1, 3                    3
 *   16   valid  1, 2                    1
 *   19   test   1, 2, 3                 2
 *
 * Products 1 ('red running shoe') and 2 ('blue running shoe') are shoes, 3 ('red hat') a hat.
 */
const data = join(tempDir('shoplab-golden-'), 'data');
const catalog = dataCatalog(data);
const at = (day: number, hour = 10) => new Date(Date.UTC(2026, 0, day, hour));
const SEARCHES = [
  { id: 1, day: 2, shown: [1, 2], clicked: [1] },
  { id: 2, day: 5, shown: [1, 2], clicked: [1] },
  { id: 3, day: 9, shown: [2, 1], clicked: [] },
  { id: 4, day: 12, shown: [1, 3], clicked: [3] },
  { id: 5, day: 16, shown: [1, 2], clicked: [1] },
  { id: 6, day: 19, shown: [1, 2, 3], clicked: [2] },
];

let rows: Record<number, Record<number, Record<string, number | null>>>;

beforeAll(async () => {
  mkdirSync(catalog.raw.dir, { recursive: true });
  const events = [
    // The first and last events fix the time range: Jan 1 00:00 to Jan 21 00:00.
    { event_time: at(1, 0), user_id: 2, session_id: 'first', event_type: 'view', product_id: 2, price: 40 },
    { event_time: at(21, 0), user_id: 2, session_id: 'last', event_type: 'view', product_id: 3, price: 20 },
    ...SEARCHES.flatMap((s) => [
      { event_time: at(s.day), user_id: 1, session_id: `s${s.id}`, event_type: 'search', search_id: s.id },
      ...s.clicked.map((p) => ({
        event_time: new Date(at(s.day).getTime() + 30_000),
        user_id: 1,
        session_id: `s${s.id}`,
        event_type: 'click',
        product_id: p,
        search_id: s.id,
      })),
    ]),
  ];
  await withDuckDB(async (con) => {
    await tableFromRows(con, 'products', RAW_TABLES.products, [
      {
        product_id: 1,
        title: 'red running shoe',
        category_id: 'shoes',
        category_path: 'shoes',
        brand: 'acme',
        seller_id: 1,
        price: 50,
        base_price: 50,
      },
      {
        product_id: 2,
        title: 'blue running shoe',
        category_id: 'shoes',
        category_path: 'shoes',
        brand: 'acme',
        seller_id: 1,
        price: 40,
        base_price: 40,
      },
      {
        product_id: 3,
        title: 'red hat',
        category_id: 'hats',
        category_path: 'hats',
        brand: 'hatco',
        seller_id: 2,
        price: 20,
        base_price: 20,
      },
    ]);
    await tableFromRows(con, 'users', RAW_TABLES.users, [
      { user_id: 1, persona: null, first_seen: at(2) },
      { user_id: 2, persona: null, first_seen: at(1, 0) },
    ]);
    await tableFromRows(con, 'events', RAW_TABLES.events, events);
    await tableFromRows(
      con,
      'impressions',
      RAW_TABLES.impressions,
      SEARCHES.flatMap((s) =>
        s.shown.map((p, i) => ({
          search_id: s.id,
          event_time: at(s.day),
          user_id: 1,
          session_id: `s${s.id}`,
          query: 'red shoe',
          product_id: p,
          position: i + 1,
          clicked: s.clicked.includes(p),
          carted: false,
          purchased: false,
        })),
      ),
    );
    for (const table of ['products', 'users', 'events', 'impressions']) {
      await con.run(`COPY ${table} TO ${sqlString(join(catalog.raw.dir, `${table}.parquet`))} (FORMAT parquet)`);
    }
  });
  writeFileSync(
    catalog.raw.source,
    `${JSON.stringify({ kind: 'hand-made', note: 'lib/features/golden.e2e.test.ts' })}\n`,
  );
  for (const stage of ['sessionize', 'split', 'features']) {
    const run = runStageScript(stage, ['--data', data]);
    expect(run.status, run.stderr).toBe(0);
  }
  rows = {};
  await withDuckDB(async (con) => {
    for (const split of ['train', 'valid', 'test']) {
      for (const r of await queryRows(
        con,
        `SELECT * FROM read_parquet(${sqlString(catalog.features.set('ranking', split))})`,
      )) {
        const search = Number(r.search_id);
        rows[search] ??= {};
        rows[search][Number(r.product_id)] = Object.fromEntries(
          Object.entries(r).map(([k, v]) => [k, v === null || typeof v === 'string' ? null : Number(v)]),
        );
      }
    }
  });
}, 300_000);

const m = DEFAULT_FEATURE_OPTIONS.smoothing; // 20 pseudo-impressions

describe('golden ranking features on a hand-made log', () => {
  it('the test search sees every earlier search, valid ones included, and not itself (history frozen at Jan 18)', () => {
    const test = rows[6];
    // Pairs before Jan 18: product 1 shown 5 times, clicked 3; product 2 shown 4 times, never clicked; product 3 shown once, clicked.
    expect([test[1].pair_impressions, test[2].pair_impressions, test[3].pair_impressions]).toEqual([5, 4, 1]);
    // 'red shoe' on shoes: 9 impressions, 3 clicks; on hats: 1 and 1.
    expect(test[1].query_category_ctr).toBeCloseTo(3 / 9, 6);
    expect(test[3].query_category_ctr).toBeCloseTo(1, 6);
    // Smoothed pair CTR: (clicks + 20 × category rate) / (impressions + 20).
    expect(test[1].pair_ctr).toBeCloseTo((3 + m * (3 / 9)) / (5 + m), 6);
    expect(test[2].pair_ctr).toBeCloseTo((0 + m * (3 / 9)) / (4 + m), 6);
    expect(test[3].pair_ctr).toBeCloseTo((1 + m * 1) / (1 + m), 6);
    expect([test[1].shown_position, test[2].shown_position, test[3].shown_position]).toEqual([1, 2, 3]);
  });

  it('the valid search sees only the training days (history frozen at Jan 15)', () => {
    const valid = rows[5];
    // Before Jan 15: product 1 shown 4 times and clicked twice; 'red shoe' on shoes 7 impressions, 2 clicks.
    expect(valid[1].pair_impressions).toBe(4);
    expect(valid[1].pair_ctr).toBeCloseTo((2 + m * (2 / 7)) / (4 + m), 6);
    expect(valid[2].pair_ctr).toBeCloseTo((0 + m * (2 / 7)) / (3 + m), 6);
  });

  it('product click counts fall in their trailing windows before the snapshot', () => {
    // Product 1's clicks: Jan 2, 5 and 16. Before Jan 18: one in the last 7 days, three in 28, none the day before.
    expect([rows[6][1].clicks_1d, rows[6][1].clicks_7d, rows[6][1].clicks_28d]).toEqual([0, 1, 3]);
    // Before Jan 15 (the valid search): none in 7 days (Jan 8–14), two in 28.
    expect([rows[5][1].clicks_7d, rows[5][1].clicks_28d]).toEqual([0, 2]);
  });

  it('title overlap with the query: shared tokens and their share of the query', () => {
    const test = rows[6];
    expect([test[1].token_overlap, test[2].token_overlap, test[3].token_overlap]).toEqual([2, 1, 1]);
    expect([test[1].token_overlap_share, test[2].token_overlap_share, test[3].token_overlap_share]).toEqual([
      1, 0.5, 0.5,
    ]);
  });

  it("serving's expressions give the same golden values from the same counts", () => {
    const serve = Object.fromEntries(queryProductFeatures(DEFAULT_FEATURE_OPTIONS).map((s) => [s.name, s.serve!]));
    const candidate = (over: Partial<RankCandidate>): RankCandidate => ({
      position: 1,
      pair: null,
      queryCategory: null,
      tfidfCosine: 0,
      tokenOverlap: 0,
      queryTokens: 2,
      userEvents: null,
      userCategoryEvents: null,
      price: null,
      meanViewedPrice: null,
      ...over,
    });
    const product1 = candidate({ pair: [5, 3, 0], queryCategory: [9, 3, 0], tokenOverlap: 2 });
    expect(serve.pair_ctr(product1)).toBeCloseTo((3 + m * (3 / 9)) / (5 + m), 12);
    expect(serve.pair_impressions(product1)).toBe(5);
    expect(serve.query_category_ctr(product1)).toBeCloseTo(3 / 9, 12);
    expect(serve.token_overlap_share(product1)).toBe(1);
    // Never shown, category never shown for the query: the smoothed rate is 0, the category rate missing.
    const unseen = candidate({ position: 3 });
    expect([
      serve.pair_ctr(unseen),
      serve.pair_impressions(unseen),
      serve.query_category_ctr(unseen),
      serve.shown_position(unseen),
    ]).toEqual([0, 0, null, 3]);
  });
});
