import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { dataCatalog } from '../catalog';
import { queryRows, sqlString, withDuckDB } from '../io/duckdb';
import { tableSha256 } from '../io/index';
import {
  LIVE_STATES_FILE,
  loadInteractions,
  loadRecommendModel,
  loadStates,
  openStates,
  liveStates,
  topIndices,
} from '../recommend/index';
import { readProduction, versionDir, writeProduction } from '../registry/index';
import { childPids, runStageScript, runStages, startServer, tempDir } from '../testing';
import { loadServingSessions, loadServingSources, openNextItemModel, SERVING_SOURCES_FILE } from '../nextitem/index';
import { buildApp, loadProductionModels, MAX_BATCH } from '.';

const data = join(tempDir('shoplab-recommend-'), 'data');
const catalog = dataCatalog(data);
let app: FastifyInstance;
/** product_id → top-level group, and the products of each group. */
let groupOf: Map<number, string>;
let byGroup: Map<string, number[]>;

beforeAll(async () => {
  runStages(data, [
    ['generate', ['--events', '40000', '--seed', '5']],
    ['sessionize', []],
    ['split', []],
    ['features', []],
    ['train', ['--family', 'recommend']],
    ['promote', ['--family', 'recommend']],
    ['train', ['--family', 'session']],
    ['promote', ['--family', 'session']],
  ]);
  const rows = await withDuckDB((con) =>
    queryRows(
      con,
      `SELECT product_id, split_part(category_path, ' > ', 1) AS grp FROM read_parquet(${sqlString(catalog.raw.products)}) ORDER BY product_id`,
    ),
  );
  groupOf = new Map(rows.map((r) => [r.product_id as number, r.grp as string]));
  byGroup = new Map();
  for (const [p, g] of groupOf) byGroup.set(g, [...(byGroup.get(g) ?? []), p]);
  app = await buildApp({ dataDir: data });
}, 180_000);

afterAll(async () => {
  await app?.close();
});

const post = (payload: unknown) =>
  app.inject({
    method: 'POST',
    url: '/v1/events',
    payload: JSON.stringify(payload),
    headers: { 'content-type': 'application/json' },
  });
