import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DataCatalog } from '../catalog';
import {
  AtomicBatch,
  copyDaysToParquet,
  copyToParquetFile,
  dayFiles,
  dayStart,
  daysGlob,
  emptyDayFile,
  isDaysFolder,
  parquetFilesSql,
  queryRows,
  sqlString,
} from '../io/index';
import { purchaseCutsSql, recommendSessionsSql } from './examples';
import {
  type EventDay,
  eventDaysChange,
  type EventDaysRecord,
  eventDaysRecord,
  type HistoryUpdate,
  readEventDaysRecord,
  sessionizedEventDays,
  withEvents,
} from './history-store';

/**
 * What each session gives the examples, kept a file per day the session began under
 * `features/sessions/<table>/`: the purchase prefixes (`purchaseCutsSql`) and the recommend
 * targets (`recommendSessionsSql`). A session's rows depend on its own events alone, so a new
 * day of events computes only the sessions that began on it or went on into it; the examples
 * then join every session's rows to the splits, which move with the new day.
 */
export const SESSION_TABLES = {
  purchase_cuts: { sql: purchaseCutsSql, time: 'first_time', order: 'session_id, cut' },
  recommend_sessions: { sql: recommendSessionsSql, time: 'start_time', order: 'session_id' },
} as const;
export type SessionTable = keyof typeof SESSION_TABLES;

/** The SQL the files were computed with, recorded beside them: files another shoplab's SQL wrote are computed again. */
const sqlSha256 = () =>
  createHash('sha256')
    .update(
      Object.values(SESSION_TABLES)
        .map((t) => t.sql())
        .join('\n'),
    )
    .digest('hex');

/**
 * Brings the data folder's session files up to date with its sessionized events, all or nothing,
 * then creates views `purchase_cuts` and `recommend_sessions` on `con` over them (what
 * `buildTrainingSets` reads with `sessionsReady`). `con` has view `events` (every sessionized
 * event). When the first new or changed event day is D, the sessions that began on D or after, and
 * those that began before it and went on into it (with every session that began on their days),
 * are computed again from their events; every earlier day's files stay byte for byte. A day that
 * went, a new first day, or files another version of this SQL wrote, computes every day again.
 */
export async function updateSessionExamples(
  con: DuckDBConnection,
  catalog: DataCatalog,
  onStep: (step: string) => void = () => {},
  days: EventDay[] = sessionizedEventDays(catalog),
): Promise<HistoryUpdate> {
  const store = catalog.features.sessionExamples;
  const tables = Object.keys(SESSION_TABLES) as SessionTable[];
  const record = readEventDaysRecord(store.record) as (EventDaysRecord & { sql?: string }) | null;
  const change = eventDaysChange(record, days);
  const kept = change.kept && record?.sql === sqlSha256() && tables.every((t) => isDaysFolder(store.table(t)));
  // The first day whose files are computed again: the changed day, or the first day a session
  // going on into it began.
  let from: string | null = kept ? change.changed : null;
  if (from !== null) {
    const before = dayFiles(catalog.interim.sessionDays).filter((d) => d.day < from!);
    if (before.length > 0) {
      const [r] = await queryRows(
        con,
        `SELECT strftime(min(start_time), '%Y-%m-%d') AS day FROM ${parquetFilesSql(before.map((d) => d.path))}
        WHERE end_time >= ${dayStart(from)}`,
      );
      if (r.day !== null && String(r.day) < from) from = String(r.day);
    }
  }
  const update: HistoryUpdate = !kept ? 'every day' : from === null ? 'unchanged' : `from ${from}`;
  if (update !== 'unchanged') {
    // The events of the sessions that began on `from` or after (all of them, every day).
    let events: string | null = null;
    if (from !== null) {
      const sessions = dayFiles(catalog.interim.sessionDays).filter((d) => d.day >= from!);
      const eventFiles = days.filter((d) => d.day >= from!);
      events =
        sessions.length > 0
          ? `(SELECT * FROM ${parquetFilesSql(eventFiles.map((d) => d.path))}
            WHERE session_id IN (SELECT session_id FROM ${parquetFilesSql(sessions.map((d) => d.path))}))`
          : `(SELECT * FROM ${parquetFilesSql(eventFiles.map((d) => d.path))} WHERE false)`;
    }
    const batch = new AtomicBatch();
    try {
      for (const t of tables) {
        onStep(`sessions: ${t}`);
        const { sql, time, order } = SESSION_TABLES[t];
        await withEvents(con, events, () => con.run(`CREATE OR REPLACE TEMP TABLE session_rows AS ${sql()}`));
        const dir = store.table(t);
        const written = await copyDaysToParquet(con, 'session_rows', time, dir, batch, {
          replace: from === null,
          orderBy: order,
        });
        if (from !== null) {
          // The days from `from` on that no longer have rows go; a folder left without days gets the empty marker.
          const stale = dayFiles(dir).filter((d) => d.day >= from! && !written.includes(d.day));
          for (const d of stale) batch.remove(d.path);
          if (written.length === 0 && dayFiles(dir).every((d) => d.day >= from!))
            await copyToParquetFile(con, 'SELECT * FROM session_rows WHERE false', batch.add(emptyDayFile(dir)));
        }
        await con.run('DROP TABLE session_rows');
      }
      const next = { ...eventDaysRecord(days), sql: sqlSha256() };
      writeFileSync(batch.add(store.record), `${JSON.stringify(next, null, 2)}\n`);
      batch.commit();
    } finally {
      batch.discard();
    }
  }
  for (const t of tables)
    await con.run(`CREATE OR REPLACE VIEW ${t} AS SELECT * FROM read_parquet(${sqlString(daysGlob(store.table(t)))})`);
  return update;
}
