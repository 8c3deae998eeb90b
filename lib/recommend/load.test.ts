import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { EVENT_TYPES } from '../events';
import { withDuckDB } from '../io/index';
import { tempDir } from '../testing';
import { loadExamples, loadInteractions } from './load';
import { productIndex } from './products';

describe('loadInteractions', () => {
  it('reads events by session number (session_id order), then time, funnel step and product, nulls first', async () => {
    const dir = tempDir();
    const events = join(dir, 'events.parquet');
    const sessions = join(dir, 'sessions.parquet');
    // Products 10 and 20 are dense indices 0 and 1 (in id order); 99 is not in the catalogue.
    const products = productIndex(
      [20, 10].map((id) => ({ product_id: id, category_id: null, category_path: null, price: null })),
    );
    const x = await withDuckDB(async (con) => {
      // Rows out of order. Session 'b' (number 1): at 10:00 a purchase, a view of 20, a view of 10, a
      // search (no product) and a click, all at once; a view at 09:00. Session 'a' (number 0): an
      // anonymous user's views of 99 and 10 at 08:00, and a cart at 07:00.
      await con.run(`COPY (SELECT * FROM (VALUES
          (TIMESTAMP '2024-01-01 10:00:00', 5, 'b', 'purchase', 10, 1.0, NULL),
          (TIMESTAMP '2024-01-01 08:00:00', NULL, 'a', 'view', 99, 2.0, NULL),
          (TIMESTAMP '2024-01-01 10:00:00', 5, 'b', 'view', 20, 3.0, NULL),
          (TIMESTAMP '2024-01-01 10:00:00', 5, 'b', 'view', 10, 3.0, NULL),
          (TIMESTAMP '2024-01-01 10:00:00', 5, 'b', 'search', NULL, NULL, 'q1'),
          (TIMESTAMP '2024-01-01 09:00:00', 5, 'b', 'view', 20, 3.0, NULL),
          (TIMESTAMP '2024-01-01 10:00:00', 5, 'b', 'click', 10, 3.0, NULL),
          (TIMESTAMP '2024-01-01 08:00:00', NULL, 'a', 'view', 10, 2.0, NULL),
          (TIMESTAMP '2024-01-01 07:00:00', NULL, 'a', 'add_to_cart', 10, 2.0, NULL)
        ) t(event_time, user_id, session_id, event_type, product_id, price, search_id)) TO '${events}' (FORMAT parquet)`);
      await con.run(`COPY (SELECT * FROM (VALUES ('b', TIMESTAMP '2024-01-01 09:00:00'), ('a', TIMESTAMP '2024-01-01 07:00:00'))
        t(session_id, start_time)) TO '${sessions}' (FORMAT parquet)`);
      return loadInteractions(con, events, sessions, products);
    });
    const hour = (h: number) => Date.UTC(2024, 0, 1, h);
    const code = (t: string) => EVENT_TYPES.indexOf(t as never);
    expect({ ...x }).toEqual({
      time: Float64Array.from([7, 8, 8, 9, 10, 10, 10, 10, 10].map(hour)),
      user: Float64Array.from([NaN, NaN, NaN, 5, 5, 5, 5, 5, 5]),
      session: Int32Array.from([0, 0, 0, 1, 1, 1, 1, 1, 1]),
      type: Uint8Array.from(
        ['add_to_cart', 'view', 'view', 'view', 'search', 'view', 'view', 'click', 'purchase'].map(code),
      ),
      product: Int32Array.from([0, 0, -1, 1, -1, 0, 1, 0, 0]),
    });
  });
});

describe('loadExamples', () => {
  it('reads examples in (as_of, session) order, targets as dense indices in their order, the empty dropped', async () => {
    const path = join(tempDir(), 'recommend_valid.parquet');
    // Products 10, 20, 30 are the catalogue's dense indices 0, 1, 2; 99 is not in it.
    const products = productIndex(
      [30, 10, 20].map((id) => ({ product_id: id, category_id: null, category_path: null, price: null })),
    );
    const examples = await withDuckDB(async (con) => {
      await con.run(`COPY (SELECT * FROM (VALUES
          ('s-b', 7, TIMESTAMP '2024-01-02 00:00:00', [30, 99, 10]),
          ('s-a', 8, TIMESTAMP '2024-01-02 00:00:00', [20]),
          ('s-0', 9, TIMESTAMP '2024-01-01 12:00:00', [99]),
          ('s-z', 5, TIMESTAMP '2024-01-01 00:00:00', [10, 10, 20, 30])
        ) t(session_id, user_id, as_of, targets)) TO '${path}' (FORMAT parquet)`);
      return loadExamples(con, path, products);
    });
    expect(examples).toEqual([
      { user: 5, asOf: Date.UTC(2024, 0, 1), targets: [0, 0, 1, 2] },
      { user: 8, asOf: Date.UTC(2024, 0, 2), targets: [1] },
      { user: 7, asOf: Date.UTC(2024, 0, 2), targets: [2, 0] },
    ]);
  });

  it('names the missing file and the stage that writes it', async () => {
    const products = productIndex([]);
    await expect(
      withDuckDB((con) => loadExamples(con, '/nonexistent/recommend_test.parquet', products)),
    ).rejects.toThrow('/nonexistent/recommend_test.parquet: no such file; run pipelines/features.ts first');
  });
});