const recommend = async (user: number, k = 20) => {
  const r = await app.inject(`/v1/recommend/${user}?k=${k}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as {
    cold_start: boolean;
    known_user: boolean;
    recent_items: number;
    items: { product_id: number; score: number; sources: Record<string, number> }[];
  };
};
const event = (user: number, product: number | null, second: number, type = 'view') => ({
  event_time: `2026-05-01T10:${String(Math.floor(second / 60)).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}Z`,
  user_id: user,
  session_id: `live-${user}`,
  event_type: type,
  product_id: product,
});

/** A product view of an anonymous visitor (no user_id), at 10:00 plus `second`, or at an explicit time. */
const anonymous = (session: string, product: number, second: number, time?: string) => ({
  event_time: time ?? event(0, product, second).event_time,
  session_id: session,
  event_type: 'view',
  product_id: product,
});
const sessionList = async (session: string, k = 20) => {
  const r = await app.inject(`/v1/recommend/session/${encodeURIComponent(session)}?k=${k}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as {
    model_version: number;
    cold_start: boolean;
    known_session: boolean;
    clicks: number;
    from_user_history: boolean;
    items: { product_id: number; score: number | null }[];
  };
};

describe('anonymous sessions', () => {
  it('an unknown session gets the most viewed products, counted independently in SQL', async () => {
    const r = await sessionList('never-seen');
    expect(r).toMatchObject({ cold_start: true, known_session: false, clicks: 0, from_user_history: false });
    expect(r.items).toHaveLength(20);
    // Views per product over the sessions the model learns from (two views or more), most first.
    const counts = await withDuckDB((con) =>
      queryRows(
        con,
        `WITH v AS (SELECT session_id, product_id FROM read_parquet(${sqlString(catalog.interim.events)}) WHERE event_type = 'view' AND product_id IS NOT NULL),
         kept AS (SELECT session_id FROM v GROUP BY session_id HAVING count(*) >= 2)
         SELECT product_id, count(*)::INTEGER AS n FROM v WHERE session_id IN (SELECT session_id FROM kept) GROUP BY product_id ORDER BY n DESC`,
      ),
    );
    const n = new Map(counts.map((c) => [Number(c.product_id), Number(c.n)]));
    const twentieth = Number(counts[19].n);
    const listed = r.items.map((i) => n.get(i.product_id)!);
    expect(listed.every((x) => x >= twentieth)).toBe(true);
    expect(listed).toEqual([...listed].sort((a, b) => b - a));
  });

  it('events without a user are accepted, and each one changes the very next answer', async () => {
    const products = [...groupOf.keys()];
    const session = 'anon-1';
    let previous = await sessionList(session);
    for (let i = 0; i < 4; i++) {
      const r = await post(anonymous(session, products[(i * 53) % products.length], i));
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ accepted: 1, unknown_products: 0, users: 0, sessions: 1 });
      const next = await sessionList(session);
      expect(next).toMatchObject({ cold_start: false, known_session: true, clicks: i + 1, from_user_history: false });
      expect(next.items.map((x) => x.product_id)).not.toEqual(previous.items.map((x) => x.product_id));
      // Scores come from the re-ranker, best first.
      const scores = next.items.map((x) => x.score!);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      previous = next;
    }
    expect((await sessionList(session, 5)).items).toEqual(previous.items.slice(0, 5));
  });

  it("a session of a known user with no view yet starts from the user's history", async () => {
    const user = 900_000_020;
    const products = [...groupOf.keys()];
    expect((await post(products.slice(0, 3).map((p, i) => event(user, p, i)))).statusCode).toBe(200);
    const search = { ...event(user, null, 5, 'search'), session_id: 'user-session-2' };
    expect((await post(search)).statusCode).toBe(200);
    const r = await sessionList('user-session-2');
    expect(r).toMatchObject({ cold_start: false, known_session: true, from_user_history: true, clicks: 3 });
  });

  it('a session idle longer than the session gap leaves memory', async () => {
    const products = [...groupOf.keys()];
    expect((await post(anonymous('idle', products[1], 0, '2026-06-01T08:00:00Z'))).statusCode).toBe(200);
    expect(await sessionList('idle')).toMatchObject({ known_session: true, clicks: 1 });
    expect((await post(anonymous('later', products[2], 0, '2026-06-01T08:29:00Z'))).statusCode).toBe(200);
    expect(await sessionList('idle')).toMatchObject({ known_session: true });
    expect((await post(anonymous('later', products[3], 0, '2026-06-01T08:31:01Z'))).statusCode).toBe(200);
    expect(await sessionList('idle')).toMatchObject({ known_session: false, cold_start: true });
    expect(await sessionList('later')).toMatchObject({ known_session: true, clicks: 2 });
  });

  it('an anonymous view of a product the catalogue does not know is accepted and counted', async () => {
    const r = await post(anonymous('anon-unknown', 999_999_999, 0));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ accepted: 1, unknown_products: 1, users: 0, sessions: 1 });
    expect(await sessionList('anon-unknown')).toMatchObject({ known_session: true, clicks: 0, cold_start: true });
  });

  it('checks k, and a bad user_id is named', async () => {
    const bad = await app.inject('/v1/recommend/session/x?k=0');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('k: must be from 1');
    const r = await post({ ...anonymous('s', [...groupOf.keys()][0], 0), user_id: -3 });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ field: 'user_id' });
  });
});

