import { existsSync } from 'node:fs';
import { dataCatalog } from '../lib/catalog';
import { InputError, parseFlags, runStage, say } from '../lib/cli';
import { AtomicBatch, copyToParquet, queryRows, sqlString, withDuckDB } from '../lib/io/index';
import { DEFAULT_GAP_MINUTES, sessionize, summariseSessions } from '../lib/sessions';

await runStage('sessionize', async () => {
  const flags = parseFlags('npx tsx pipelines/sessionize.ts [--gap-minutes N] [--data DIR]', {
    data: {
      type: 'string',
      default: 'data',
      description: 'data folder: reads DIR/raw/events.parquet, writes DIR/interim/',
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
  if (!existsSync(catalog.raw.events))
    throw new InputError(`${catalog.raw.events}: no such file; run generate.ts or import.ts first`);
  const batch = new AtomicBatch();
  try {
    const summary = await withDuckDB(async (con) => {
      await con.run(`CREATE VIEW events AS SELECT * FROM read_parquet(${sqlString(catalog.raw.events)})`);
      say('sessionize: cutting sessions');
      await sessionize(con, gap);
      await summariseSessions(con);
      say('sessionize: writing');
      await copyToParquet(con, 'SELECT * FROM sessionized', catalog.interim.events, batch);
      await copyToParquet(con, 'SELECT * FROM sessions', catalog.interim.sessions, batch);
      const [counts] = await queryRows(
        con,
        `SELECT (SELECT count(*) FROM sessionized) AS events, count(*) AS sessions,
        count(*) FILTER (purchased) AS purchasing_sessions, (SELECT count(DISTINCT session_id) FROM events) AS source_sessions,
        round(avg(events), 2) AS mean_events_per_session FROM sessions`,
      );
      batch.commit();
      return counts;
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
