import { existsSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';

import { InputError } from '../errors';
import { queryRows, sqlString, withDuckDB } from '../io/index';
import type { Click } from './protocol';

/**
 * Session logs in the formats they are published in:
 * - `session-rec`: the prepared files of session-based recommendation benchmarks (GRU4Rec, the
 *   session-rec framework): tab-separated with a header holding `SessionId`, `ItemId` and `Time`
 *   (Unix seconds), other columns ignored;
 * - `yoochoose`: RecSys Challenge 2015 `yoochoose-clicks.dat`, no header,
 *   `session,timestamp,item,category` with ISO times (`2014-04-07T10:51:09.277Z`);
 * - `diginetica`: CIKM Cup 2016 `train-item-views.csv`, `sessionId;userId;itemId;timeframe;eventdate`
 *   (the time is the date plus `timeframe` milliseconds).
 */
export const SESSION_FORMATS = ['session-rec', 'yoochoose', 'diginetica'] as const;
export type SessionFormat = (typeof SESSION_FORMATS)[number];

interface FormatSql {
  /** The table function reading the file as text columns. */
  read: (path: string) => string;
  /** Each field's SQL (text), named as the messages name it. */
  fields: { session: string; item: string; time: string };
  /** SQL of the time in seconds, NULL when it does not parse. */
  seconds: string;
  /** Lines before the first row. */
  headerLines: number;
}

/** Seconds of a YooChoose `timestamp` (`2014-04-07T10:51:09.277Z`), NULL when it does not parse. */
export const YOOCHOOSE_SECONDS = "epoch(TRY_CAST(replace(replace(timestamp, 'T', ' '), 'Z', '') AS TIMESTAMP))";

const FORMATS: Record<SessionFormat, FormatSql> = {
  'session-rec': {
    read: (path) => `read_csv(${sqlString(path)}, delim = '\t', header = true, all_varchar = true)`,
    fields: { session: 'sessionid', item: 'itemid', time: 'time' },
    seconds: 'TRY_CAST(time AS DOUBLE)',
    headerLines: 1,
  },
  yoochoose: {
    read: (path) =>
      `read_csv(${sqlString(path)}, delim = ',', header = false, columns = {'session': 'VARCHAR', 'timestamp': 'VARCHAR', 'item': 'VARCHAR', 'category': 'VARCHAR'})`,
    fields: { session: 'session', item: 'item', time: 'timestamp' },
    seconds: YOOCHOOSE_SECONDS,
    headerLines: 0,
  },
  diginetica: {
    read: (path) => `read_csv(${sqlString(path)}, delim = ';', header = true, all_varchar = true)`,
    fields: { session: 'sessionid', item: 'itemid', time: 'eventdate' },
    seconds: 'epoch(TRY_CAST(eventdate AS DATE)) + TRY_CAST(timeframe AS DOUBLE) / 1000',
    headerLines: 1,
  },
};

export interface ReadClicks {
  clicks: Click[];
  rows: number;
  rejected: Record<string, number>;
  /** The first rejected row: its line in the file, the field and why. */
  firstRejected: { line: number; field: string; reason: string } | null;
}

/** The columns holding the session, the item and the time in a format's files, as `clicks` names them. */
export const sessionFields = (format: SessionFormat) => ({ ...FORMATS[format].fields });

/**
 * Reads a session log into the table `clicks` on `con`: `session`, `item`, `seconds` (NULL when the
 * row is rejected), and for rejected rows `reason` (`missing_id`, `unparseable_time`), `field` (the
 * file's column) and `value`, with `line` (the row's line in the file). Header names match whatever
 * their case, `_` or `-` (`sessionId`, `session_id`, `SessionId`); other columns are ignored.
 */
export async function stageClicks(con: DuckDBConnection, path: string, format: SessionFormat): Promise<void> {
  if (!existsSync(path)) throw new InputError(`${path}: no such file`);
  const f = FORMATS[format];
  try {
    await con.run(`CREATE TEMP TABLE src AS SELECT *, row_number() OVER () AS __row FROM ${f.read(path)}`);
  } catch (error) {
    throw new InputError(`${path}: not a ${format} file (${(error as Error).message.split('\n')[0]})`);
  }
  const plain = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
  const columns = (await queryRows(con, 'DESCRIBE src')).map((r) => String(r.column_name)).filter((c) => c !== '__row');
  const byPlain = new Map(columns.map((c) => [plain(c), c]));
  const needed =
    format === 'diginetica' ? [f.fields.session, f.fields.item, 'timeframe', 'eventdate'] : Object.values(f.fields);
  const missing = needed.filter((c) => !byPlain.has(c));
  if (missing.length)
    throw new InputError(`${path}: no column ${missing.join(', ')} (a ${format} file has ${needed.join(', ')})`);
  const quoted = (c: string) => `"${c.replaceAll('"', '""')}"`;
  await con.run(
    `CREATE TEMP VIEW named AS SELECT ${needed.map((c) => `${quoted(byPlain.get(c)!)} AS ${c}`).join(', ')}, __row FROM src`,
  );
  const { session, item, time } = f.fields;
  const check = (reason: string, field: string, fails: string) => ({ reason, field, fails });
  const checks = [
    check('missing_id', session, `nullif(trim(${session}), '') IS NULL`),
    check('missing_id', item, `nullif(trim(${item}), '') IS NULL`),
    check('unparseable_time', time, `(${f.seconds}) IS NULL`),
  ];
  const pick = (what: (c: (typeof checks)[number]) => string) =>
    `CASE ${checks.map((c) => `WHEN ${c.fails} THEN ${what(c)}`).join(' ')} END`;
  await con.run(
    `CREATE TEMP TABLE clicks AS SELECT trim(${session}) AS session, trim(${item}) AS item, (${f.seconds})::DOUBLE AS seconds,
      ${pick((c) => `'${c.reason}'`)} AS reason, ${pick((c) => `'${c.field}'`)} AS field,
      ${pick((c) => `${c.field}::VARCHAR`)} AS value, __row + ${f.headerLines} AS line
    FROM named ORDER BY __row`,
  );
  await con.run('DROP VIEW named');
  await con.run('DROP TABLE src');
}

/** Reads a session log; rows with an empty session or item, or a time that does not parse, are counted by reason and left out. */
export async function readClicks(path: string, format: SessionFormat): Promise<ReadClicks> {
  return withDuckDB(async (con) => {
    await stageClicks(con, path, format);
    const rows = await queryRows(con, 'SELECT session, item, seconds, reason, field, line FROM clicks ORDER BY line');
    const clicks: Click[] = [];
    const rejected: Record<string, number> = {};
    let firstRejected: ReadClicks['firstRejected'] = null;
    for (const r of rows) {
      if (r.reason === null) {
        clicks.push({ session: String(r.session), item: String(r.item), time: Number(r.seconds) });
        continue;
      }
      const why = String(r.reason);
      rejected[why] = (rejected[why] ?? 0) + 1;
      firstRejected ??= { line: Number(r.line), field: String(r.field), reason: why };
    }
    if (!clicks.length) {
      const first = firstRejected
        ? `; first at line ${firstRejected.line}, ${firstRejected.field}: ${firstRejected.reason}`
        : '';
      throw new InputError(`${path}: no click could be read (${rows.length} rows${first})`);
    }
    return { clicks, rows: rows.length, rejected, firstRejected };
  });
}