describe('cold start and live updates', () => {
  it("keeps a user's answer until that user's next event, whoever else posts", async () => {
    const [user, other] = [900_300_001, 900_300_002];
    const products = [...groupOf.keys()];
    for (const u of [user, other]) expect((await post(event(u, products[3], 1))).statusCode).toBe(200);
    const first = await recommend(user, 7);
    expect(await recommend(user, 7)).toEqual(first);
    expect((await post(event(other, products[50], 2))).statusCode).toBe(200);
    expect(await recommend(user, 7)).toEqual(first);
    expect((await post(event(user, products[90], 3))).statusCode).toBe(200);
    const after = await recommend(user, 7);
    expect(after.recent_items).toBe(first.recent_items + 1);
    expect(after).not.toEqual(first);
  });

  it('an unknown user gets trending and popular products', async () => {
    const r = await recommend(900_000_001);
    expect(r).toMatchObject({ cold_start: true, known_user: false, recent_items: 0 });
    expect(r.items).toHaveLength(20);
    // Independently: the model's 20 most popular and 20 most trending products.
    const model = loadRecommendModel(
      versionDir(catalog.models.family('recommend'), readProduction(catalog.models.family('recommend'))!.version),
    );
    const allowed = new Set(
      [...topIndices(model.popularity.popular, 20, true), ...topIndices(model.popularity.trending, 20, false)].map(
        (p) => model.products.ids[p],
      ),
    );
    for (const item of r.items) {
      expect(allowed.has(item.product_id), `${item.product_id}`).toBe(true);
      expect([item.sources.covisit, item.sources.embedding, item.sources.category]).toEqual([0, 0, 0]);
    }
  });

  it('after a few events the list moves toward the category the user touched, and the very next request shows each event', async () => {
    const user = 900_000_002;
    const before = await recommend(user);
    // The group that the cold-start list shows least of, so the shift cannot come from popularity.
    const groups = [...byGroup.keys()].sort(
      (a, b) =>
        before.items.filter((i) => groupOf.get(i.product_id) === a).length -
          before.items.filter((i) => groupOf.get(i.product_id) === b).length || (a < b ? -1 : 1),
    );
    const target = groups[0];
    const share = (items: { product_id: number }[]) =>
      items.filter((i) => groupOf.get(i.product_id) === target).length / items.length;
    const products = byGroup.get(target)!.slice(0, 5);
    let previous = before;
    for (const [i, p] of products.entries()) {
      const r = await post(event(user, p, i, i % 2 ? 'click' : 'view'));
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toEqual({ accepted: 1, unknown_products: 0, users: 1, sessions: 1 });
      const now = await recommend(user);
      expect(now.recent_items).toBe(i + 1);
      expect(now.cold_start).toBe(false);
      expect(now.items).not.toEqual(previous.items);
      previous = now;
    }
    expect(share(before.items)).toBeLessThan(0.2);
    expect(share(previous.items)).toBeGreaterThanOrEqual(0.5);
  });

  it('a batch is applied as a whole, and unknown products are accepted and counted', async () => {
    const user = 900_000_003;
    const [a, b] = byGroup.values().next().value!;
    const r = await post([
      event(user, a, 1),
      event(user, b, 2, 'add_to_cart'),
      event(user, 999_999_999, 3),
      { ...event(user, null, 4, 'search'), search_id: 5 },
    ]);
    expect(r.json()).toEqual({ accepted: 4, unknown_products: 1, users: 1, sessions: 1 });
    expect((await recommend(user)).recent_items).toBe(2);
  });
});

