import { describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, withDuckDB } from '../io/duckdb';
import { EVENT_COLUMNS, tableFromRows } from '../testing';
import {
  continuedSessionDays,
  mergedGroupsSql,
  mergedSessionsSql,
  sessionGroups,
  sessionize,
  summariseSessions,
} from './sessionize';

const T0 = Date.parse('2026-01-05T10:00:00Z');
const at = (minutes: number, seconds = 0) => new Date(T0 + minutes * 60_000 + seconds * 1000);

interface E {
  t: Date;
  user: number;
  session?: string | null;
  type?: string;
  product?: number | null;
}

/** Creates table `events` from rows. */
const loadEvents = (con: DuckDBConnection, rows: E[]) =>
  tableFromRows(
    con,
    'events',
    EVENT_COLUMNS,
    rows.map((r) => ({
      event_time: r.t,
      user_id: r.user,
      session_id: r.session ?? null,
      event_type: r.type ?? 'view',
      product_id: r.product ?? 1,
      price: 1,
      search_id: null,
    })),
  );

/** Sessionizes rows and returns [event time ms, user, session id] in output order. */
async function run(rows: E[], gap = 30): Promise<[number, number, string][]> {
  return withDuckDB(async (con: DuckDBConnection) => {
    await loadEvents(con, rows);
    await sessionize(con, gap);
    const out = await queryRows(con, 'SELECT event_time, user_id, session_id FROM sessionized');
    return out.map((r) => [(r.event_time as Date).getTime(), r.user_id as number, r.session_id as string]);
  });
}

