/**
 * The recommender: offline fitting time on a data folder (candidate sources, item2vec, re-ranker
 * and evaluation, without registering anything), then, against a server in its own process with
 * a scratch event log, events ingested per second (one event and 100 events per request) and
 * /v1/recommend latency at 200 requests per second and flat out.
 * `npx tsx bench/recommend.ts [--data DIR] [--seconds N]`.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';

import { dataCatalog } from '../lib/catalog';
import { parseFlags } from '../lib/cli';
import { queryRows, sqlString, withDuckDB } from '../lib/io/index';
import { fitCandidateModel, fitReranker, loadRecommendData } from '../lib/recommend/index';
import { loadTrainConfig, recommendSettings } from '../lib/families/index';
import { closeConnections, openLoop } from './open-loop';
import { benchDir, report } from './report';

const flags = parseFlags('npx tsx bench/recommend.ts [--data DIR] [--seconds N] [--port N] [--skip-offline]', {
  data: {
    type: 'string',
    default: 'data',
    description: 'a data folder with features and a production recommend model (make models)',
  },
  seconds: { type: 'string', default: '10', description: 'seconds per load run' },
  port: { type: 'string', default: '8098', description: 'port for the server under test' },
  'skip-offline': { type: 'boolean', default: false, description: 'only the online figures' },
});
const catalog = dataCatalog(flags.data);
const config = loadTrainConfig();
const fc = config.families.recommend;
if (!flags['skip-offline']) {
  // In a block, so the bench process drops the loaded events before the load runs: its own garbage
  // collection would otherwise show up as service latency.
  const data = await withDuckDB((con) => loadRecommendData(con, catalog));
  let t = performance.now();
  const lap = () => {
    const s = (performance.now() - t) / 1000;
    t = performance.now();
    return s;
  };
  const model = await fitCandidateModel(
    data.products,
    data.events,
    data.cutoffs.valid.from,
    recommendSettings(fc),
    config.seed,
    undefined,
    config.nthread,
  );
  const candidates = lap();
  const fit = fitReranker(
    model,
    data.events,
    data.valid,
    data.test,
    data.truth,
    recommendSettings(fc),
    {
      params: fc.params,
      rounds: fc.rounds,
      early_stopping_rounds: fc.early_stopping_rounds,
      primary: fc.primary,
      shap_rows: 0,
    },
    config.seed,
    config.nthread,
  );
  const rerank = lap();
  fit.booster.dispose();
  report('recommend-offline', {
    events: data.events.time.length,
    products: data.products.ids.length,
    candidate_models_s: candidates,
    rerank_and_evaluate_s: rerank,
    total_s: candidates + rerank,
    reranked_ndcg_at_10: fit.metrics.model['ndcg@10'],
    rounds: fit.rounds,
  });
}

// The most active users first, and the catalogue's products.
const { users, productIds } = await withDuckDB(async (con) => ({
  users: (
    await queryRows(
      con,
      `SELECT user_id FROM read_parquet(${sqlString(catalog.interim.events)}) WHERE user_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 2000`,
    )
  ).map((r) => Number(r.user_id)),
  productIds: (
    await queryRows(con, `SELECT product_id FROM read_parquet(${sqlString(catalog.raw.products)}) ORDER BY 1`)
  ).map((r) => Number(r.product_id)),
}));
const log = join(benchDir(), 'recommend-events.jsonl');
rmSync(log, { force: true });
const server = spawn('node_modules/.bin/tsx', ['pipelines/serve.ts', '--data', flags.data, '--event-log', log], {
  env: { ...process.env, PORT: flags.port },
  stdio: ['ignore', 'ignore', 'pipe'],
});
await new Promise<void>((resolve, reject) => {
  server.stderr.on('data', (chunk) => {
    if (String(chunk).includes('serve: http')) resolve();
  });
  server.on('exit', (code) => reject(new Error(`the server exited (${code})`)));
});
let n = 0;
const event = () => {
  n++;
  return {
    event_time: new Date(Date.UTC(2026, 5, 1) + n * 1000).toISOString(),
    user_id: users[n % users.length],
    session_id: `bench-${n % 997}`,
    event_type: 'view',
    product_id: productIds[(n * 7919) % productIds.length],
  };
};
try {
  const base = `http://127.0.0.1:${flags.port}`;
  // 200 requests per second as an open loop: one request every 5 ms whatever the answers do (as
  // independent users arrive), latency from each request's scheduled time, so a slow answer cannot
  // hold back the next request and hide its delay. A warm-up run first (JIT, connections).
  let u = 0;
  const get = () => ({
    kind: 'recommend',
    method: 'GET' as const,
    path: `/v1/recommend/${users[u++ % users.length]}?k=20`,
  });
  await openLoop(base, get, 200, 3);
  report('recommend-get-k20-open-loop-200-per-s', (await openLoop(base, get, 200, Number(flags.seconds))).all);
  // autocannon's rate limit with 10 connections sends bursts of 10 at once: a harsher pattern.
  for (const rate of [200, 0]) {
    const result = await autocannon({
      url: base,
      connections: 10,
      duration: Number(flags.seconds),
      ...(rate ? { overallRate: rate } : {}),
      requests: [
        { setupRequest: (req) => ({ ...req, method: 'GET', path: `/v1/recommend/${users[u++ % users.length]}?k=20` }) },
      ],
    });
    report(`recommend-get-k20-c10${rate ? `-at-${rate}-per-s` : ''}`, {
      requests_per_second: result.requests.average,
      p50_ms: result.latency.p50,
      p90_ms: result.latency.p90,
      p99_ms: result.latency.p99,
      non_2xx: result.non2xx,
      errors: result.errors,
    });
  }
  // Then ingestion, and the open loop again on the states the ingested events grew.
  for (const batch of [1, 100]) {
    const result = await autocannon({
      url: `${base}/v1/events`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      connections: 10,
      duration: Number(flags.seconds),
      requests: [
        {
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify(batch === 1 ? event() : Array.from({ length: batch }, event)),
          }),
        },
      ],
    });
    report(`recommend-events-batch-${batch}-c10`, {
      requests_per_second: result.requests.average,
      events_per_second: result.requests.average * batch,
      p50_ms: result.latency.p50,
      p99_ms: result.latency.p99,
      non_2xx: result.non2xx,
      errors: result.errors,
    });
  }
  report(
    'recommend-get-k20-open-loop-200-per-s-after-ingest',
    (await openLoop(base, get, 200, Number(flags.seconds))).all,
  );
} finally {
  closeConnections();
  server.kill('SIGTERM');
}
