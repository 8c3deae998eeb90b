import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { withDuckDB } from '../io/index';
import { tempDir } from '../testing';
import { loadExamples } from './load';
import { productIndex } from './products';

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
      { session: 's-z', user: 5, asOf: Date.UTC(2024, 0, 1), targets: [0, 0, 1, 2] },
      { session: 's-a', user: 8, asOf: Date.UTC(2024, 0, 2), targets: [1] },
      { session: 's-b', user: 7, asOf: Date.UTC(2024, 0, 2), targets: [2, 0] },
    ]);
  });

  it('names the missing file and the stage that writes it', async () => {
    const products = productIndex([]);
    await expect(
      withDuckDB((con) => loadExamples(con, '/nonexistent/recommend_test.parquet', products)),
    ).rejects.toThrow('/nonexistent/recommend_test.parquet: no such file; run pipelines/features.ts first');
  });
});
