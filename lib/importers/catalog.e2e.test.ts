import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { dataCatalog } from '../catalog';
import { queryRows, withDuckDB } from '../io/duckdb';
import { runStageScript, tempDir } from '../testing';
import { parsePrice } from '../classify/index';
import { categoryPathSql, priceSql } from './catalog';

const rows = (path: string) => withDuckDB((con) => queryRows(con, `SELECT * FROM read_parquet('${path}') ORDER BY 1`));

/** A catalogue written for this test, with the quirks real ones have (line numbers in comments). */
const CSV = [
  'sku,name,path,maker,cost,shop', // 1
  'A1,Wooden jigsaw puzzle 1000 pieces,Toys > Games > Puzzles,Ravensburger,£3.42,Shop One', // 2
  'A2,"Lace bra, black",["Clothing >> Women\'s Clothing >> Lingerie"],Acme,"$1,299.00",Shop Two', // 3
  'A3,"Two-line\ntitle",Toys > Games,,"3,49",', // 4-5
  'A4,No category at all,,Acme,£3.42 - £5.00,Shop One', // 6
  'A5,,Toys > Games,Acme,1.00,Shop One', // 7: missing title
  'A6,Free gift,Toys,Acme,free,Shop One', // 8: unparseable price
  'A7,Refund,Toys,Acme,-2,Shop One', // 9: negative price
  'A1,Wooden jigsaw puzzle again,Toys > Games > Puzzles,Ravensburger,4.00,Shop Two', // 10: duplicate id
  'A8,Too,many,columns,here,1,2', // 11: wrong column count
  'A9,Doll, > Toys >  > Dolls > ,,,', // 12: empty levels dropped
].join('\n');

function importCatalogFile(name: string, content: string | null, args: string[]) {
  const dir = tempDir('shoplab-catalog-');
  const path = join(dir, name);
  if (content !== null) writeFileSync(path, content);
  const data = join(dir, 'data');
  return {
    data,
    path,
    run: runStageScript('import', ['--format', 'catalog', '--input', path, ...args, '--data', data]),
  };
}

const MAPPING = [
  '--id',
  'sku',
  '--title',
  'name',
  '--category',
  'path',
  '--brand',
  'maker',
  '--price',
  'cost',
  '--seller',
  'shop',
];

describe('import --format catalog', () => {
  const { data, path, run } = importCatalogFile('products.csv', `${CSV}\n`, MAPPING);

  it('counts rows by reason and names each rejected one by line and field', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({
      rows_read: 10,
      rows_accepted: 5,
      rows_rejected: 5,
      rejected_by_reason: {
        missing_title: 1,
        unparseable_price: 1,
        negative_price: 1,
        duplicate_id: 1,
        wrong_column_count: 1,
      },
      products: 5,
      unlabeled: 1,
      categories: 4,
      max_depth: 3,
    });
    expect(run.summary!.examples.map((x: any) => [x.line, x.reason, x.field, x.value])).toEqual([
      [7, 'missing_title', 'name', null],
      [8, 'unparseable_price', 'cost', 'free'],
      [9, 'negative_price', 'cost', '-2'],
      [10, 'duplicate_id', 'sku', 'A1'],
      [11, 'wrong_column_count', null, 'A8,Too,many,columns,here,1,2'],
    ]);
    expect(run.stderr).toContain(`${path}:8: unparseable_price in cost: "free"`);
  });

  it('writes canonical products: ids in file order, paths as levels, prices as shops write them, sellers as ids', async () => {
    const raw = dataCatalog(data).raw;
    expect(
      (await rows(raw.products)).map((p) => [p.product_id, p.title, p.category_path, p.brand, p.seller_id, p.price]),
    ).toEqual([
      [1, 'Wooden jigsaw puzzle 1000 pieces', 'Toys > Games > Puzzles', 'Ravensburger', 1, 3.42],
      [2, 'Lace bra, black', "Clothing > Women's Clothing > Lingerie", 'Acme', 2, 1299],
      [3, 'Two-line\ntitle', 'Toys > Games', null, null, 3.49],
      [4, 'No category at all', null, 'Acme', 1, 3.42],
      [5, 'Doll', 'Toys > Dolls', null, null, null],
    ]);
    expect((await rows(raw.catalog)).map((c) => [c.product_id, c.source_id, c.seller])).toEqual([
      [1, 'A1', 'Shop One'],
      [2, 'A2', 'Shop Two'],
      [3, 'A3', null],
      [4, 'A4', 'Shop One'],
      [5, 'A9', null],
    ]);
    expect(await rows(raw.events)).toEqual([]);
  });

  it('the event stages after it say in one line that a catalogue has no events', () => {
    expect(runStageScript('sessionize', ['--data', data]).status).toBe(0);
    const split = runStageScript('split', ['--data', data]);
    expect(split.status).toBe(2);
    expect(split.stderr.trim().split('\n').at(-1)).toMatch(
      /^split: .*no sessions, so no time range to split; the data folder has no events/,
    );
  });
});

