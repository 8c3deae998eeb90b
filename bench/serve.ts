/**
 * The prediction service under load, against a server in its own processes (as make serve runs it: bundled,
 * then plain node, so its CPU time is the server's own), with realistic varied bodies: the 200 most searched queries
 * each with its 100 most-shown products (/v1/rank), 200 test sessions' first five events one at a
 * time and 100 at a time (/v1/predict/purchase), 200 products (/v1/predict/category). For each:
 * flat out (a closed loop of 10 connections: throughput), then an evenly paced open loop at fixed
 * rates it can hold (latency from each request's scheduled send time: no coordinated omission; a
 * rate above 90 % of the flat-out one is reported as skipped), with the server's CPU time per
 * request (the primary's and every worker's); /v1/recommend for known users flat out, then paced
 * at 500/s while as many events a second are posted (to a temporary event log); and the seconds
 * from start to /ready. WORKERS passes through (default: one worker per core).
 * `npx tsx bench/serve.ts [--data DIR] [--seconds N]`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { dataCatalog } from '../lib/catalog';
import { parseFlags } from '../lib/cli';
import { queryRows, sqlString, withDuckDB } from '../lib/io/index';
import { EVENT_ORDER } from '../lib/sessions/index';
import { ROOT, tempDir, treeCpuSeconds } from '../lib/testing';
import { closeConnections, closedLoop, openLoop, type PacedRequest } from './open-loop';
import { report } from './report';

const flags = parseFlags('npx tsx bench/serve.ts [--data DIR] [--seconds N] [--port N]', {
  data: { type: 'string', default: 'data', description: 'a data folder with production models (make models)' },
  seconds: { type: 'string', default: '10', description: 'seconds per run' },
  port: { type: 'string', default: '8099', description: 'port for the server under test' },
});
const seconds = Number(flags.seconds);
const catalog = dataCatalog(flags.data);
const { sessions, products, searches } = await withDuckDB(async (con) => {
  const events = await queryRows(
    con,
    `SELECT session_id, strftime(event_time, '%Y-%m-%dT%H:%M:%S.%fZ') AS event_time, event_type, user_id, product_id, price
    FROM (SELECT *, row_number() OVER (PARTITION BY session_id ORDER BY ${EVENT_ORDER}) AS k FROM read_parquet(${sqlString(catalog.interim.events)})
          WHERE session_id IN (SELECT DISTINCT session_id FROM read_parquet(${sqlString(catalog.features.set('purchase', 'test'))}) ORDER BY session_id LIMIT 200))
    WHERE k <= 5 ORDER BY session_id, k`,
  );
  const bySession = new Map<string, Record<string, unknown>[]>();
  for (const { session_id, ...e } of events)
    bySession.set(String(session_id), [...(bySession.get(String(session_id)) ?? []), e]);
  const products = await queryRows(
    con,
    `SELECT title, brand, seller_id, price FROM read_parquet(${sqlString(catalog.raw.products)}) ORDER BY hash(product_id) LIMIT 200`,
  );
  // The 200 most searched queries, each with its 100 most-shown products, by a user who searched it.
  const rows = await queryRows(
    con,
    `WITH q AS (SELECT query, count(*) AS n, min(user_id) AS user_id FROM read_parquet(${sqlString(catalog.raw.impressions)})
                GROUP BY query ORDER BY n DESC, query LIMIT 200),
          shown AS (SELECT query, product_id, count(*) AS n FROM read_parquet(${sqlString(catalog.raw.impressions)})
                    WHERE query IN (SELECT query FROM q) GROUP BY ALL),
          top AS (SELECT query, list(product_id ORDER BY n DESC, product_id)[1:100] AS product_ids FROM shown GROUP BY query)
     SELECT q.query, q.user_id, top.product_ids FROM q JOIN top USING (query) ORDER BY q.n DESC, q.query`,
  );
  const searches = rows.map((r) => ({
    query: String(r.query),
    ...(r.user_id === null ? {} : { user_id: Number(r.user_id) }),
    product_ids: (r.product_ids as unknown[]).map(Number),
  }));
  return { sessions: [...bySession.values()].map((events) => ({ events })), products, searches };
});

const eventLog = join(tempDir('shoplab-bench-serve-'), 'events.jsonl');
// The service as make serve runs it: bundled (scripts/bundle-serve.mjs), then plain node.
const bundleStarted = performance.now();
const bundled = spawnSync(process.execPath, ['scripts/bundle-serve.mjs', '--outdir', 'build/bench-serve'], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (bundled.status !== 0) process.exit(1);
const bundleSeconds = (performance.now() - bundleStarted) / 1000;
const startedAt = performance.now();
const server = spawn(
  process.execPath,
  [join(ROOT, 'build/bench-serve/serve.js'), '--data', flags.data, '--event-log', eventLog],
  {
    cwd: ROOT,
    env: { ...process.env, PORT: flags.port },
    stdio: ['ignore', 'ignore', 'pipe'],
  },
);
await new Promise<void>((resolve, reject) => {
  server.stderr.on('data', (chunk) => {
    if (String(chunk).includes('serve: http')) resolve();
  });
  server.on('exit', (code) => reject(new Error(`the server exited (${code})`)));
});
const base = `http://127.0.0.1:${flags.port}`;
for (;;) {
  const r = await fetch(`${base}/ready`).catch(() => null);
  if (r?.ok) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
report('serve-ready-after-start', {
  seconds: (performance.now() - startedAt) / 1000,
  bundle_seconds: bundleSeconds,
  workers: Number(process.env.WORKERS ?? (await import('node:os')).availableParallelism()),
});

const cases: { name: string; rates: number[]; body: (i: number) => unknown; path: string; rows: number }[] = [
  { name: 'rank-100', path: '/v1/rank', rows: 1, rates: [500, 1000], body: (i) => searches[i % searches.length] },
  {
    name: 'purchase-1',
    path: '/v1/predict/purchase',
    rows: 1,
    rates: [500],
    body: (i) => ({ sessions: [sessions[i % sessions.length]] }),
  },
  {
    name: 'purchase-100',
    path: '/v1/predict/purchase',
    rows: 100,
    rates: [100],
    body: (i) => ({ sessions: sessions.slice((i % 2) * 100, (i % 2) * 100 + 100) }),
  },
  {
    name: 'category-1',
    path: '/v1/predict/category',
    rows: 1,
    rates: [500],
    body: (i) => ({ products: [products[i % products.length]] }),
  },
];
const cpu = () => treeCpuSeconds(server.pid!);
try {
  for (const c of cases) {
    const next = (i: number): PacedRequest => ({ kind: c.name, method: 'POST', path: c.path, body: c.body(i) });
    await closedLoop(base, next, 10, 2); // warm-up
    let before = cpu();
    const flat = await closedLoop(base, next, 10, seconds);
    report(`serve-${c.name}-flat-out-c10`, {
      ...flat,
      rows_per_second: flat.per_second * c.rows,
      server_cpu_ms_per_request: ((cpu() - before) * 1000) / flat.requests,
    });
    for (const rate of c.rates) {
      // A rate the service cannot hold only grows a queue: it is named, not run for minutes.
      if (rate > 0.9 * flat.per_second) {
        report(`serve-${c.name}-open-loop-${rate}-per-s`, { skipped: 1, flat_out_per_second: flat.per_second });
        continue;
      }
      before = cpu();
      const paced = (await openLoop(base, next, rate, seconds))[c.name];
      report(`serve-${c.name}-open-loop-${rate}-per-s`, {
        ...paced,
        server_cpu_ms_per_request: ((cpu() - before) * 1000) / paced.requests,
      });
    }
  }
  // Known users' recommendations, flat out; then paced at 500/s with 500 events a second posted between them.
  const users = [...new Set(sessions.flatMap((s) => s.events.map((e) => e.user_id)).filter((u) => u !== null))];
  const recommend = (i: number): PacedRequest => ({
    kind: 'recommend',
    method: 'GET',
    path: `/v1/recommend/${users[i % users.length]}?k=20`,
  });
  await closedLoop(base, recommend, 10, 2);
  let before = cpu();
  const flat = await closedLoop(base, recommend, 10, seconds);
  report('serve-recommend-flat-out-c10', {
    ...flat,
    server_cpu_ms_per_request: ((cpu() - before) * 1000) / flat.requests,
  });
  const viewed = sessions.flatMap((s) => s.events).filter((e) => e.user_id !== null && e.product_id !== null);
  const mixed = (i: number): PacedRequest => {
    if (i % 2 === 1) return recommend(i >> 1);
    const e = viewed[(i >> 1) % viewed.length];
    return {
      kind: 'event',
      method: 'POST',
      path: '/v1/events',
      body: {
        event_time: new Date().toISOString(),
        user_id: e.user_id,
        session_id: `bench-${e.user_id}`,
        event_type: 'view',
        product_id: e.product_id,
      },
    };
  };
  before = cpu();
  const paced = await openLoop(base, mixed, 1000, seconds);
  const requests = paced.all.requests;
  report('serve-recommend-open-loop-500-per-s-with-500-events-per-s', {
    ...paced.recommend,
    events_p99_ms: paced.event.p99_ms,
    events_failed: paced.event.failed,
    server_cpu_ms_per_request: ((cpu() - before) * 1000) / requests,
  });
} finally {
  closeConnections();
  server.kill('SIGTERM');
}
