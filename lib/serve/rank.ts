import type { DuckDBConnection } from '@duckdb/node-api';

import { createRankingText, type FeatureOptions, rankingSetSql } from '../features/index';
import { FUNNEL, WINDOWS } from '../features/index';
import { queryRows, sqlString } from '../io/index';
import { DMatrix } from '../xgboost/index';
import { type LoadedModel, modelInput, SERVING_MATRIX } from './models';

export interface RankRequest {
  query: string;
  user_id?: number | null;
  /** Candidates in the order the search engine returned them (their position is a feature). */
  product_ids: number[];
}

export interface RankedProduct {
  product_id: number;
  score: number;
  /** Shown position in the request (1 = first). */
  position: number;
  /** Not in the catalogue: ranked on cold-start features (no history, no content). */
  cold_start: boolean;
}

/**
 * The store's own tables, by full name: per request, temporary tables of the same names shadow
 * them (even `main.x` finds the temporary one first), so the training SQL reads this search's data.
 */
const STORE = 'memory.main';

/** The temporary tables a ranking request creates over store names. */
const SHADOWS = [
  'products',
  'query_ids',
  'product_days',
  'query_product_totals',
  'query_category_totals',
  'user_totals',
  'user_category_totals',
];

/**
 * Scores a search's candidates with the ranking model. The features come from the training set's
 * own SQL (`rankingSetSql`) and text code (`createRankingText`), run over this one search with
 * history from the serving store as of its snapshot day. Calls on one connection must not overlap.
 */
export async function rankProducts(
  con: DuckDBConnection,
  model: LoadedModel,
  request: RankRequest,
  store: { snapshotDay: string; idf: ReadonlyMap<string, number>; options: FeatureOptions },
): Promise<{ results: RankedProduct[]; features: Record<string, number | null>[] }> {
  try {
    await con.run('CREATE OR REPLACE TEMP TABLE request_products (product_id BIGINT, position INTEGER)');
    const appender = await con.createAppender('request_products');
    request.product_ids.forEach((id, i) => {
      appender.appendBigInt(BigInt(id));
      appender.appendInteger(i + 1);
      appender.endRow();
    });
    appender.closeSync();
    // The tables the training SQL reads, for this search only: candidates unknown to the catalogue get an empty row.
    await con.run(`CREATE OR REPLACE TEMP TABLE products AS
      SELECT c.* FROM catalog_products c WHERE product_id IN (SELECT product_id FROM request_products)
      UNION ALL BY NAME SELECT r.product_id FROM request_products r WHERE r.product_id NOT IN (SELECT product_id FROM catalog_products)`);
    // A product the shop has never seen gets a history of zeros, as a catalogue product without events has.
    await con.run(`CREATE OR REPLACE TEMP TABLE product_days AS
      SELECT * FROM ${STORE}.product_days WHERE product_id IN (SELECT product_id FROM request_products)
      UNION ALL BY NAME
      SELECT r.product_id, ${sqlString(store.snapshotDay)}::TIMESTAMP AS day, ${WINDOWS.flatMap((w) => Object.keys(FUNNEL).map((m) => `0::DOUBLE AS ${m}_${w}d`)).join(', ')}
      FROM request_products r WHERE r.product_id NOT IN (SELECT product_id FROM ${STORE}.product_days)`);
    const query = sqlString(request.query);
    await con.run(`CREATE OR REPLACE TEMP TABLE query_ids AS
      SELECT * FROM ${STORE}.query_ids WHERE query = ${query}
      UNION ALL SELECT ${query} AS query, -1 AS query_id WHERE NOT EXISTS (SELECT 1 FROM ${STORE}.query_ids WHERE query = ${query})`);
    // This search's slice of each history table (the lookups would otherwise scan them whole).
    const user = request.user_id ?? null;
    const slice = (table: string, where: string) =>
      con.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * FROM ${STORE}.${table} WHERE ${where}`);
    const inQuery = 'query_id IN (SELECT query_id FROM query_ids)';
    await slice('query_product_totals', `${inQuery} AND product_id IN (SELECT product_id FROM request_products)`);
    await slice('query_category_totals', `${inQuery} AND category_id IN (SELECT category_id FROM products)`);
    await slice('user_totals', user === null ? 'false' : `user_id = ${user}`);
    await slice('user_category_totals', user === null ? 'false' : `user_id = ${user}`);
    const day = `TIMESTAMP '${store.snapshotDay}'`;
    await con.run(`CREATE OR REPLACE TEMP TABLE ranking_examples AS
      SELECT 0::BIGINT AS search_id, r.product_id, r.position, ${request.user_id ?? 'NULL'}::BIGINT AS user_id, NULL::VARCHAR AS session_id, ${query} AS query,
        q.query_id, p.category_id, ${day} AS as_of, 'serve' AS split, 0 AS label, ${day} AS history_as_of, ${day} AS snapshot_day
      FROM request_products r JOIN products p USING (product_id) CROSS JOIN query_ids q`);
    await createRankingText(con, store.idf);
    const rows = await queryRows(con, await rankingSetSql(con, store.options));
    const { values, features } = modelInput(model, rows);
    const known = new Set(
      (
        await queryRows(
          con,
          'SELECT product_id FROM catalog_products WHERE product_id IN (SELECT product_id FROM request_products)',
        )
      ).map((r) => Number(r.product_id)),
    );
    const matrix = new DMatrix(values, rows.length, model.features.length, SERVING_MATRIX);
    try {
      const scores = model.booster.predict(matrix).values;
      const results = rows.map((row, i) => ({
        product_id: Number(row.product_id),
        score: scores[i],
        position: Number(row.position),
        cold_start: !known.has(Number(row.product_id)),
      }));
      results.sort((a, b) => b.score - a.score || a.position - b.position);
      return { results, features };
    } finally {
      matrix.dispose();
    }
  } finally {
    // The shadows go, so the next request (and the purchase path's user_totals) read the store again.
    for (const table of SHADOWS) await con.run(`DROP TABLE IF EXISTS temp.main.${table}`);
  }
}
