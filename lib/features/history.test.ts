import { describe, expect, it } from 'vitest';
import { queryRows, withDuckDB } from '../io/index';
import { EVENT_COLUMNS, tableFromRows } from '../testing';
import { createUserTotals } from './history';

const at = (day: number, hour: number, minute = 0) => new Date(Date.UTC(2026, 0, day, hour, minute));
const event = (
  session: string,
  time: Date,
  user: number | null,
  type: string,
  product: number,
  price: number | null,
) => ({
  event_time: time,
  user_id: user,
  session_id: session,
  event_type: type,
  product_id: product,
  price,
});

// By hand. User 1: session a crosses midnight (a priced view on Jan 1, a purchase of 10 on Jan 2),
// session b an unpriced view on Jan 2, and on Jan 3 session d, whose first event is anonymous, then
// a priced view of 10 by user 1. An anonymous session c on Jan 2 counts for nobody. A session
// counts once, on the day of its first event and for that event's user.
const EVENTS = [
  event('a', at(1, 23, 59), 1, 'view', 1, 10),
  event('a', at(2, 0, 1), 1, 'purchase', 1, 10),
  event('b', at(2, 10), 1, 'view', 2, null),
  event('c', at(2, 11), null, 'view', 2, 5),
  event('d', at(3, 10), null, 'view', 1, 10),
  event('d', at(3, 10, 1), 1, 'view', 1, 10),
];
const day = (d: number) => at(d, 0).toISOString();
const USER_1 = [
  { upto: day(1), events: 1, sessions: 1, purchases: 0, spend: 0, priced_views: 1, viewed_price: 10 },
  { upto: day(2), events: 3, sessions: 2, purchases: 1, spend: 10, priced_views: 1, viewed_price: 10 },
  { upto: day(3), events: 4, sessions: 2, purchases: 1, spend: 10, priced_views: 2, viewed_price: 20 },
];

const totals = (since?: Parameters<typeof createUserTotals>[1]) =>
  withDuckDB(async (con) => {
    await tableFromRows(con, 'events', EVENT_COLUMNS, EVENTS);
    await tableFromRows(con, 'products', { product_id: 'BIGINT', category_id: 'BIGINT' }, [
      { product_id: 1, category_id: 7 },
      { product_id: 2, category_id: 7 },
    ]);
    await con.run(`CREATE TABLE prior AS SELECT 1::BIGINT AS user_id, 1::BIGINT AS events, 1::BIGINT AS sessions,
      0::BIGINT AS purchases, 0::DECIMAL(38, 6) AS spend, 1::BIGINT AS priced_views, 10::DECIMAL(38, 6) AS viewed_price`);
    await con.run(
      `CREATE TABLE prior_categories AS SELECT 1::BIGINT AS user_id, 7::BIGINT AS category_id, 1::BIGINT AS events`,
    );
    await createUserTotals(con, since);
    return queryRows(
      con,
      `SELECT strftime(upto, '%Y-%m-%dT%H:%M:%S.000Z') AS upto, events::INT AS events, sessions::INT AS sessions,
        purchases::INT AS purchases, spend::DOUBLE AS spend, priced_views::INT AS priced_views, viewed_price::DOUBLE AS viewed_price
      FROM user_totals WHERE user_id = 1 ORDER BY upto`,
    );
  });

describe('user totals', () => {
  it('count events, sessions, purchases, spend and priced views by hand, day by day', async () => {
    expect(await totals()).toEqual(USER_1);
  });

  it('from a day on, going on from the totals before it, give the same rows: a session that began the day before is not counted again', async () => {
    const rows = await totals({
      from: '2026-01-02',
      priorUsers: 'prior',
      priorUserCategories: 'prior_categories',
      continuedSessions: "(SELECT 'a' AS session_id)",
    });
    expect(rows).toEqual(USER_1.slice(1));
  });
});