describe('bad events and requests', () => {
  const good = event(900_000_004, 1, 1);
  const cases: [string, unknown, number, string][] = [
    ['no event_time', { ...good, event_time: undefined }, 400, 'event_time'],
    ['event_time not a date', { ...good, event_time: '2026-02-30T10:00:00Z' }, 400, 'event_time'],
    ['negative user_id', { ...good, user_id: -3 }, 400, 'user_id'],
    ['user_id as a string', { ...good, user_id: '7' }, 400, 'user_id'],
    ['no session_id', { ...good, session_id: undefined }, 400, 'session_id'],
    ['unknown event_type', { ...good, event_type: 'like' }, 400, 'event_type'],
    ['view without a product', { ...good, product_id: null }, 400, 'product_id'],
    ['fractional product_id', { ...good, product_id: 1.5 }, 400, 'product_id'],
    ['negative price', { ...good, price: -1 }, 400, 'price'],
    ['unknown field', { ...good, colour: 'red' }, 400, 'colour'],
    ['not an object', 5, 400, '(body)'],
    ['empty batch', [], 400, '(body)'],
    ['batch too large', Array.from({ length: MAX_BATCH + 1 }, () => good), 413, '(body)'],
  ];
  it.each(cases)('%s: a 4xx naming the field', async (_name, body, status, field) => {
    const r = await post(body);
    expect(r.statusCode, r.body).toBe(status);
    expect(r.json().field).toBe(field);
    expect(r.json().message).toContain(field);
  });

  it('a batch with bad events names each by index and field, and records none of it', async () => {
    const user = 900_000_005;
    const logSize = statSync(catalog.live.events).size;
    const r = await post([
      event(user, 1, 1),
      { ...event(user, 2, 2), event_time: 'noon' },
      event(user, 3, 3),
      { ...event(user, 4, 4), user_id: 'x', event_type: 'poke' },
    ]);
    expect(r.statusCode).toBe(400);
    const answer = r.json();
    expect(answer.message).toMatch(/^2 of 4 events are invalid, so none was recorded/);
    expect(answer.problems.map((p: { field: string }) => p.field)).toEqual([
      '[1].event_time',
      '[3].user_id',
      '[3].event_type',
    ]);
    expect(statSync(catalog.live.events).size).toBe(logSize);
    expect((await recommend(user)).known_user).toBe(false);
  });

  it('/v1/recommend checks the user id and k', async () => {
    for (const [url, field] of [
      ['/v1/recommend/abc', 'user_id'],
      ['/v1/recommend/1?k=0', 'k'],
      ['/v1/recommend/1?k=101', 'k'],
      ['/v1/recommend/1?k=x', 'k'],
      ['/v1/recommend/1?n=3', 'n'],
    ] as const) {
      const r = await app.inject(url);
      expect(r.statusCode, url).toBe(400);
      expect(r.json().field, url).toBe(field);
    }
    expect((await recommend(1, 5)).items).toHaveLength(5);
  });

  it('/metrics counts ingested events and live sessions, and passes promtool', async () => {
    // Counted from what this test posts, whatever other tests posted before it.
    const ingested = async () =>
      Number(/shoplab_events_ingested_total (\d+)/.exec((await app.inject('/metrics')).body)?.[1] ?? NaN);
    const before = await ingested();
    const product = [...groupOf.keys()][0];
    expect((await post([event(900_000_777, product, 0), event(900_000_777, product, 1)])).statusCode).toBe(200);
    expect(await ingested()).toBe(before + 2);
    // A new anonymous session is one more session held in memory.
    const live = async () =>
      Number(/shoplab_live_sessions (\d+)/.exec((await app.inject('/metrics')).body)?.[1] ?? NaN);
    const sessionsBefore = await live();
    expect((await post(anonymous('metrics-session', product, 2))).statusCode).toBe(200);
    expect(await live()).toBe(sessionsBefore + 1);
    // A session idle past the gap, once a later event arrives, is counted as expired.
    const expired = async () =>
      Number(/shoplab_live_sessions_expired (\d+)/.exec((await app.inject('/metrics')).body)?.[1] ?? NaN);
    const expiredBefore = await expired();
    expect((await post(anonymous('metrics-idle', product, 0, '2027-01-01T08:00:00Z'))).statusCode).toBe(200);
    expect((await post(anonymous('metrics-later', product, 0, '2027-01-01T09:00:00Z'))).statusCode).toBe(200);
    expect(await expired()).toBeGreaterThan(expiredBefore);
    const metrics = (await app.inject('/metrics')).body;
    const version = (await app.inject('/v1/models'))
      .json()
      .find((m: { family: string }) => m.family === 'recommend').version;
    expect(metrics).toContain(`shoplab_model_version{family="recommend"} ${version}`);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });
});

