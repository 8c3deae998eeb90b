import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataCatalog } from '../lib/catalog';
import { InputError, parseFlags, runStage, say } from '../lib/cli';
import {
  AtomicBatch,
  copyDaysToParquet,
  dayFiles,
  fileSha256,
  isDaysFolder,
  parquetFilesSql,
  parquetSql,
  queryRows,
  splitIntoDays,
  withDuckDB,
} from '../lib/io/index';
import {
  continuedSessionDays,
  DEFAULT_GAP_MINUTES,
  mergedSessionsSql,
  NO_GROUPS_BEFORE,
  SESSIONIZED_COLUMNS,
  sessionGroups,
  sessionize,
  summariseSessions,
  writeSessionGroups,
} from '../lib/sessions';

/** What the stage read last time (`catalog.interim.sessionized`): the gap, and each raw day file's sha256. */
interface Sessionized {
  gap_minutes: number;
  days: Record<string, string>;
}

await runStage('sessionize', async () => {
  const flags = parseFlags('npx tsx pipelines/sessionize.ts [--gap-minutes N] [--data DIR]', {
    data: {
      type: 'string',
      default: 'data',
      description: 'data folder: reads DIR/raw/events/, writes DIR/interim/',
    },
    'gap-minutes': {
      type: 'string',
      default: String(DEFAULT_GAP_MINUTES),
      description: 'inactivity longer than this starts a new session',
    },
  });
  const gap = Number(flags['gap-minutes']);
  if (!(gap > 0) || !Number.isFinite(gap))
    throw new InputError(`--gap-minutes must be a positive number, got '${flags['gap-minutes']}'`);
  const catalog = dataCatalog(flags.data);
  if (await splitIntoDays(catalog.raw.legacyEvents, 'event_time', catalog.raw.eventDays))
    say(`sessionize: ${catalog.raw.legacyEvents} (an older shoplab's single file) is now a file per day`);
  if (!isDaysFolder(catalog.raw.eventDays))
    throw new InputError(`${catalog.raw.eventDays}: no day files of events; run generate.ts or import.ts first`);

  // Only the days after those already sessionized are read, when the earlier ones are unchanged.
  const raw = dayFiles(catalog.raw.eventDays).map((d) => ({ ...d, sha: fileSha256(d.path) }));
  const record: Sessionized = { gap_minutes: gap, days: Object.fromEntries(raw.map((d) => [d.day, d.sha])) };
  const previous = readRecord(catalog.interim.sessionized);
  const known = previous ? Object.keys(previous.days).sort() : [];
  // Incremental when every day cut before is unchanged, the gap is the same, the outputs are there
  // and every raw day not cut yet is later than those.
  const lastKnown = known.at(-1);
  const incremental =
    previous !== null &&
    lastKnown !== undefined &&
    previous.gap_minutes === gap &&
    known.every((day) => record.days[day] === previous.days[day]) &&
    raw.every((d) => d.day in previous.days || d.day > lastKnown) &&
    isDaysFolder(catalog.interim.sessionGroupDays) &&
    isDaysFolder(catalog.interim.eventDays) &&
    isDaysFolder(catalog.interim.sessionDays);
  const fresh = incremental ? raw.filter((d) => !(d.day in previous.days)) : raw;
  if (previous && !incremental) say('sessionize: the raw days changed (or the gap did): cutting every day again');
  else if (incremental) say(`sessionize: ${fresh.length} new day(s) after ${lastKnown}`);

  const batch = new AtomicBatch();
  try {
    const summary = await withDuckDB(async (con) => {
      const before = incremental ? parquetSql(catalog.interim.sessionGroups) : NO_GROUPS_BEFORE;
      await con.run(
        fresh.length > 0
          ? `CREATE VIEW events AS SELECT * FROM ${parquetFilesSql(fresh.map((d) => d.path))}`
          : `CREATE VIEW events AS SELECT * FROM ${parquetSql(catalog.raw.events)} WHERE false`,
      );
      say('sessionize: cutting sessions');
      await sessionize(con, gap, before);
      await sessionGroups(con, before);
      await summariseSessions(con);
      say('sessionize: writing');
      await copyDaysToParquet(con, 'sessionized', 'event_time', catalog.interim.eventDays, batch, {
        replace: !incremental,
        columns: SESSIONIZED_COLUMNS,
      });
      if (incremental) {
        // The days whose sessions went on into the new days are rewritten with them merged.
        const continued = await continuedSessionDays(con, before);
        const earlier = dayFiles(catalog.interim.sessionDays).filter((d) => continued.includes(d.day));
        await copyDaysToParquet(
          con,
          mergedSessionsSql(
            earlier.length > 0 ? parquetFilesSql(earlier.map((d) => d.path)) : '(SELECT * FROM sessions WHERE false)',
          ),
          'start_time',
          catalog.interim.sessionDays,
          batch,
          { replace: false, orderBy: 'start_time, session_id' },
        );
      } else
        await copyDaysToParquet(con, 'sessions', 'start_time', catalog.interim.sessionDays, batch, { replace: true });
      await writeSessionGroups(con, catalog.interim.sessionGroupDays, before, incremental, batch);
      writeFileSync(batch.add(catalog.interim.sessionized), `${JSON.stringify(record, null, 2)}\n`);
      // The single files of the layout before day files go.
      for (const legacy of ['events.parquet', 'sessions.parquet', 'session_groups.parquet'])
        batch.remove(join(catalog.interim.dir, legacy));
      batch.commit();
      const [counts] = await queryRows(
        con,
        `SELECT (SELECT count(*) FROM ${parquetSql(catalog.interim.events)}) AS events, count(*) AS sessions,
        count(*) FILTER (purchased) AS purchasing_sessions,
        (SELECT count(*) FROM ${parquetSql(catalog.interim.sessionGroups)} WHERE starts_with(grp, 's')) AS source_sessions,
        round(avg(events), 2) AS mean_events_per_session FROM ${parquetSql(catalog.interim.sessions)}`,
      );
      return { ...counts, days: raw.length, days_sessionized: fresh.length };
    });
    return {
      summary: {
        gap_minutes: gap,
        ...summary,
        paths: { events: catalog.interim.events, sessions: catalog.interim.sessions },
      },
      metaPath: catalog.runMeta('sessionize'),
    };
  } finally {
    batch.discard();
  }
});

function readRecord(path: string): Sessionized | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Sessionized;
  } catch {
    return null;
  }
}
