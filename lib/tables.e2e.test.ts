import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { dataCatalog } from './catalog';
import { queryRows, sqlString, withDuckDB } from './io/index';
import { RAW_TABLES, type RawTable } from './tables';
import { ROOT, runStageScript, tempDir } from './testing';

/**
 * The contract between whoever writes raw/ and everything after it: the generator and every
 * importer write exactly the canonical tables of lib/tables.ts (columns, order, DuckDB types).
 */
const written: { writer: string; dir: string; tables: RawTable[] }[] = [];

beforeAll(() => {
  const generated = join(tempDir('shoplab-contract-'), 'data');
  const run = runStageScript('generate', ['--events', '5000', '--seed', '2', '--data', generated]);
  expect(run.status, run.stderr).toBe(0);
  written.push({ writer: 'generate', dir: generated, tables: ['products', 'users', 'events', 'impressions'] });
  for (const format of ['rees46', 'retailrocket', 'diginetica']) {
    const dir = join(tempDir('shoplab-contract-'), 'data');
    const input = join(ROOT, 'lib/importers/fixtures', `${format}.csv`);
    const imported = runStageScript('import', ['--format', format, '--input', input, '--data', dir]);
    expect(imported.status, imported.stderr).toBe(0);
    written.push({ writer: `import --format ${format}`, dir, tables: ['products', 'users', 'events'] });
  }
}, 300_000);

describe('the canonical raw tables', () => {
  it('the generator and every importer write each table with exactly its columns, in order, with its types', async () => {
    await withDuckDB(async (con) => {
      for (const { writer, dir, tables } of written) {
        for (const table of tables) {
          // The events are a file per day, read through the folder's glob; each day file has every column.
          const path =
            table === 'events' ? dataCatalog(dir).raw.events : join(dataCatalog(dir).raw.dir, `${table}.parquet`);
          const columns = await queryRows(con, `DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`);
          const found = Object.fromEntries(columns.map((c) => [c.column_name, c.column_type]));
          expect(Object.entries(found), `${writer}: ${table}`).toEqual(Object.entries(RAW_TABLES[table]));
        }
      }
    });
  });
});
