/**
 * Load on the prediction service with autocannon: latency percentiles and throughput of
 * /v1/rank (100 candidates), /v1/predict/purchase (batches of 1 and 100 sessions) and /v1/predict/category (1 product), at 10
 * and 50 connections, against a server in its own process. `npx tsx bench/serve.ts [--data DIR] [--seconds N]`.
 */
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { dataCatalog } from '../lib/catalog';
import { parseFlags } from '../lib/cli';
import { queryRows, sqlString, withDuckDB } from '../lib/io/index';
import { EVENT_ORDER } from '../lib/sessions/index';
import { report } from './report';

const flags = parseFlags('npx tsx bench/serve.ts [--data DIR] [--seconds N] [--port N]', {
  data: { type: 'string', default: 'data', description: 'a data folder with production models (make models)' },
  seconds: { type: 'string', default: '10', description: 'seconds per run' },
  port: { type: 'string', default: '8099', description: 'port for the server under test' },
});
const catalog = dataCatalog(flags.data);
// Real session prefixes (the first five events of test-period sessions) and real products.
const { sessions, products, rank } = await withDuckDB(async (con) => {
  const events = await queryRows(
    con,
    `SELECT session_id, strftime(event_time, '%Y-%m-%dT%H:%M:%S.%fZ') AS event_time, event_type, user_id, product_id, price
    FROM (SELECT *, row_number() OVER (PARTITION BY session_id ORDER BY ${EVENT_ORDER}) AS k FROM read_parquet(${sqlString(catalog.interim.events)})
          WHERE session_id IN (SELECT session_id FROM read_parquet(${sqlString(catalog.features.set('purchase', 'test'))}) ORDER BY session_id LIMIT 100))
    WHERE k <= 5 ORDER BY session_id, k`,
  );
  const bySession = new Map<string, Record<string, unknown>[]>();
  for (const { session_id, ...e } of events)
    bySession.set(String(session_id), [...(bySession.get(String(session_id)) ?? []), e]);
  const products = await queryRows(
    con,
    `SELECT title, brand, seller_id, price FROM read_parquet(${sqlString(catalog.raw.products)}) ORDER BY product_id LIMIT 1`,
  );
  // The most frequent query, with the 100 products most often shown for it (and others to make up 100).
  const [q] = await queryRows(
    con,
    `SELECT query FROM read_parquet(${sqlString(catalog.raw.impressions)}) GROUP BY query ORDER BY count(*) DESC, query LIMIT 1`,
  );
  const candidates = await queryRows(
    con,
    `SELECT product_id FROM (
      SELECT product_id, count(*) AS n FROM read_parquet(${sqlString(catalog.raw.impressions)}) WHERE query = ${sqlString(String(q.query))} GROUP BY product_id
      UNION ALL SELECT product_id, 0 AS n FROM read_parquet(${sqlString(catalog.raw.products)}))
    GROUP BY product_id ORDER BY max(n) DESC, product_id LIMIT 100`,
  );
  const rank = {
    query: String(q.query),
    user_id: Number(
      (await queryRows(con, `SELECT min(user_id) AS u FROM read_parquet(${sqlString(catalog.raw.users)})`))[0].u,
    ),
    product_ids: candidates.map((r) => Number(r.product_id)),
  };
  return { sessions: [...bySession.values()].map((events) => ({ events })), products, rank };
});

const server = spawn('node_modules/.bin/tsx', ['pipelines/serve.ts', '--data', flags.data], {
  env: { ...process.env, PORT: flags.port },
  stdio: ['ignore', 'ignore', 'pipe'],
});
await new Promise<void>((resolve, reject) => {
  server.stderr.on('data', (chunk) => {
    if (String(chunk).includes('serve: http')) resolve();
  });
  server.on('exit', (code) => reject(new Error(`the server exited (${code})`)));
});
try {
  const cases = [
    { name: 'rank-100', path: '/v1/rank', body: rank },
    { name: 'purchase-batch-1', path: '/v1/predict/purchase', body: { sessions: sessions.slice(0, 1) } },
    { name: 'purchase-batch-100', path: '/v1/predict/purchase', body: { sessions } },
    { name: 'category-1', path: '/v1/predict/category', body: { products } },
  ];
  // Each case flat out at 10 and 50 connections; ranking also held at the goal's 500 requests per second.
  const runs = cases.flatMap((c) => [10, 50].map((connections) => ({ ...c, connections, rate: 0 })));
  runs.splice(2, 0, { ...cases[0], connections: 10, rate: 500 }, { ...cases[0], connections: 50, rate: 500 });
  for (const c of runs) {
    const result = await autocannon({
      url: `http://127.0.0.1:${flags.port}${c.path}`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(c.body),
      connections: c.connections,
      duration: Number(flags.seconds),
      ...(c.rate ? { overallRate: c.rate } : {}),
    });
    report(`serve-${c.name}-c${c.connections}${c.rate ? `-at-${c.rate}-per-s` : ''}`, {
      connections: c.connections,
      requests_per_second: result.requests.average,
      p50_ms: result.latency.p50,
      p90_ms: result.latency.p90,
      p99_ms: result.latency.p99,
      non_2xx: result.non2xx,
      errors: result.errors,
    });
  }
} finally {
  server.kill('SIGTERM');
}
