import type { DuckDBConnection } from '@duckdb/node-api';

import type { DataCatalog } from '../catalog';
import { InputError } from '../errors';
import { AtomicBatch, queryRows, sqlString, withDuckDB } from '../io/index';
import { sessionFields, stageClicks, YOOCHOOSE_SECONDS } from '../nextitem/index';
import {
  checkIsFile,
  EXAMPLES_PER_REASON,
  type ImportSummary,
  type RejectExample,
  writeImportedTables,
} from './import';

/**
 * Session logs without users, imported into a data folder: every click is a `view` of an anonymous
 * session (user_id null) with the log's own session ids.
 * - `yoochoose`: RecSys Challenge 2015 `yoochoose-clicks.dat` (`session,timestamp,item,category`, no
 *   header), with `yoochoose-buys.dat` (`session,timestamp,item,price,quantity`) as purchases when given;
 * - `session-rec`: the prepared files of session-based recommendation benchmarks (GRU4Rec, the
 *   session-rec framework): tab-separated `SessionId ItemId Time` (Unix seconds) with a header.
 */
export const SESSION_IMPORT_FORMATS = ['yoochoose', 'session-rec'] as const;
export type SessionImportFormat = (typeof SESSION_IMPORT_FORMATS)[number];

/** Times outside 1990-2100 are corrupt, not history (as the log importers take them). */
const TIME_OK = (seconds: string) => `${seconds} BETWEEN 631152000 AND 4102444800`;
const TIMESTAMP = (seconds: string) => `make_timestamp(CAST(round(${seconds} * 1000000) AS BIGINT))`;
const ITEM_ID = (column: string) => `TRY_CAST(${column} AS BIGINT)`;

/** YooChoose purchases as rows of the same shape as the clicks' (`line` is the buys file's). */
async function stageBuys(con: DuckDBConnection, path: string): Promise<void> {
  checkIsFile(path);
  try {
    await con.run(`CREATE TEMP TABLE buys_src AS SELECT *, row_number() OVER () AS line FROM read_csv(${sqlString(path)},
      delim = ',', header = false, auto_detect = false,
      columns = {'session': 'VARCHAR', 'timestamp': 'VARCHAR', 'item': 'VARCHAR', 'price': 'VARCHAR', 'quantity': 'VARCHAR'})`);
  } catch (error) {
    throw new InputError(`${path}: not a yoochoose-buys.dat file (${(error as Error).message.split('\n')[0]})`);
  }
  const seconds = `(${YOOCHOOSE_SECONDS})`;
  await con.run(`CREATE TEMP TABLE buys AS SELECT line,
      CASE WHEN nullif(trim(session), '') IS NULL THEN 'missing_id' WHEN nullif(trim(item), '') IS NULL THEN 'missing_id'
        WHEN ${seconds} IS NULL OR NOT ${TIME_OK(seconds)} THEN 'unparseable_time'
        WHEN ${ITEM_ID('trim(item)')} IS NULL OR ${ITEM_ID('trim(item)')} < 0 THEN 'bad_id'
        WHEN nullif(trim(price), '') IS NOT NULL AND (TRY_CAST(trim(price) AS DOUBLE) IS NULL OR TRY_CAST(trim(price) AS DOUBLE) < 0) THEN 'unparseable_price' END AS reason,
      CASE WHEN nullif(trim(session), '') IS NULL THEN 'session' WHEN nullif(trim(item), '') IS NULL THEN 'item'
        WHEN ${seconds} IS NULL OR NOT ${TIME_OK(seconds)} THEN 'timestamp' WHEN ${ITEM_ID('trim(item)')} IS NULL OR ${ITEM_ID('trim(item)')} < 0 THEN 'item' ELSE 'price' END AS field,
      trim(session) AS session_id, ${TIMESTAMP(seconds)} AS event_time, ${ITEM_ID('trim(item)')} AS product_id,
      -- YooChoose writes 0 for a price it does not know.
      nullif(TRY_CAST(trim(price) AS DOUBLE), 0) AS price,
      CASE WHEN nullif(trim(session), '') IS NULL THEN session WHEN nullif(trim(item), '') IS NULL THEN item
        WHEN ${seconds} IS NULL OR NOT ${TIME_OK(seconds)} THEN timestamp WHEN ${ITEM_ID('trim(item)')} IS NULL OR ${ITEM_ID('trim(item)')} < 0 THEN item ELSE price END AS value
    FROM buys_src`);
  await con.run('DROP TABLE buys_src');
}

