import { describe, expect, it } from 'vitest';
import { queryRows, withDuckDB } from './duckdb';
import { readColumns, readMatrix, readNumbers, readStrings } from './matrix';

describe('readMatrix', () => {
  it('reads feature columns row-major with NULL as NaN, across chunks, with the label beside them', async () => {
    const sql = `SELECT i AS id, CASE WHEN i % 7 = 0 THEN NULL ELSE i * 0.5 END AS a, CAST(i % 3 AS INTEGER) AS b, (i % 2 = 0) AS y FROM range(5000) t(i)`;
    const { matrix, labels, expected } = await withDuckDB(async (con) => ({
      ...(await readMatrix(con, sql, ['a', 'b'], 'y', Float32Array)),
      expected: await queryRows(con, `${sql} ORDER BY id`),
    }));
    expect(matrix.rows).toBe(5000);
    expect(matrix.values).toBeInstanceOf(Float32Array);
    expected.forEach((r, i) => {
      const a = matrix.values[i * 2];
      if (r.a === null) expect(a).toBeNaN();
      else expect(a).toBe(Math.fround(r.a as number));
      expect(matrix.values[i * 2 + 1]).toBe(r.b);
      expect(labels[i]).toBe(r.y ? 1 : 0);
    });
  });

  it('allows several reads at once on one connection', async () => {
    const [x, y] = await withDuckDB((con) =>
      Promise.all([
        readMatrix(con, 'SELECT i::DOUBLE AS v, 1 AS l FROM range(10000) t(i)', ['v'], 'l'),
        readMatrix(con, 'SELECT -i::DOUBLE AS v, 0 AS l FROM range(10000) t(i)', ['v'], 'l'),
      ]),
    );
    expect(x.matrix.values.reduce((a, b) => a + b, 0)).toBe((9999 * 10000) / 2);
    expect(y.matrix.values.reduce((a, b) => a + b, 0)).toBe(-(9999 * 10000) / 2);
  });
});

describe('readColumns', () => {
  const sql = `SELECT i AS id, CASE WHEN i % 7 = 0 THEN NULL ELSE i * 0.25 END AS a, i % 300 - 100 AS b, i % 256 AS c
    FROM range(5000) t(i) ORDER BY id`;

  it('reads each column into its own typed array across chunks, NULL as NaN in a float column', async () => {
    const { read, expected } = await withDuckDB(async (con) => ({
      read: await readColumns(con, `SELECT *, a AS f FROM (${sql})`, {
        a: 'DOUBLE',
        b: 'INTEGER',
        c: 'UTINYINT',
        f: 'FLOAT',
      }),
      expected: await queryRows(con, sql),
    }));
    expect(read.rows).toBe(5000);
    expect(read.columns.a).toBeInstanceOf(Float64Array);
    expect(read.columns.b).toBeInstanceOf(Int32Array);
    expect(read.columns.c).toBeInstanceOf(Uint8Array);
    expect(read.columns.f).toBeInstanceOf(Float32Array);
    expected.forEach((r, i) => {
      if (r.a === null) {
        expect(read.columns.a[i]).toBeNaN();
        expect(read.columns.f[i]).toBeNaN();
      } else {
        expect(read.columns.a[i]).toBe(r.a);
        expect(read.columns.f[i]).toBe(Math.fround(r.a as number));
      }
      expect(read.columns.b[i]).toBe(r.b);
      expect(read.columns.c[i]).toBe(r.c);
    });
  });

  it('reads the same values into shared memory when asked', async () => {
    const spec = { a: 'DOUBLE', b: 'INTEGER', c: 'UTINYINT' } as const;
    const [plain, inShared] = await withDuckDB(async (con) => [
      await readColumns(con, sql, spec),
      await readColumns(con, sql, spec, { shared: true }),
    ]);
    for (const name of ['a', 'b', 'c'] as const) {
      expect(plain.columns[name].buffer).toBeInstanceOf(ArrayBuffer);
      expect(inShared.columns[name].buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Array.from(inShared.columns[name])).toEqual(Array.from(plain.columns[name]));
    }
  });

  it('refuses a NULL in an integer column, naming it', async () => {
    await expect(withDuckDB((con) => readColumns(con, sql, { a: 'INTEGER' }))).rejects.toThrow(
      'column a (INTEGER) has a NULL at row 0',
    );
  });
});

describe('readNumbers', () => {
  it('gives the numbers of every numeric type as they are, NULL as null and NaN as NaN, across chunks', async () => {
    const read = await withDuckDB(async (con) => ({
      tiny: await readNumbers(con, 'SELECT CAST(-7 AS TINYINT) UNION ALL SELECT NULL'),
      big: await readNumbers(
        con,
        'SELECT CAST(v AS BIGINT) FROM (VALUES (1, 9007199254740991), (2, -3)) t(k, v) ORDER BY k',
      ),
      float: await readNumbers(con, 'SELECT CAST(0.1 AS FLOAT)'),
      double: await readNumbers(
        con,
        "SELECT CAST(v AS DOUBLE) FROM (VALUES (1, 'NaN'), (2, '-0'), (3, '1e300')) t(k, v) ORDER BY k",
      ),
      many: await readNumbers(
        con,
        'SELECT CASE WHEN i % 1000 = 0 THEN NULL ELSE i END FROM range(5000) t(i) ORDER BY i',
      ),
    }));
    expect(read.tiny).toEqual([-7, null]);
    expect(read.big).toEqual([9007199254740991, -3]);
    // A FLOAT is its float32 value, as DuckDB's client gives it.
    expect(read.float).toEqual([Math.fround(0.1)]);
    expect(read.double[0]).toBeNaN();
    expect(Object.is(read.double[1], -0)).toBe(true);
    expect(read.double[2]).toBe(1e300);
    expect(read.many).toEqual(Array.from({ length: 5000 }, (_, i) => (i % 1000 === 0 ? null : i)));
  });
});

describe('readStrings', () => {
  it('reads the first column as text in the query order, across chunks, numbers as their text', async () => {
    const read = await withDuckDB((con) =>
      readStrings(
        con,
        `SELECT CASE WHEN i % 3 = 0 THEN 's' || i ELSE CAST(i AS VARCHAR) END, 0 AS ignored FROM range(5000) t(i) ORDER BY i DESC`,
      ),
    );
    expect(read).toHaveLength(5000);
    expect(read.slice(0, 4)).toEqual(['4999', 's4998', '4997', '4996']);
    expect(read[4999]).toBe('s0');
    expect(read[2048]).toBe(String(4999 - 2048));
    expect(await withDuckDB((con) => readStrings(con, 'SELECT 42 UNION ALL SELECT -7 ORDER BY 1'))).toEqual([
      '-7',
      '42',
    ]);
  });

  it('refuses a NULL, naming its row', async () => {
    await expect(
      withDuckDB((con) =>
        readStrings(con, `SELECT CASE WHEN i = 3 THEN NULL ELSE 'a' END FROM range(5) t(i) ORDER BY i`),
      ),
    ).rejects.toThrow('a NULL at row 3');
  });
});
