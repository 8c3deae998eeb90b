import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { tempDir } from '../testing';
import { AtomicBatch, queryRows, withDuckDB } from './duckdb';
import { copyDaysToParquet, dayFiles, daysGlob, isDaysFolder, rowsByDay, splitIntoDays } from './days';
import { tableExists, tableSha256 } from './fingerprint';

// Rows out of time order, over three UTC days (one row a minute before midnight, one at it).
const ROWS = `SELECT * FROM (VALUES
  (1, TIMESTAMP '2026-03-02 10:00:00'), (2, TIMESTAMP '2026-03-01 23:59:00'), (3, TIMESTAMP '2026-03-02 00:00:00'),
  (4, TIMESTAMP '2026-03-01 08:00:00'), (5, TIMESTAMP '2026-03-04 12:00:00')) t(id, ts)`;

describe('day-partitioned tables', () => {
  it('writes a file per UTC day, rows in their order; the glob reads them back day by day', async () => {
    const dir = join(tempDir('shoplab-days-'), 'events');
    const read = await withDuckDB(async (con) => {
      await con.run(`CREATE TABLE rows AS ${ROWS}`);
      const batch = new AtomicBatch();
      const days = await copyDaysToParquet(con, 'rows', 'ts', dir, batch, { replace: true });
      expect(readdirSync(dir + '.tmp-' + process.pid).sort()).toHaveLength(3);
      batch.commit();
      return { days, ids: await queryRows(con, `SELECT id FROM read_parquet('${daysGlob(dir)}')`) };
    });
    expect(read.days).toEqual(['2026-03-01', '2026-03-02', '2026-03-04']);
    expect(dayFiles(dir).map((d) => d.day)).toEqual(read.days);
    expect(read.ids.map((r) => r.id)).toEqual([2, 4, 1, 3, 5]);
    expect(tableExists(daysGlob(dir))).toBe(true);
  });

  it('replaces the folder whole, or only the days written; an empty table leaves the empty marker', async () => {
    const dir = join(tempDir('shoplab-days-'), 'events');
    await withDuckDB(async (con) => {
      await con.run(`CREATE TABLE rows AS ${ROWS}`);
      const write = async (where: string, replace: boolean, orderBy?: string) => {
        const batch = new AtomicBatch();
        await copyDaysToParquet(con, `(SELECT * FROM rows WHERE ${where})`, 'ts', dir, batch, { replace, orderBy });
        batch.commit();
      };
      await write('true', true);
      const before = dayFiles(dir).map((d) => tableSha256(d.path));
      const whole = tableSha256(daysGlob(dir));
      // A later day added: the earlier days' files stay byte for byte.
      await con.run(
        `INSERT INTO rows VALUES (6, TIMESTAMP '2026-03-05 01:00:00'), (7, TIMESTAMP '2026-03-04 13:00:00')`,
      );
      await write(`ts >= TIMESTAMP '2026-03-04'`, false, 'id DESC');
      expect(dayFiles(dir).map((d) => d.day)).toEqual(['2026-03-01', '2026-03-02', '2026-03-04', '2026-03-05']);
      expect(
        dayFiles(dir)
          .slice(0, 2)
          .map((d) => tableSha256(d.path)),
      ).toEqual(before.slice(0, 2));
      expect(tableSha256(daysGlob(dir))).not.toBe(whole);
      const [day4] = await queryRows(
        con,
        `SELECT list(id) AS ids FROM read_parquet('${join(dir, '2026-03-04.parquet')}')`,
      );
      expect(day4.ids).toEqual([7, 5]);
      // Replaced whole by one day: the others go.
      await write(`id = 4`, true);
      expect(dayFiles(dir).map((d) => d.day)).toEqual(['2026-03-01']);
      await write('false', true);
      expect(readdirSync(dir)).toEqual(['empty.parquet']);
      expect(isDaysFolder(dir)).toBe(true);
      const [empty] = await queryRows(con, `SELECT count(*) AS n FROM read_parquet('${daysGlob(dir)}')`);
      expect(empty.n).toBe(0);
    });
    expect(readdirSync(join(dir, '..'))).toEqual(['events']);
  });

  it("splits an older single file into the day files, in the file's order, and removes it", async () => {
    const base = tempDir('shoplab-days-');
    const file = join(base, 'events.parquet');
    const dir = join(base, 'events');
    await withDuckDB((con) => con.run(`COPY (${ROWS}) TO '${file}' (FORMAT parquet)`));
    expect(await splitIntoDays(file, 'ts', dir)).toBe(true);
    expect(existsSync(file)).toBe(false);
    expect(dayFiles(dir).map((d) => d.day)).toEqual(['2026-03-01', '2026-03-02', '2026-03-04']);
    const ids = await withDuckDB((con) => queryRows(con, `SELECT id FROM read_parquet('${daysGlob(dir)}')`));
    expect(ids.map((r) => r.id)).toEqual([2, 4, 1, 3, 5]);
    // Nothing to do the second time.
    expect(await splitIntoDays(file, 'ts', dir)).toBe(false);
  });

  it('refuses rows without a time, and leaves nothing when the batch is discarded', async () => {
    const dir = join(tempDir('shoplab-days-'), 'events');
    await withDuckDB(async (con) => {
      const batch = new AtomicBatch();
      await expect(
        copyDaysToParquet(con, `(SELECT 1 AS id, NULL::TIMESTAMP AS ts)`, 'ts', dir, batch, { replace: true }),
      ).rejects.toThrow('1 rows have no ts');
      batch.discard();
    });
    expect(readdirSync(join(dir, '..'))).toEqual([]);
    expect(tableExists(daysGlob(dir))).toBe(false);
    writeFileSync(join(dir, '..', 'x.parquet'), '');
    expect(tableExists(join(dir, '..', 'x.parquet'))).toBe(true);
  });
});

describe('rowsByDay', () => {
  it("groups epoch-millisecond times by UTC day, each day's rows in their order", () => {
    const ms = (iso: string) => Date.parse(iso);
    const times = Float64Array.of(
      ms('2026-03-02T10:00:00Z'),
      ms('2026-03-01T23:59:59.999Z'),
      ms('2026-03-02T00:00:00Z'),
      ms('2026-03-01T08:00:00Z'),
      ms('2026-03-04T12:00:00Z'),
      // Half a millisecond before midnight is written as midnight (DuckDB rounds the cast), so the next day.
      ms('2026-03-02T00:00:00Z') - 0.5,
    );
    const days = rowsByDay(times).map(({ day, rows }) => [day, Array.from(rows)]);
    expect(days).toEqual([
      ['2026-03-01', [1, 3]],
      ['2026-03-02', [0, 2, 5]],
      ['2026-03-04', [4]],
    ]);
    expect(rowsByDay(new Float64Array(0))).toEqual([]);
    expect(() => rowsByDay(Float64Array.of(ms('2026-03-01T00:00:00Z'), NaN))).toThrow(/row 1 has no time/);
  });
});