/**
 * Imports a session log into the canonical tables under `catalog.raw`, all or nothing. Rows that
 * cannot be read are counted by reason (missing_id, unparseable_time, bad_id: an item id that is not
 * a whole number, unparseable_price) with examples naming the file, line and field.
 */
export async function importSessionLog(
  format: SessionImportFormat,
  input: string,
  catalog: DataCatalog,
  options: { buys?: string } = {},
  onStep?: (step: string) => void,
): Promise<ImportSummary & { purchases: number }> {
  checkIsFile(input);
  if (options.buys && format !== 'yoochoose')
    throw new InputError(`--buys is a yoochoose-buys.dat file; the ${format} format has no purchases file`);
  const batch = new AtomicBatch();
  try {
    return await withDuckDB(async (con) => {
      onStep?.('reading');
      await stageClicks(con, input, format);
      const item = sessionFields(format).item;
      const seconds = 'seconds';
      await con.run(`CREATE TEMP TABLE rows AS SELECT line, ${sqlString(input)} AS file,
          CASE WHEN reason IS NOT NULL THEN reason WHEN NOT ${TIME_OK(seconds)} THEN 'unparseable_time'
            WHEN ${ITEM_ID('item')} IS NULL OR ${ITEM_ID('item')} < 0 THEN 'bad_id' END AS reason,
          CASE WHEN reason IS NOT NULL THEN field WHEN NOT ${TIME_OK(seconds)} THEN ${sqlString(sessionFields(format).time)} ELSE ${sqlString(item)} END AS field,
          CASE WHEN reason IS NOT NULL THEN value WHEN NOT ${TIME_OK(seconds)} THEN seconds::VARCHAR ELSE item END AS value,
          session AS session_id, ${TIMESTAMP(seconds)} AS event_time, 'view' AS event_type, ${ITEM_ID('item')} AS product_id,
          CAST(NULL AS DOUBLE) AS price
        FROM clicks`);
      await con.run('DROP TABLE clicks');
      if (options.buys) {
        await stageBuys(con, options.buys);
        await con.run(`INSERT INTO rows SELECT line, ${sqlString(options.buys)}, reason, field, value, session_id, event_time,
          'purchase', product_id, price FROM buys`);
        await con.run('DROP TABLE buys');
      }
      onStep?.('checking');
      const counts = await queryRows(con, 'SELECT reason, count(*) AS n FROM rows GROUP BY reason');
      const rejectedByReason: Record<string, number> = {};
      let accepted = 0;
      for (const { reason, n } of counts) {
        if (reason === null) accepted = Number(n);
        else rejectedByReason[String(reason)] = Number(n);
      }
      const examples: (RejectExample & { file: string })[] = (
        await queryRows(
          con,
          `SELECT file, line, reason, field, value FROM (SELECT *, row_number() OVER (PARTITION BY reason ORDER BY file, line) AS k
           FROM rows WHERE reason IS NOT NULL) WHERE k <= ${EXAMPLES_PER_REASON} ORDER BY file, line`,
        )
      ).map((r) => ({
        file: String(r.file),
        line: Number(r.line),
        reason: String(r.reason),
        field: r.field === null ? null : String(r.field),
        value: r.value === null ? null : String(r.value).slice(0, 200),
      }));
      const rejected = Object.values(rejectedByReason).reduce((a, b) => a + b, 0);
      if (accepted === 0) {
        const first = examples[0];
        throw new InputError(
          `${input}: no row could be read (${rejected} rejected${first ? `; first at ${first.file} line ${first.line}, ${first.field}: ${first.reason}` : ''})`,
        );
      }
      onStep?.('writing');
      await con.run(`CREATE TABLE events AS SELECT event_time, CAST(NULL AS BIGINT) AS user_id, session_id, event_type, product_id, price,
          CAST(NULL AS VARCHAR) AS category_id, CAST(NULL AS VARCHAR) AS category_path, CAST(NULL AS VARCHAR) AS brand
        FROM rows WHERE reason IS NULL ORDER BY session_id, event_time, line`);
      const [{ purchases }] = await queryRows(
        con,
        `SELECT count(*) FILTER (event_type = 'purchase') AS purchases FROM events`,
      );
      await con.run('DROP TABLE rows');
      const stats = await writeImportedTables(con, catalog, batch, {
        kind: 'import',
        format,
        input,
        ...(options.buys ? { buys: options.buys } : {}),
      });
      return {
        format,
        input,
        rows_read: accepted + rejected,
        rows_accepted: accepted,
        rows_rejected: rejected,
        rejected_by_reason: rejectedByReason,
        examples,
        ...stats,
        purchases: Number(purchases),
      };
    });
  } finally {
    batch.discard();
  }
}
