import { describe, expect, it } from 'vitest';

import { withDuckDB } from './duckdb';
import { requireTables, tablesOn } from './tables';

describe('table contracts', () => {
  it('sees tables, temporary tables and views, and names every table a function reads that is missing', async () => {
    await withDuckDB(async (con) => {
      await con.run('CREATE TABLE events (x INTEGER)');
      await con.run('CREATE TEMP TABLE scratch (x INTEGER)');
      await con.run('CREATE VIEW products AS SELECT 1 AS product_id');
      const present = await tablesOn(con);
      for (const name of ['events', 'scratch', 'products']) expect(present.has(name), name).toBe(true);
      await expect(
        requireTables(con, 'f', { reads: ['events', 'products', 'scratch'], writes: [] }),
      ).resolves.toBeUndefined();
      await expect(
        requireTables(con, 'buildIt', { reads: ['events', 'sessions', 'impressions'], writes: ['out'] }),
      ).rejects.toThrow(
        'buildIt reads tables events, sessions, impressions on its connection; missing: sessions, impressions',
      );
    });
  });
});