describe('a new production version', () => {
  it('/v1/models/reload rebuilds every live state from the history and the event log', async () => {
    const user = 900_000_006;
    const products = [...groupOf.keys()].slice(0, 3);
    expect((await post(products.map((p, i) => event(user, p, i)))).statusCode).toBe(200);
    const before = await recommend(user);
    const run = runStageScript('train', ['--family', 'recommend', '--data', data]);
    expect(run.status, run.stderr).toBe(0);
    writeProduction(catalog.models.family('recommend'), { version: 2, reason: 'test' });
    const reload = await app.inject({ method: 'POST', url: '/v1/models/reload' });
    expect(reload.json()).toMatchObject({ before: { recommend: 1 }, after: { recommend: 2 } });
    // Retraining on the same data gives the same model, so the rebuilt states must give the same list.
    expect(await recommend(user)).toEqual({ ...before, model_version: 2 });
    expect(
      (await app.inject('/v1/models')).json().find((m: { family: string }) => m.family === 'recommend').version,
    ).toBe(2);
  }, 60_000);
});

describe('start-up', () => {
  it('reads the live states the training stage replayed, equal to replaying the history now', async () => {
    const dir = versionDir(
      catalog.models.family('recommend'),
      readProduction(catalog.models.family('recommend'))!.version,
    );
    const model = loadRecommendModel(dir);
    const events = await withDuckDB((con) =>
      loadInteractions(con, catalog.interim.events, catalog.interim.sessions, model.products),
    );
    const replayed = liveStates(events, model.products);
    expect(replayed.size).toBeGreaterThan(100);
    const path = join(dir, LIVE_STATES_FILE);
    // Every user's state is found by id in the file (loadStates reads each through openStates' search).
    expect(loadStates(path, tableSha256(catalog.interim.events))).toEqual(replayed);
    const stored = openStates(path, tableSha256(catalog.interim.events))!;
    expect(stored.size).toBe(replayed.size);
    const ids = [...replayed.keys()].sort((a, b) => a - b);
    for (const absent of [ids[0] - 1, ids.at(-1)! + 1, ids[0] + 0.5]) expect(stored.get(absent)).toBeUndefined();
    // Stamped with another history, it is not used.
    expect(loadStates(path, 'another history')).toBeNull();
  });

  it("reads the session version's sessions and item-to-item lists, giving the answers of sources fitted now", async () => {
    const version = loadProductionModels(catalog).session!;
    const dir = versionDir(catalog.models.family('session'), version.version);
    const path = join(dir, SERVING_SOURCES_FILE);
    const kept = loadServingSources(path, tableSha256(catalog.interim.events))!;
    const log = await withDuckDB((con) => loadServingSessions(con, catalog));
    expect(kept.log.items).toEqual(log.items);
    expect(kept.log.train.map((t) => Array.from(t))).toEqual(log.train.map((t) => Array.from(t)));
    const fitted = openNextItemModel(dir, version.booster, log);
    const fromFile = openNextItemModel(dir, version.booster, kept.log, kept.lists);
    const plain = (lists: Record<string, Int32Array[]>) =>
      Object.fromEntries(Object.entries(lists).map(([name, l]) => [name, l.map((x) => Array.from(x))]));
    expect(Object.keys(kept.lists).sort()).toEqual(['ar', 'sr']);
    expect(plain(fromFile.sourceLists())).toEqual(plain(fitted.sourceLists()));
    for (const session of log.train.slice(-30)) {
      const prefix = session.subarray(0, Math.max(1, session.length - 1));
      expect(fromFile.rank(prefix, 20)).toEqual(fitted.rank(prefix, 20));
    }
    expect(loadServingSources(path, 'another history')).toBeNull();
  });
});

