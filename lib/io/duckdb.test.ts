import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { MEMORY_LIMIT_ENV, SPILL_DIR_ENV } from '../resources';
import { savedEnv, tempDir } from '../testing';
import { DOUBLE, INTEGER, VARCHAR } from '@duckdb/node-api';
import { queryRows, registerColumnScan, registerSegmentScan, withDuckDB } from './duckdb';

describe('DuckDB memory', () => {
  afterEach(savedEnv(MEMORY_LIMIT_ENV, SPILL_DIR_ENV));

  it('takes the memory limit and spill directory a stage set, and spills a sort larger than the limit there', async () => {
    const spill = join(tempDir('shoplab-spill-'), 'data', '.tmp', 'duckdb');
    process.env[MEMORY_LIMIT_ENV] = '64MiB';
    process.env[SPILL_DIR_ENV] = spill;
    const { settings, total, spilled } = await withDuckDB(async (con) => {
      const [settings] = await queryRows(
        con,
        `SELECT current_setting('memory_limit') AS memory, current_setting('temp_directory') AS temp`,
      );
      // 3 million rows sorted with 40 bytes of padding each: about twice the limit.
      const n = 3_000_000;
      const [row] = await queryRows(
        con,
        `SELECT sum(rn)::BIGINT AS total FROM (SELECT row_number() OVER (ORDER BY hash(i), pad) AS rn
           FROM (SELECT i, repeat('x', 40) AS pad FROM range(${n}) t(i)))`,
      );
      return { settings, total: row.total, spilled: existsSync(spill) };
    });
    expect(settings).toEqual({ memory: '64.0 MiB', temp: spill });
    // 1 + 2 + … + n, by hand.
    expect(BigInt(total as bigint)).toBe(BigInt((3_000_000 * 3_000_001) / 2));
    expect(spilled).toBe(true);
  });

  it("gives a caller's own limit before the stage's", async () => {
    process.env[MEMORY_LIMIT_ENV] = '2GB';
    const [row] = await withDuckDB((con) => queryRows(con, `SELECT current_setting('memory_limit') AS memory`), {
      memoryLimit: '300MB',
    });
    expect(row.memory).toBe('286.1 MiB');
  });
});

describe('column scans', () => {
  it('reads segments of typed and plain columns as one table: selected rows, looked-up values, across vectors', async () => {
    // Two segments of 3,000 rows each (the first with rows picked backwards), so vectors of 2,048
    // rows span the boundary; `label` looks values up through `at`.
    const n = 3000;
    const ids = (offset: number) => Int32Array.from({ length: n }, (_, i) => offset + i);
    const labels = ['zero', 'one', 'two'];
    const codes = Float64Array.of(0.5, 1.5, 2.5);
    const segment = (offset: number) => [
      { name: 'id', type: INTEGER, values: ids(offset) },
      { name: 'code', type: DOUBLE, values: codes, at: Int32Array.from({ length: n }, (_, i) => (offset + i) % 3) },
      { name: 'label', type: VARCHAR, values: labels, at: Int32Array.from({ length: n }, (_, i) => (offset + i) % 3) },
    ];
    const backwards = Int32Array.from({ length: n }, (_, i) => n - 1 - i);
    const rows = await withDuckDB(async (con) => {
      registerSegmentScan(con, 'parts', [{ columns: segment(0), rows: backwards }, { columns: segment(n) }]);
      return queryRows(con, 'SELECT id, code, label FROM parts()');
    });
    const expected = [...Array.from(backwards), ...Array.from(ids(n))].map((id) => ({
      id,
      code: [0.5, 1.5, 2.5][id % 3],
      label: ['zero', 'one', 'two'][id % 3],
    }));
    expect(rows).toEqual(expected);
  });

  it('refuses segments whose columns differ, and a typed array of the wrong width', async () => {
    await withDuckDB(async (con) => {
      const a = [{ name: 'id', type: INTEGER, values: Int32Array.of(1) }];
      const b = [{ name: 'id', type: DOUBLE, values: Float64Array.of(1) }];
      expect(() => registerSegmentScan(con, 'bad', [{ columns: a }, { columns: b }])).toThrow(
        /segment 1's column 0 is id DOUBLE, expected id INTEGER/,
      );
      expect(() =>
        registerColumnScan(con, 'worse', [{ name: 'id', type: INTEGER, values: Float64Array.of(1) }]),
      ).toThrow(/a Float64Array cannot fill a INTEGER column/);
    });
  });
});
