import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { MEMORY_LIMIT_ENV, SPILL_DIR_ENV } from '../resources';
import { savedEnv, tempDir } from '../testing';
import { queryRows, withDuckDB } from './duckdb';

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
