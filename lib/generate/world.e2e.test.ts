import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dataCatalog } from '../catalog';
import { queryRows, withDuckDB } from '../io/duckdb';
import { folderHashes, runStageScript, tempDir } from '../testing';
import { tableSha256 } from '../io/fingerprint';
import { catalogSize } from './catalog';
import { CATEGORY_TREE } from './vocabulary';

const EVENTS = 40_000;
const base = tempDir('shoplab-world-');
const dirA = join(base, 'a');
const dirB = join(base, 'b');
const dirC = join(base, 'c');
const raw = dataCatalog(dirA).raw;
const q = (sql: string) => withDuckDB((con) => queryRows(con, sql));
const t = (path: string) => `read_parquet('${path}')`;

let summary: Record<string, any>;

beforeAll(() => {
  const a = runStageScript('generate', ['--seed', '11', '--events', String(EVENTS), '--threads', '2', '--data', dirA]);
  expect(a.status, a.stderr).toBe(0);
  summary = a.summary!;
});

describe('generate: the stage', () => {
  it('is byte-identical for the same seed and flags, on one thread or two, and differs for another seed', () => {
    expect(
      runStageScript('generate', ['--seed', '11', '--events', String(EVENTS), '--threads', '1', '--data', dirB]).status,
    ).toBe(0);
    expect(runStageScript('generate', ['--seed', '12', '--events', String(EVENTS), '--data', dirC]).status).toBe(0);
    const a = folderHashes(raw.dir);
    // The events, a file per day.
    const days = Object.keys(a).filter((f) => f.startsWith('events/'));
    expect(days.length).toBeGreaterThan(1);
    expect(days.every((f) => /^events\/\d{4}-\d{2}-\d{2}\.parquet$/.test(f))).toBe(true);
    expect(Object.keys(a).filter((f) => !f.startsWith('events/'))).toEqual([
      'impressions.parquet',
      'products.parquet',
      'source.json',
      'truth_impressions.parquet',
      'truth_sessions.parquet',
      'users.parquet',
    ]);
    expect(folderHashes(dataCatalog(dirB).raw.dir)).toEqual(a);
    expect(tableSha256(dataCatalog(dirC).raw.events)).not.toEqual(tableSha256(raw.events));
  });

  it('prints a JSON summary whose counts match the files', async () => {
    expect(summary.stage).toBe('generate');
    const [counts] =
      await q(`SELECT (SELECT count(*) FROM ${t(raw.events)}) AS events, (SELECT count(*) FROM ${t(raw.products)}) AS products,
      (SELECT count(*) FROM ${t(raw.users)}) AS users, (SELECT count(*) FROM ${t(raw.impressions)}) AS impressions`);
    expect(counts).toEqual({
      events: summary.events,
      products: summary.products,
      users: summary.users,
      impressions: summary.impressions,
    });
    // The session count is planned for the requested events: within a few percent (more at this small scale).
    expect(Math.abs(summary.events - EVENTS) / EVENTS).toBeLessThan(0.08);
  });

  it('refuses bad flags with exit 2 and a message naming the flag', () => {
    const bad = runStageScript('generate', ['--events', 'many', '--data', join(base, 'bad')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--events must be a whole number/);
    const unknown = runStageScript('generate', ['--evnts', '5']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/evnts/);
  });
});

describe('generate: the world is believable', () => {
  it('has a category tree of at least 10 top-level and 60 leaf categories, all with products', async () => {
    expect(CATEGORY_TREE.length).toBeGreaterThanOrEqual(10);
    const [c] = await q(
      `SELECT count(DISTINCT category_id) AS leaves, count(DISTINCT split_part(category_path, ' > ', 1)) AS tops FROM ${t(raw.products)}`,
    );
    expect(c.tops).toBeGreaterThanOrEqual(10);
    expect(c.leaves).toBeGreaterThanOrEqual(60);
  });

  it('gives a few thousand sellers at the default scale, and Zipf-popular brands', async () => {
    expect(catalogSize(2_000_000).sellerCount).toBeGreaterThanOrEqual(2_000);
    const brands = await q(`SELECT brand, count(*) AS n FROM ${t(raw.products)} GROUP BY brand ORDER BY n DESC`);
    // Heavy head: the biggest brand has many times the products of the median brand.
    expect(brands[0].n).toBeGreaterThan(4 * (brands[Math.floor(brands.length / 2)].n as number));
  });

  it('prices products by category, with discounts below the base price', async () => {
    const [p] =
      await q(`SELECT count(*) FILTER (price > base_price) AS above, count(*) FILTER (price < base_price) AS discounted, count(*) AS n,
      min(price) AS lo FROM ${t(raw.products)}`);
    expect(p.above).toBe(0);
    expect((p.discounted as number) / (p.n as number)).toBeGreaterThan(0.15);
    expect(p.lo).toBeGreaterThan(0);
    const byTop = await q(
      `SELECT split_part(category_path, ' > ', 1) AS top, median(base_price) AS m FROM ${t(raw.products)} GROUP BY top`,
    );
    const median = Object.fromEntries(byTop.map((r) => [r.top, r.m as number]));
    expect(median.Electronics).toBeGreaterThan(3 * median.Grocery);
  });

  it('has all four personas, and they buy at different rates', async () => {
    const rows = await q(`SELECT u.persona, avg(CASE WHEN e.event_type = 'purchase' THEN 1 ELSE 0 END) AS rate
      FROM ${t(raw.events)} e JOIN ${t(raw.users)} u USING (user_id) GROUP BY u.persona`);
    const rate = Object.fromEntries(rows.map((r) => [r.persona, r.rate as number]));
    expect(Object.keys(rate).sort()).toEqual(['browser', 'deal_hunter', 'loyal_buyer', 'researcher']);
    expect(rate.loyal_buyer).toBeGreaterThan(2 * rate.browser);
  });

  it("records each user's first_seen as their first event", async () => {
    const [m] = await q(`SELECT count(*) AS mismatches FROM ${t(raw.users)} u
      JOIN (SELECT user_id, min(event_time) AS first FROM ${t(raw.events)} GROUP BY user_id) f USING (user_id) WHERE u.first_seen <> f.first`);
    expect(m.mismatches).toBe(0);
  });

  it("drifts shoppers' category interests: early and late sessions differ more than alternate sessions", async () => {
    // Views of one session cluster (a search's clicks share a category), so halves are made of whole sessions.
    const rows = await q(`SELECT e.user_id, e.session_id, split_part(p.category_path, ' > ', 1) AS top
      FROM ${t(raw.events)} e JOIN ${t(raw.products)} p USING (product_id)
      WHERE e.event_type = 'view' ORDER BY e.user_id, e.event_time, e.session_id, e.product_id`);
    const byUser = new Map<number, Map<string, string[]>>();
    for (const r of rows) {
      const sessions = byUser.get(r.user_id as number) ?? new Map<string, string[]>();
      sessions.set(r.session_id as string, [...(sessions.get(r.session_id as string) ?? []), r.top as string]);
      byUser.set(r.user_id as number, sessions);
    }
    const distance = (a: string[], b: string[]) => {
      let d = 0;
      for (const k of new Set([...a, ...b]))
        d += Math.abs(a.filter((x) => x === k).length / a.length - b.filter((x) => x === k).length / b.length);
      return d / 2;
    };
    let early = 0;
    let alternate = 0;
    let users = 0;
    for (const sessionMap of byUser.values()) {
      const sessions = [...sessionMap.values()];
      if (sessions.length < 8) continue;
      const half = Math.floor(sessions.length / 2);
      early += distance(sessions.slice(0, half).flat(), sessions.slice(half).flat());
      alternate += distance(
        sessions.filter((_, i) => i % 2 === 0).flat(),
        sessions.filter((_, i) => i % 2 === 1).flat(),
      );
      users++;
    }
    expect(users).toBeGreaterThan(50);
    // Measured here: 1.11 with drift, 1.04 with drift switched off.
    expect(early / users).toBeGreaterThan(1.07 * (alternate / users));
  });

  it('has daily and weekly seasonality', async () => {
    const [h] =
      await q(`SELECT count(*) FILTER (hour(event_time) BETWEEN 19 AND 21) AS evening, count(*) FILTER (hour(event_time) BETWEEN 2 AND 4) AS night,
      count(*) FILTER (isodow(event_time) >= 6) / 2 AS weekend_day, count(*) FILTER (isodow(event_time) <= 3) / 3 AS early_week_day FROM ${t(raw.events)}`);
    expect(h.evening).toBeGreaterThan(5 * (h.night as number));
    expect(h.weekend_day).toBeGreaterThan(1.1 * (h.early_week_day as number));
  });

  it('spans the requested 90 days', async () => {
    const [r] = await q(`SELECT min(event_time) AS first, max(event_time) AS last FROM ${t(raw.events)}`);
    expect((r.first as Date).toISOString() >= '2026-01-01').toBe(true);
    expect((r.first as Date).toISOString() < '2026-01-02').toBe(true);
    expect((r.last as Date).toISOString() >= '2026-03-30').toBe(true);
  });

  it('writes search queries with synonyms and misspellings, not only catalogue nouns', async () => {
    const nouns = new Set(CATEGORY_TREE.flatMap((c) => c.leaves.map((l) => l.nouns[0])));
    const queries = (await q(`SELECT DISTINCT query FROM ${t(raw.impressions)}`)).map((r) => r.query as string);
    const plainNoun = queries.filter((x) => nouns.has(x));
    const synonyms = new Set(CATEGORY_TREE.flatMap((c) => c.leaves.flatMap((l) => l.nouns.slice(1))));
    const allWords = new Set(
      [...CATEGORY_TREE.flatMap((c) => [...c.adjectives, ...c.leaves.flatMap((l) => l.nouns)])].flatMap((w) =>
        w.split(' '),
      ),
    );
    expect(plainNoun.length).toBeGreaterThan(0);
    expect(queries.some((x) => synonyms.has(x))).toBe(true);
    // A misspelt query has a word that is in no vocabulary list and is not a brand (brands are lower-cased syllables).
    const brands = new Set(
      (await q(`SELECT DISTINCT lower(brand) AS b FROM ${t(raw.products)}`)).map((r) => r.b as string),
    );
    expect(queries.some((x) => x.split(' ').some((w) => !allWords.has(w) && !brands.has(w)))).toBe(true);
  });
});

describe('generate: the funnel holds in every session', () => {
  const before = (
    type: string,
    earlier: string,
  ) => `SELECT count(*) AS n FROM ${t(raw.events)} x WHERE x.event_type = '${type}' AND NOT EXISTS (
      SELECT 1 FROM ${t(raw.events)} y WHERE y.session_id = x.session_id AND y.product_id = x.product_id AND y.event_type = '${earlier}' AND y.event_time <= x.event_time)`;

  it('has no click without a view, no cart without a click, no removal without a cart', async () => {
    for (const [type, earlier] of [
      ['click', 'view'],
      ['add_to_cart', 'click'],
      ['remove_from_cart', 'add_to_cart'],
    ]) {
      const [r] = await q(before(type, earlier));
      expect(r.n, `${type} without an earlier ${earlier}`).toBe(0);
    }
  });

  it('buys only products that were carted in the session and not removed since', async () => {
    const [r] = await q(`SELECT count(*) AS n FROM ${t(raw.events)} p WHERE p.event_type = 'purchase' AND NOT EXISTS (
      SELECT 1 FROM ${t(raw.events)} c WHERE c.session_id = p.session_id AND c.product_id = p.product_id AND c.event_type = 'add_to_cart'
        AND c.event_time <= p.event_time AND NOT EXISTS (
          SELECT 1 FROM ${t(raw.events)} r WHERE r.session_id = p.session_id AND r.product_id = p.product_id AND r.event_type = 'remove_from_cart'
            AND r.event_time > c.event_time AND r.event_time <= p.event_time))`);
    expect(r.n).toBe(0);
    const [buys] = await q(`SELECT count(*) AS n FROM ${t(raw.events)} WHERE event_type = 'purchase'`);
    expect(buys.n).toBeGreaterThan(0);
  });

  it('ties every impression to its search event: same search id, session, user and time', async () => {
    const [r] =
      await q(`SELECT count(*) AS n, count(e.search_id) AS matched FROM (SELECT DISTINCT search_id, session_id, user_id, event_time FROM ${t(raw.impressions)}) i
      LEFT JOIN ${t(raw.events)} e ON e.event_type = 'search' AND e.search_id = i.search_id AND e.session_id = i.session_id AND e.user_id = i.user_id AND e.event_time = i.event_time`);
    expect(r.n).toBeGreaterThan(0);
    expect(r.matched).toBe(r.n);
  });

  it('keeps impressions consistent: purchased implies carted implies clicked, and clicks are events', async () => {
    const [r] =
      await q(`SELECT count(*) FILTER (purchased AND NOT carted) AS bought_uncarted, count(*) FILTER (carted AND NOT clicked) AS carted_unclicked,
      count(*) FILTER (clicked) AS clicks FROM ${t(raw.impressions)}`);
    expect(r.bought_uncarted).toBe(0);
    expect(r.carted_unclicked).toBe(0);
    const [e] = await q(
      `SELECT count(*) AS n FROM ${t(raw.events)} WHERE event_type = 'click' AND search_id IS NOT NULL`,
    );
    expect(e.n).toBe(r.clicks);
  });
});

describe('generate: truth', () => {
  it('has one truth row per impression, and outcomes agree with the recorded probabilities', async () => {
    const [r] = await q(`SELECT count(*) AS n, avg(i.clicked::INT) AS clicked, avg(p_click) AS p_click,
        sum(i.carted::INT) / sum(i.clicked::INT) AS cart_rate, sum(p_cart * i.clicked::INT) / sum(i.clicked::INT) AS p_cart
      FROM ${t(raw.impressions)} i JOIN ${t(raw.truthImpressions)} t USING (search_id, position)`);
    const [n] = await q(`SELECT count(*) AS n FROM ${t(raw.impressions)}`);
    expect(r.n).toBe(n.n);
    const se = Math.sqrt((r.p_click as number) / (r.n as number));
    expect(Math.abs((r.clicked as number) - (r.p_click as number))).toBeLessThan(4 * se);
    expect(Math.abs((r.cart_rate as number) - (r.p_cart as number))).toBeLessThan(0.02);
  }, 60_000);

  it('shows position bias: lower positions are clicked less at equal truth', async () => {
    const rows = await q(
      `SELECT position, avg(clicked::INT) AS ctr FROM ${t(raw.impressions)} GROUP BY position ORDER BY position`,
    );
    expect(rows[0].ctr).toBeGreaterThan(rows[4].ctr as number);
    expect(rows[4].ctr).toBeGreaterThan(rows[9].ctr as number);
  });

  it('purchase probability per session matches how often sessions purchase', async () => {
    const [r] = await q(`SELECT avg(p_purchase) AS p, count(*) AS n,
      (SELECT count(DISTINCT session_id) FROM ${t(raw.events)} WHERE event_type = 'purchase') AS purchased FROM ${t(raw.truthSessions)}`);
    const rate = (r.purchased as number) / (r.n as number);
    expect(Math.abs(rate - (r.p as number))).toBeLessThan(4 * Math.sqrt(rate / (r.n as number)));
  });
});
