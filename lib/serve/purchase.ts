import type { DuckDBConnection } from '@duckdb/node-api';

import { prefixAggregates, purchaseSetSql } from '../features/index';
import { queryRows } from '../io/index';
import { unweightProbabilities } from '../train/index';
import { eventTimeMs } from '../live/index';
import { type LoadedModel, modelInput } from './models';

/** One event of a posted session, in the canonical event shape. */
export interface SessionEvent {
  event_time: string;
  event_type: 'view' | 'click' | 'add_to_cart' | 'remove_from_cart' | 'purchase' | 'search';
  user_id?: number | null;
  product_id?: number | null;
  price?: number | null;
}

/**
 * Purchase probability of each posted session right after its last event. The features come
 * from the training set's own SQL (`purchaseSetSql`) run over the posted events, with user history
 * from the serving store (`user_totals` on `con`). Calls on one connection must not overlap.
 */
export async function predictPurchases(
  con: DuckDBConnection,
  model: LoadedModel,
  sessions: { events: SessionEvent[] }[],
): Promise<{ probabilities: number[]; features: Record<string, number | null>[] }> {
  await con.run(
    `CREATE OR REPLACE TEMP TABLE request_events (session_id VARCHAR, t_us BIGINT, event_type VARCHAR, product_id BIGINT, price DOUBLE, user_id BIGINT)`,
  );
  const appender = await con.createAppender('request_events');
  sessions.forEach((session, s) => {
    for (const e of session.events) {
      appender.appendVarchar(String(s));
      appender.appendBigInt(BigInt(eventTimeMs(e.event_time)) * 1000n);
      appender.appendVarchar(e.event_type);
      if (e.product_id === null || e.product_id === undefined) appender.appendNull();
      else appender.appendBigInt(BigInt(e.product_id));
      if (e.price === null || e.price === undefined) appender.appendNull();
      else appender.appendDouble(e.price);
      if (e.user_id === null || e.user_id === undefined) appender.appendNull();
      else appender.appendBigInt(BigInt(e.user_id));
      appender.endRow();
    }
  });
  appender.closeSync();
  // The tables the training SQL reads: what each session's events hold, and one example per session made right after its last event.
  await con.run(
    `CREATE OR REPLACE TEMP TABLE posted_events AS SELECT session_id, make_timestamp(t_us) AS event_time, event_type, product_id, price, user_id FROM request_events`,
  );
  await con.run(`CREATE OR REPLACE TEMP TABLE purchase_prefixes AS
    SELECT session_id, count(*) AS cut, ${prefixAggregates('')} FROM posted_events GROUP BY session_id`);
  await con.run(`CREATE OR REPLACE TEMP TABLE purchase_examples AS
    SELECT session_id, any_value(user_id) FILTER (user_id IS NOT NULL) AS user_id, count(*) AS cut, max(event_time) + INTERVAL 1 MICROSECOND AS as_of,
      'serve' AS split, 0 AS label, max(event_time) + INTERVAL 1 MICROSECOND AS history_as_of, date_trunc('day', max(event_time) + INTERVAL 1 MICROSECOND) AS snapshot_day
    FROM posted_events GROUP BY session_id`);
  const rows = await queryRows(
    con,
    `SELECT * FROM (${await purchaseSetSql(con)}) ORDER BY CAST(session_id AS INTEGER)`,
  );
  const { values, features } = modelInput(model, rows);
  return { probabilities: purchaseProbabilities(model, values, rows.length), features };
}

/** The purchase model's probabilities for rows × its features (float32, NaN missing), its training weight divided back out. */
export function purchaseProbabilities(model: LoadedModel, values: Float32Array, rows: number): number[] {
  if (rows === 0) return [];
  // In place from the booster's own buffer: no DMatrix per request (the same predictions, tested in lib/xgboost).
  const predicted = unweightProbabilities(
    model.booster.predictDense(values, rows, model.features.length),
    (model.params as { xgboost: Record<string, string | number | boolean> }).xgboost,
  );
  return Array.from(predicted);
}
