import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { withDuckDB } from '../io/index';
import { tempDir } from '../testing';
import { type FamilyReader, readSplit } from './data';

/** A reader of a small set: two features, a label, and extras of every kind the families read. */
const reader = (extras: Record<string, string>): FamilyReader => ({
  from: (file) => `read_parquet('${file}') x`,
  order: 'x.k',
  label: 'x.y',
  extras,
  truth: {},
  count: { examples: 'count(*)', positives: 'count(*) FILTER (WHERE x.y > 0)' },
  groupBy: 'search',
  sampleKey: 'x.k',
});

describe('readSplit', () => {
  it('reads the features, label, groups and extras in order: numbers as numbers, NULL as null, text as text', async () => {
    const file = join(tempDir(), 'set.parquet');
    const split = await withDuckDB(async (con) => {
      // Rows written out of order: the reader's order puts them right.
      await con.run(`COPY (SELECT * FROM (VALUES
          (3, 0.5, 2, 1, CAST(11 AS BIGINT), CAST(2 AS INTEGER), NULL, 'b', CAST(4.25 AS FLOAT), CAST(1 AS TINYINT)),
          (1, 1.5, NULL, 0, CAST(10 AS BIGINT), CAST(1 AS INTEGER), 0.125, 'a', CAST(-1 AS FLOAT), CAST(NULL AS TINYINT)),
          (2, -2.0, 4, 1, CAST(10 AS BIGINT), CAST(2 AS INTEGER), 0.5, NULL, CAST(0 AS FLOAT), CAST(-3 AS TINYINT))
        ) t(k, f1, f2, y, search_id, position, ctr, query, score, tiny)) TO '${file}' (FORMAT parquet)`);
      return readSplit(
        con,
        reader({
          search: 'x.search_id',
          position: 'x.position',
          ctr: 'x.ctr',
          query: 'x.query',
          score: 'x.score',
          tiny: 'x.tiny',
        }),
        file,
        { products: '' },
        ['f1', 'f2'],
      );
    });
    expect(Array.from(split.matrix.values)).toEqual([1.5, NaN, -2, 4, 0.5, 2]);
    expect(Array.from(split.labels)).toEqual([0, 1, 1]);
    expect(Array.from(split.groups!)).toEqual([2, 1]);
    expect(split.extras).toEqual({
      search: [10, 10, 11],
      position: [1, 2, 2],
      ctr: [0.125, 0.5, null],
      query: ['a', null, 'b'],
      score: [-1, 0, 4.25],
      tiny: [null, -3, 1],
    });
    // In the reader's order of extras.
    expect(Object.keys(split.extras)).toEqual(['search', 'position', 'ctr', 'query', 'score', 'tiny']);
  });

  it('refuses an integer extra a JS number cannot hold exactly, naming the value', async () => {
    const file = join(tempDir(), 'set.parquet');
    const read = withDuckDB(async (con) => {
      await con.run(
        `COPY (SELECT 1 AS k, 0.5 AS f1, 0 AS y, CAST(9007199254740993 AS BIGINT) AS search_id) TO '${file}' (FORMAT parquet)`,
      );
      return readSplit(con, reader({ search: 'x.search_id' }), file, { products: '' }, ['f1']);
    });
    await expect(read).rejects.toThrow('9007199254740993 does not fit a JS number exactly');
  });
});
