import { existsSync } from 'node:fs';

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
    seconds: "epoch(TRY_CAST(replace(replace(timestamp, 'T', ' '), 'Z', '') AS TIMESTAMP))",
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

/** Reads a session log; rows with an empty session or item, or a time that does not parse, are counted by reason and left out. */
export async function readClicks(path: string, format: SessionFormat): Promise<ReadClicks> {
  if (!existsSync(path)) throw new InputError(`${path}: no such file`);
  const f = FORMATS[format];
  return withDuckDB(async (con) => {
    try {
      await con.run(`CREATE TABLE src AS SELECT *, row_number() OVER () AS __row FROM ${f.read(path)}`);
    } catch (error) {
      throw new InputError(`${path}: not a ${format} file (${(error as Error).message.split('\n')[0]})`);
    }
    // Header names match whatever their case, `_` or `-` (`sessionId`, `session_id`, `SessionId`).
    const plain = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
    const columns = (await queryRows(con, 'DESCRIBE src'))
      .map((r) => String(r.column_name))
      .filter((c) => c !== '__row');
    const byPlain = new Map(columns.map((c) => [plain(c), c]));
    const needed =
      format === 'diginetica' ? [f.fields.session, f.fields.item, 'timeframe', 'eventdate'] : Object.values(f.fields);
    const missing = needed.filter((c) => !byPlain.has(c));
    if (missing.length)
      throw new InputError(`${path}: no column ${missing.join(', ')} (a ${format} file has ${needed.join(', ')})`);
    const quoted = (c: string) => `"${c.replaceAll('"', '""')}"`;
    await con.run(
      `CREATE VIEW named AS SELECT ${needed.map((c) => `${quoted(byPlain.get(c)!)} AS ${c}`).join(', ')}, __row FROM src`,
    );
    const { session, item, time } = f.fields;
    const reason = `CASE WHEN nullif(trim(${session}), '') IS NULL THEN 'session: empty'
      WHEN nullif(trim(${item}), '') IS NULL THEN 'item: empty'
      WHEN (${f.seconds}) IS NULL THEN 'time: not a time' END`;
    const rows = await queryRows(
      con,
      `SELECT trim(${session}) AS session, trim(${item}) AS item, (${f.seconds})::DOUBLE AS seconds, ${reason} AS reason, __row
      FROM named ORDER BY __row`,
    );
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
      if (!firstRejected) {
        const [field, text] = why.split(': ');
        firstRejected = { line: Number(r.__row) + f.headerLines, field: field === 'time' ? time : field, reason: text };
      }
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