describe('sessionize', () => {
  it('does not cut at exactly 30 minutes of inactivity, and cuts one second later', async () => {
    const exactly = await run([
      { t: at(0), user: 1 },
      { t: at(30), user: 1 },
    ]);
    expect(new Set(exactly.map((r) => r[2])).size).toBe(1);
    const longer = await run([
      { t: at(0), user: 1 },
      { t: at(30, 1), user: 1 },
    ]);
    expect(longer.map((r) => r[2])).toEqual(['u1#1', 'u1#2']);
  });

  it('keeps interleaved users apart', async () => {
    const rows = await run([
      { t: at(0), user: 1 },
      { t: at(1), user: 2 },
      { t: at(2), user: 1 },
      { t: at(3), user: 2 },
      { t: at(50), user: 2 },
    ]);
    expect(rows).toEqual([
      [at(0).getTime(), 1, 'u1#1'],
      [at(1).getTime(), 2, 'u2#1'],
      [at(2).getTime(), 1, 'u1#1'],
      [at(3).getTime(), 2, 'u2#1'],
      [at(50).getTime(), 2, 'u2#2'],
    ]);
  });

  it('keeps source session ids, and cuts an over-long source session into numbered pieces', async () => {
    const rows = await run([
      { t: at(0), user: 1, session: 'abc' },
      { t: at(10), user: 1, session: 'abc' },
      { t: at(100), user: 1, session: 'abc' },
      { t: at(5), user: 1, session: 'xyz' },
    ]);
    expect(rows.map((r) => r[2])).toEqual(['abc', 'xyz', 'abc', 'abc#2']);
  });

  it('respects the gap flag', async () => {
    const rows = await run(
      [
        { t: at(0), user: 1 },
        { t: at(8), user: 1 },
      ],
      5,
    );
    expect(rows.map((r) => r[2])).toEqual(['u1#1', 'u1#2']);
  });

  it('gives the same result for shuffled input, ties included', async () => {
    const events: E[] = [];
    let seed = 1;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 300; i++) {
      events.push({
        t: at(Math.floor(rand() * 600)),
        user: 1 + Math.floor(rand() * 5),
        session: rand() < 0.5 ? null : `s${Math.floor(rand() * 4)}`,
        type: ['view', 'click', 'add_to_cart', 'purchase'][Math.floor(rand() * 4)],
        product: Math.floor(rand() * 3),
      });
    }
    const ordered = await run([...events].sort((a, b) => a.t.getTime() - b.t.getTime()));
    const reversed = await run([...events].reverse());
    const shuffled = await run([...events].sort(() => rand() - 0.5));
    expect(reversed).toEqual(ordered);
    expect(shuffled).toEqual(ordered);
  });

  it('summarises sessions with start, end and funnel counts', async () => {
    const summary = await withDuckDB(async (con) => {
      await tableFromRows(con, 'events', EVENT_COLUMNS, [
        {
          event_time: at(0),
          user_id: 7,
          session_id: 's',
          event_type: 'view',
          product_id: 1,
          price: 2,
          search_id: null,
        },
        {
          event_time: at(1),
          user_id: 7,
          session_id: 's',
          event_type: 'add_to_cart',
          product_id: 1,
          price: 2,
          search_id: null,
        },
        {
          event_time: at(2),
          user_id: 7,
          session_id: 's',
          event_type: 'purchase',
          product_id: 1,
          price: 2,
          search_id: null,
        },
        {
          event_time: at(3),
          user_id: 8,
          session_id: 't',
          event_type: 'view',
          product_id: 2,
          price: 2,
          search_id: null,
        },
      ]);
      await sessionize(con);
      await summariseSessions(con);
      return queryRows(
        con,
        'SELECT session_id, user_id, start_time, end_time, events, carts, purchases, purchased FROM sessions',
      );
    });
    expect(summary).toEqual([
      {
        session_id: 's',
        user_id: 7,
        start_time: at(0),
        end_time: at(2),
        events: 3,
        carts: 1,
        purchases: 1,
        purchased: true,
      },
      {
        session_id: 't',
        user_id: 8,
        start_time: at(3),
        end_time: at(3),
        events: 1,
        carts: 0,
        purchases: 0,
        purchased: false,
      },
    ]);
  });

  it('goes on from the groups of earlier events exactly as if all had been cut at once', async () => {
    // Minutes after T0; the first part ends before minute 60, the second begins after it.
    const events: E[] = [
      { t: at(40), user: 1, session: 'a' },
      { t: at(55), user: 1, session: 'a' },
      { t: at(70), user: 1, session: 'a' }, // 15 minutes on: still 'a'
      { t: at(10), user: 2, session: 'b#9' }, // a source id with '#' in it
      { t: at(20), user: 3, session: 'c' }, // only in the first part
      { t: at(65), user: 2, session: 'b#9' }, // 55 minutes on: 'b#9#2'
      { t: at(0), user: 5 },
      { t: at(45), user: 5 }, // u5#2
      { t: at(70), user: 5 }, // 25 minutes on: still u5#2
      { t: at(110), user: 5 }, // u5#3
      { t: at(80), user: 6 },
    ];
    const cut = 'SELECT epoch_ms(event_time) AS t, session_id FROM sessionized';
    const sessionsSql =
      'SELECT session_id, user_id, start_time, end_time, events, views, purchased FROM sessions ORDER BY start_time, session_id';
    const result = await withDuckDB(async (con) => {
      await loadEvents(con, events);
      await sessionize(con);
      await sessionGroups(con);
      await summariseSessions(con);
      const whole = {
        cut: await queryRows(con, `${cut} ORDER BY t, session_id`),
        groups: await queryRows(con, 'SELECT * FROM session_groups ORDER BY grp'),
        sessions: await queryRows(con, sessionsSql),
      };
      await con.run('DROP TABLE events; DROP TABLE sessionized; DROP TABLE session_groups; DROP TABLE sessions');

      const first = events.filter((e) => e.t < at(60));
      await loadEvents(con, first);
      await sessionize(con);
      await sessionGroups(con);
      await summariseSessions(con);
      const cutFirst = await queryRows(con, cut);
      await con.run('ALTER TABLE session_groups RENAME TO before; ALTER TABLE sessions RENAME TO earlier');
      await con.run('DROP TABLE events; DROP TABLE sessionized');
      await loadEvents(
        con,
        events.filter((e) => e.t >= at(60)),
      );
      await sessionize(con, 30, 'before');
      await sessionGroups(con, 'before');
      await summariseSessions(con);
      const days = await continuedSessionDays(con, 'before');
      const cutSecond = await queryRows(con, cut);
      const touched = await queryRows(con, 'SELECT grp FROM session_groups ORDER BY grp');
      const groups = await queryRows(con, `SELECT * FROM ${mergedGroupsSql('before')} ORDER BY grp`);
      await con.run(`CREATE TABLE merged AS SELECT * FROM ${mergedSessionsSql('earlier')}`);
      const sessions = await queryRows(con, sessionsSql.replace('FROM sessions', 'FROM merged'));
      return { whole, parts: { cut: [...cutFirst, ...cutSecond], groups, sessions }, days, touched };
    });
    const ids = (rows: Record<string, unknown>[]) =>
      [...rows].sort((x, y) => Number(x.t) - Number(y.t) || String(x.session_id).localeCompare(String(y.session_id)));
    // Hand-cut: a gap of more than 30 minutes starts a piece, across the two parts too.
    expect(ids(result.parts.cut).map((r) => r.session_id)).toEqual([
      'u5#1',
      'b#9',
      'c',
      'a',
      'u5#2',
      'a',
      'b#9#2',
      'a',
      'u5#2',
      'u6#1',
      'u5#3',
    ]);
    expect(ids(result.parts.cut)).toEqual(result.whole.cut);
    expect(result.parts.groups).toEqual(result.whole.groups);
    // The second part touched every group but c, which the merge carries over as it was.
    expect(result.touched.map((g) => g.grp)).toEqual(['sa', 'sb#9', 'u5', 'u6']);
    expect(result.whole.groups.map((g) => [g.grp, g.pieces, (g.last_start as Date).getTime()])).toEqual([
      ['sa', 1, at(40).getTime()],
      ['sb#9', 2, at(65).getTime()],
      ['sc', 1, at(20).getTime()],
      ['u5', 3, at(110).getTime()],
      ['u6', 1, at(80).getTime()],
    ]);
    expect(result.parts.sessions).toEqual(result.whole.sessions);
    expect(result.whole.sessions.find((r) => r.session_id === 'u5#2')).toMatchObject({
      start_time: at(45),
      end_time: at(70),
      events: 2,
    });
    // 'a' and u5#2 began on the first part's day and went on into the second.
    expect(result.days).toEqual(['2026-01-05']);
  });

  it('rejects a non-positive gap', async () => {
    await expect(withDuckDB((con) => sessionize(con, 0))).rejects.toThrow(/positive/);
  });
});