describe('durability', () => {
  it('SIGKILL loses no acknowledged event: the restarted service replays its log', async () => {
    const dir = join(tempDir('shoplab-recommend-kill-'), 'data');
    cpSync(data, dir, { recursive: true });
    rmSync(dataCatalog(dir).live.dir, { recursive: true, force: true });
    const users = [900_100_001, 900_100_002];
    let server = await startServer(dir);
    const lists: unknown[] = [];
    try {
      const products = [...groupOf.keys()];
      for (let batch = 0; batch < 3; batch++) {
        const body = Array.from({ length: 10 }, (_, i) =>
          event(users[i % 2], products[(batch * 37 + i * 11) % products.length], batch * 10 + i),
        );
        const r = await fetch(`${server.url}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(r.status).toBe(200);
      }
      // And an anonymous session's views, one event per request.
      for (let i = 0; i < 5; i++) {
        const r = await fetch(`${server.url}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(anonymous('anon-kill', products[(i * 29) % products.length], 40 + i)),
        });
        expect(r.status).toBe(200);
      }
      for (const u of users) lists.push(await (await fetch(`${server.url}/v1/recommend/${u}`)).json());
      lists.push(await (await fetch(`${server.url}/v1/recommend/session/anon-kill`)).json());
    } finally {
      process.kill(-server.child.pid!, 'SIGKILL');
    }
    expect(lists.at(-1)).toMatchObject({ clicks: 5, cold_start: false });
    const log = dataCatalog(dir).live.events;
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(35);
    // A write cut short by the crash: never acknowledged, so the restart drops it.
    appendFileSync(log, '{"event_time":"2026-05-01T10:');
    server = await startServer(dir);
    try {
      for (const [i, u] of users.entries())
        expect(await (await fetch(`${server.url}/v1/recommend/${u}`)).json()).toEqual(lists[i]);
      expect(await (await fetch(`${server.url}/v1/recommend/session/anon-kill`)).json()).toEqual(lists.at(-1));
      expect(readFileSync(log, 'utf8').endsWith('}\n')).toBe(true);
    } finally {
      process.kill(-server.child.pid!, 'SIGKILL');
    }
  }, 120_000);

  it('with two workers: every worker sees an acknowledged event, a killed worker or primary loses none, reload swaps both, metrics sum both', async () => {
    const dir = join(tempDir('shoplab-recommend-cluster-'), 'data');
    cpSync(data, dir, { recursive: true });
    rmSync(dataCatalog(dir).live.dir, { recursive: true, force: true });
    // Two category versions, the first in production: the reload moves both workers to the second.
    const versions = [1, 2].map(() => {
      const run = runStageScript('train', ['--family', 'category', '--data', dir]);
      expect(run.status, run.stderr).toBe(0);
      return JSON.parse(run.stdout.trim().split('\n').at(-1)!).version as number;
    });
    writeProduction(dataCatalog(dir).models.family('category'), { version: versions[0], reason: 'test' });
    const env = { ...process.env, WORKERS: '2' };
    let server = await startServer(dir, env);
    const served = new Map<string, number>(); // recommend answers by worker pid
    // A new connection per request: the cluster deals connections to the workers in turn.
    const call = async (path: string, init: RequestInit = {}) => {
      const r = await fetch(`${server.url}${path}`, {
        ...init,
        headers: { ...init.headers, connection: 'close' },
        signal: AbortSignal.timeout(30_000),
      });
      const worker = r.headers.get('x-shoplab-worker')!;
      expect(r.status, `${path} on worker ${worker}: ${await r.clone().text()}`).toBe(200);
      return { worker, body: (path === '/metrics' ? await r.text() : await r.json()) as any };
    };
    const postEvents = (body: unknown) =>
      call('/v1/events', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    /** Asks until both workers of the moment answered; each answer must be the same. */
    const fromEveryWorker = async (path: string) => {
      const seen = new Map<string, unknown>();
      for (let i = 0; seen.size < 2; i++) {
        expect(i, `two workers answering ${path}`).toBeLessThan(40);
        const { worker, body } = await call(path);
        if (path.startsWith('/v1/recommend/')) served.set(worker, (served.get(worker) ?? 0) + 1);
        seen.set(worker, body);
      }
      const [first, second] = [...seen.values()];
      expect(second).toEqual(first);
      return { workers: [...seen.keys()], body: first };
    };
    const user = 900_200_001;
    const products = [...groupOf.keys()];
    let second = 0;
    const postViews = async (n: number) => {
      for (let i = 0; i < n; i++) await postEvents(event(user, products[(second * 13) % products.length], second++));
    };
    const workersOf = (pid: number) =>
      childPids(pid).filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('serve.ts'));
    try {
      // Each event is acknowledged once both workers applied it: the very next answer, from either, counts it.
      for (let round = 1; round <= 3; round++) {
        await postViews(1);
        expect((await fromEveryWorker(`/v1/recommend/${user}`)).body).toMatchObject({ recent_items: round });
      }
      // A worker killed: the other answers meanwhile, and its replacement catches up with what was posted while it loaded.
      const [victim, survivor] = workersOf(server.child.pid!);
      process.kill(victim, 'SIGKILL');
      // Once the primary has reaped it, no connection is dealt to it any more (one dealt in the instant
      // it died would go unanswered: never acknowledged, so a client's retry loses nothing).
      for (let i = 0; existsSync(`/proc/${victim}`); i++) {
        expect(i, 'the primary reaps the killed worker').toBeLessThan(100);
        await new Promise((r) => setTimeout(r, 50));
      }
      await postViews(3);
      // Until the replacement answers (it loads while the survivor serves).
      for (let i = 0; ; i++) {
        expect(i, 'a replacement worker answers').toBeLessThan(300);
        const { worker } = await call('/health');
        if (worker !== String(victim) && worker !== String(survivor)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const answer = await fromEveryWorker(`/v1/recommend/${user}`);
      expect(answer.workers).not.toContain(String(victim));
      expect(answer.body).toMatchObject({ recent_items: 6, known_user: true });
      // Metrics are every live worker's, summed.
      const metrics = (await call('/metrics')).body as string;
      const counted = Number(
        /shoplab_http_requests_total\{route="\/v1\/recommend\/:user_id",method="GET",status="200"\} (\d+)/.exec(
          metrics,
        )![1],
      );
      expect(counted).toBe(workersOf(server.child.pid!).reduce((sum, p) => sum + (served.get(String(p)) ?? 0), 0));
      // A reload asked of one worker swaps both.
      writeProduction(dataCatalog(dir).models.family('category'), { version: versions[1], reason: 'test' });
      const reload = await call('/v1/models/reload', { method: 'POST' });
      expect(reload.body.after.category).toBe(versions[1]);
      const models = (await fromEveryWorker('/v1/models')).body as { family: string; version: number }[];
      expect(models.find((m) => m.family === 'category')!.version).toBe(versions[1]);
      // The primary killed: its workers go with it, and the restarted service has every acknowledged event.
      const before = (await fromEveryWorker(`/v1/recommend/${user}`)).body;
      const workers = workersOf(server.child.pid!);
      process.kill(server.child.pid!, 'SIGKILL');
      for (let i = 0; workers.some((p) => existsSync(`/proc/${p}`)); i++) {
        expect(i, 'the workers exit with their primary').toBeLessThan(50);
        await new Promise((r) => setTimeout(r, 100));
      }
      server = await startServer(dir, env);
      expect((await fromEveryWorker(`/v1/recommend/${user}`)).body).toEqual(before);
      expect(readFileSync(dataCatalog(dir).live.events, 'utf8').trim().split('\n')).toHaveLength(6);
    } finally {
      try {
        process.kill(-server.child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, 240_000);
});
