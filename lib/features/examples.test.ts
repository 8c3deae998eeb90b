import { describe, expect, it } from 'vitest';
import { queryRows, withDuckDB } from '../io/index';
import { computeCutoffs } from '../split/index';
import { EVENT_COLUMNS, tableFromRows } from '../testing';
import { createPurchaseExamples, purchaseCutsSql } from './examples';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 5, 10, 0, seconds));

describe('purchase examples', () => {
  it("count a prefix's events and distinct products by hand: peers at the cut's time in, repeats and searches not products", async () => {
    const event = (session: string, seconds: number, type: string, product: number | null) => ({
      event_time: at(seconds),
      user_id: 1,
      session_id: session,
      event_type: type,
      product_id: product,
      price: product === null ? null : 10,
    });
    const rows = await withDuckDB(async (con) => {
      await tableFromRows(con, 'events', EVENT_COLUMNS, [
        // s1, in EVENT_ORDER: 1 view p1 (0 s); 2 view p1, 3 view p2, 4 click p2 (all at 1 s); 5 search
        // (2 s); 6 view p3; 7 cart p1; 8 purchase p1.
        event('s1', 0, 'view', 1),
        event('s1', 1, 'click', 2),
        event('s1', 1, 'view', 2),
        event('s1', 1, 'view', 1),
        event('s1', 2, 'search', null),
        event('s1', 3, 'view', 3),
        event('s1', 4, 'add_to_cart', 1),
        event('s1', 5, 'purchase', 1),
        // s2: p7 twice at its first time, then one more event and no purchase.
        event('s2', 0, 'view', 7),
        event('s2', 0, 'view', 7),
        event('s2', 9, 'view', 8),
      ]);
      await tableFromRows(con, 'session_splits', { session_id: 'VARCHAR', split: 'VARCHAR' }, [
        { session_id: 's1', split: 'train' },
        { session_id: 's2', split: 'train' },
      ]);
      await con.run(`CREATE TABLE purchase_cuts AS ${purchaseCutsSql()}`);
      await createPurchaseExamples(con, computeCutoffs(at(0).getTime(), at(0).getTime() + 10 * 86_400_000), 'frozen');
      return queryRows(
        con,
        `SELECT session_id, cut, label, events, products, views, clicks, searches
        FROM purchase_examples JOIN purchase_prefixes USING (session_id, cut) ORDER BY session_id, cut`,
      );
    });
    expect(rows).toEqual([
      { session_id: 's1', cut: 1, label: 1, events: 1, products: 1, views: 1, clicks: 0, searches: 0 },
      { session_id: 's1', cut: 3, label: 1, events: 4, products: 2, views: 3, clicks: 1, searches: 0 },
      { session_id: 's1', cut: 5, label: 1, events: 5, products: 2, views: 3, clicks: 1, searches: 1 },
      { session_id: 's2', cut: 1, label: 0, events: 2, products: 1, views: 2, clicks: 0, searches: 0 },
    ]);
  });
});