describe('catalogue files as they come', () => {
  it('a TSV with another separator for the path, and a Parquet file, read the same way', async () => {
    const tsv = importCatalogFile('products.tsv', 'id\ttitle\tcat\n1\tRed car\tToys/Cars\n2\tBlue doll\tToys/Dolls\n', [
      '--title',
      'title',
      '--category',
      'cat',
      '--category-sep',
      '/',
    ]);
    expect(tsv.run.status, tsv.run.stderr).toBe(0);
    const products = await rows(dataCatalog(tsv.data).raw.products);
    expect(products.map((p) => [p.title, p.category_path])).toEqual([
      ['Red car', 'Toys > Cars'],
      ['Blue doll', 'Toys > Dolls'],
    ]);
    const parquet = join(tempDir('shoplab-catalog-'), 'products.parquet');
    await withDuckDB((con) =>
      con.run(
        `COPY (SELECT * FROM read_parquet('${dataCatalog(tsv.data).raw.products}')) TO '${parquet}' (FORMAT parquet)`,
      ),
    );
    const again = importCatalogFile('unused', null, ['--title', 'title', '--category', 'category_path']);
    const fromParquet = runStageScript('import', [
      '--format',
      'catalog',
      '--input',
      parquet,
      '--title',
      'title',
      '--category',
      'category_path',
      '--data',
      again.data,
    ]);
    expect(fromParquet.status, fromParquet.stderr).toBe(0);
    expect((await rows(dataCatalog(again.data).raw.products)).map((p) => [p.title, p.category_path])).toEqual(
      products.map((p) => [p.title, p.category_path]),
    );
  });

  it('a column that is not there, no --title, or no good row: exit 2 with the reason, nothing written', () => {
    const missing = importCatalogFile('a.csv', 'name,path\nx,y\n', ['--title', 'title']);
    expect(missing.run.status).toBe(2);
    expect(missing.run.stderr).toMatch(
      /--title names column 'title', which the file does not have \(its columns: name, path\)/,
    );
    const noTitle = importCatalogFile('b.csv', 'name,path\nx,y\n', []);
    expect(noTitle.run.stderr).toMatch(/--format catalog needs --title COL/);
    const empty = importCatalogFile('c.csv', 'name,path\n,y\n', ['--title', 'name']);
    expect(empty.run.status).toBe(2);
    expect(empty.run.stderr).toMatch(/no product could be read \(1 rejected; first at line 2, name: missing_title\)/);
    for (const r of [missing, noTitle, empty]) expect(existsSync(dataCatalog(r.data).raw.products)).toBe(false);
    // CRLF lines then an LF one: DuckDB's reader fits no dialect; one line, no stack, nothing written.
    const mixed = importCatalogFile('m.csv', 'name,path\r\nshoe,Toys\r\n"boot, red",Toys\nhat,Toys\n', [
      '--title',
      'name',
    ]);
    expect(mixed.run.status).toBe(2);
    expect(mixed.run.stderr).toMatch(/m\.csv: cannot be read as CSV \(/);
    expect(mixed.run.stderr).not.toMatch(/internal error|^\s+at /m);
    expect(existsSync(dataCatalog(mixed.data).raw.products)).toBe(false);
    const stray = runStageScript('import', ['--format', 'rees46', '--input', missing.path, '--title', 'name']);
    expect(stray.stderr).toMatch(/--title is for --format catalog, not rees46/);
  });
});

describe('prices and category paths in SQL', () => {
  it('reads prices as shops write them and category paths as their levels; bulk scoring reads prices alike', async () => {
    const prices = [
      '£3.42',
      '$1,299.00',
      '3,49',
      '£3.42 - £5.00',
      'EUR 12',
      '12.5.3',
      '1,2345',
      'free',
      '',
      '-2',
      '1,000,000.5',
      '€ 7',
    ];
    const [sql] = await withDuckDB((con) =>
      queryRows(con, `SELECT ${prices.map((p, i) => `${priceSql(`'${p}'`)} AS p${i}`).join(', ')}`),
    );
    expect(prices.map(parsePrice)).toEqual(Object.values(sql));
    const [r] = await withDuckDB((con) =>
      queryRows(
        con,
        `SELECT ${['£3.42', '$1,299.00', '3,49', '£3.42 - £5.00', 'EUR 12', '12.5.3', '1,2345', 'free', '', '-2']
          .map((p, i) => `${priceSql(`'${p}'`)} AS p${i}`)
          .join(', ')},
          ${['A > B > C', '["A >> B"]', ' > A >  > ', '>']
            .map((c, i) => `${categoryPathSql(`'${c}'`, '>')} AS c${i}`)
            .join(', ')}`,
      ),
    );
    expect(Object.values(r)).toEqual([
      3.42,
      1299,
      3.49,
      3.42,
      12,
      null,
      null,
      null,
      null,
      -2,
      'A > B > C',
      'A > B',
      'A',
      null,
    ]);
  });
});
