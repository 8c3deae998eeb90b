import type { DuckDBConnection } from '@duckdb/node-api';
import type { DataCatalog } from '../catalog';
import { createDays, createProductDaily, createProductSnapshots } from '../features/index';
import { queryRows, sqlString } from '../io/index';

/** Per feature of a training set: null rate, spread, and correlation with the label. */
export async function featureProfile(
  con: DuckDBConnection,
  setPath: string,
  features: string[],
  label = 'label',
): Promise<
  {
    feature: string;
    null_rate: number;
    mean: number | null;
    std: number | null;
    min: number | null;
    max: number | null;
    corr_with_label: number | null;
  }[]
> {
  const t = `read_parquet(${sqlString(setPath)})`;
  const parts = features.map(
    (
      f,
    ) => `SELECT '${f}' AS feature, avg(("${f}" IS NULL)::INTEGER) AS null_rate, avg("${f}") AS mean, stddev_pop("${f}") AS std,
    min("${f}")::DOUBLE AS min, max("${f}")::DOUBLE AS max, corr("${f}", "${label}"::DOUBLE) AS corr_with_label FROM ${t}`,
  );
  return (await queryRows(con, parts.join(' UNION ALL '))) as never;
}

/** A repeatable sample of one feature's values and the labels, for histograms. */
export async function featureSample(
  con: DuckDBConnection,
  setPath: string,
  feature: string,
  rows = 5000,
  label = 'label',
): Promise<{ value: number; label: number }[]> {
  return (await queryRows(
    con,
    `SELECT "${feature}"::DOUBLE AS value, "${label}"::DOUBLE AS label FROM read_parquet(${sqlString(setPath)})
    WHERE "${feature}" IS NOT NULL USING SAMPLE reservoir(${rows} ROWS) REPEATABLE (42) ORDER BY value, label`,
  )) as never;
}

/** The busiest product of the world (most views), to walk through its history. */
export async function busiestProduct(con: DuckDBConnection, catalog: DataCatalog): Promise<number> {
  const [row] = await queryRows(
    con,
    `SELECT product_id FROM read_parquet(${sqlString(catalog.interim.events)}) WHERE product_id IS NOT NULL
    GROUP BY product_id ORDER BY count(*) DESC, product_id LIMIT 1`,
  );
  return row.product_id as number;
}

/**
 * The as-of mechanics on one product: its views per day, next to the 7-day views feature as each
 * day's snapshot sees it (events before that day's midnight only), built by the feature code itself.
 */
export async function asOfWalkthrough(
  con: DuckDBConnection,
  catalog: DataCatalog,
  productId: number,
): Promise<{ day: string; views: number; views_7d_feature: number }[]> {
  await con.run(`CREATE OR REPLACE VIEW events AS SELECT * FROM read_parquet(${sqlString(catalog.interim.events)})`);
  await con.run(
    `CREATE OR REPLACE VIEW products AS SELECT * FROM read_parquet(${sqlString(catalog.raw.products)}) WHERE product_id = ${Math.trunc(productId)}`,
  );
  await createDays(con);
  await createProductDaily(con);
  await createProductSnapshots(con);
  return (await queryRows(
    con,
    `SELECT strftime(d.day, '%Y-%m-%d') AS day, coalesce(v.views, 0) AS views, s.views_7d::DOUBLE AS views_7d_feature
    FROM days d LEFT JOIN product_daily v ON v.day = d.day AND v.product_id = ${Math.trunc(productId)}
    JOIN product_days s ON s.day = d.day AND s.product_id = ${Math.trunc(productId)} ORDER BY d.day`,
  )) as never;
}
