import type { DuckDBConnection } from '@duckdb/node-api';

import type { DataCatalog } from '../catalog';
import { InputError } from '../errors';
import { readColumns, sqlString, tableExists } from '../io/index';
import { Rng, shuffle } from '../random';
import { EVENT_ORDER, numberedSessionsSql } from '../sessions/index';
import { readCutoffs } from '../split/index';
import { type ClickColumns, prepareColumns, type PreparedLog } from './protocol';

/** The events that are a session's clicks: product views (what YooChoose and Diginetica publish). */
export const CLICK_EVENT = 'view';

/** A data folder's sessions under the protocol, split by the folder's own cut-offs. */
export interface SessionLog {
  log: PreparedLog;
  /** The most recent training sessions that start in the validation period: the re-ranker learns on their prefixes. */
  validSessions: number;
  /** Product views read (sessions of every split). */
  clicks: number;
  inputs: string[];
  /**
   * Every session as training, what `loadServingSessions` gives for the folder, prepared from the
   * views already read (a month's 40 M views take minutes to read again). The log holds the views'
   * columns until then.
   */
  serving(): PreparedLog;
}

/**
 * Every session's product views in event order as columns: session number, product, time (ms) and
 * the session's start (ms), each row's part given by `partOf(time, start)`. Sessions come in order
 * of their start (then number), each one's rows together: `prepareColumns` orders them by their
 * first click whatever the order of rows, and in this order it reads the rows almost in sequence
 * (by session number, which follows the ids' text, it jumped about tens of millions of rows).
 */
async function readClickColumns(
  con: DuckDBConnection,
  events: string,
  sessions: string,
  partOf: (time: number, start: number) => number,
): Promise<ClickColumns & { start: Float64Array }> {
  if (!tableExists(sessions)) throw new InputError(`${sessions}: no such file; run the data stages first (make data)`);
  const { rows: n, columns } = await readColumns(
    con,
    `SELECT n.session_number AS s, product_id AS p, epoch_ms(event_time) AS t, epoch_ms(n.start_time) AS start
     FROM read_parquet(${sqlString(events)}) JOIN (${numberedSessionsSql(sessions)}) n USING (session_id)
     WHERE event_type = '${CLICK_EVENT}' AND product_id IS NOT NULL
     ORDER BY n.start_time, n.session_number, ${EVENT_ORDER}`,
    { s: 'DOUBLE', p: 'DOUBLE', t: 'DOUBLE', start: 'DOUBLE' },
  );
  const c = { session: columns.s, item: columns.p, time: columns.t, start: columns.start, part: new Uint8Array(n) };
  for (let r = 0; r < n; r++) c.part[r] = partOf(c.time[r], c.start[r]);
  return c;
}

/**
 * Every session of a data folder as training (the service answers from all it has seen); items are
 * product ids as text.
 */
export async function loadServingSessions(con: DuckDBConnection, catalog: DataCatalog): Promise<PreparedLog> {
  const events = catalog.interim.events;
  if (!tableExists(events)) throw new InputError(`${events}: no such file; run the data stages first (make data)`);
  return prepareColumns(await readClickColumns(con, events, catalog.interim.sessions, () => 1));
}

/**
 * Reads a data folder's sessions as click sequences: every session's product views in event order.
 * Sessions are assigned to the split they start in (as the split stage does); training is every
 * session starting before the test period, cut at its start, so nothing of the test period is seen;
 * the test sessions are those starting in it. The protocol's filters then apply (`prepareLog`'s,
 * on columns: `prepareColumns`).
 */
export async function loadSessionLog(con: DuckDBConnection, catalog: DataCatalog): Promise<SessionLog> {
  const events = catalog.interim.events;
  for (const path of [events, catalog.interim.splits]) {
    if (!tableExists(path)) throw new InputError(`${path}: no such file; run the data stages first (make data)`);
  }
  const cutoffs = readCutoffs(catalog.interim.splits);
  const c = await readClickColumns(con, events, catalog.interim.sessions, (time, start) =>
    start >= cutoffs.test.from ? 2 : time < cutoffs.test.from ? 1 : 0,
  );
  // Training sessions starting in the validation period with two clicks or more (rows come by session).
  let validSessions = 0;
  for (let r = 0, run = 0; r < c.part.length; r++) {
    const inValid = c.part[r] === 1 && c.start[r] >= cutoffs.valid.from;
    run = inValid ? (r > 0 && c.session[r - 1] === c.session[r] ? run + 1 : 1) : 0;
    if (run === 2) validSessions++;
  }
  const { session, item, time } = c;
  return {
    log: prepareColumns(c),
    validSessions,
    clicks: c.part.length,
    inputs: [events, catalog.interim.sessions, catalog.interim.splits],
    serving: () => prepareColumns({ session, item, time, part: new Uint8Array(time.length).fill(1) }),
  };
}

/** At most `n` of the test sessions, a seeded sample kept in their order (all when there are fewer). */
export function sampleTestSessions(log: PreparedLog, n: number, seed: number): PreparedLog {
  if (log.test.length <= n) return log;
  const kept = shuffle(Rng.derive(seed, 'session-test-sessions'), [...log.test.keys()])
    .slice(0, n)
    .sort((a, b) => a - b);
  return { ...log, test: kept.map((i) => log.test[i]) };
}
