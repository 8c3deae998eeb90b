/**
 * The live session recommender, against a server in its own process with a scratch event log:
 * visitors replay real sessions of the data folder (anonymous: no user_id), each view posted to
 * /v1/events and followed by GET /v1/recommend/session/:id, as an evenly paced open loop (latency
 * from each request's scheduled time). Figures per endpoint at 500 requests per second (250 events
 * and 250 lists) and at 1,000 (500 of each).
 * `npx tsx bench/sessions.ts [--data DIR] [--seconds N]`.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

import { dataCatalog } from '../lib/catalog';
import { parseFlags } from '../lib/cli';
import { queryRows, sqlString, withDuckDB } from '../lib/io/index';
import { CLICK_EVENT } from '../lib/nextitem/index';
import { closeConnections, openLoop, type PacedRequest } from './open-loop';
import { benchDir, report } from './report';

const flags = parseFlags('npx tsx bench/sessions.ts [--data DIR] [--seconds N] [--port N]', {
  data: { type: 'string', default: 'data', description: 'a data folder with a production session model (make models)' },
  seconds: { type: 'string', default: '10', description: 'seconds per load run' },
  port: { type: 'string', default: '8097', description: 'port for the server under test' },
});
const catalog = dataCatalog(flags.data);
// The product views of the 5,000 latest sessions of two views or more, in order.
const sessions = await withDuckDB(async (con) => {
  const rows = await queryRows(
    con,
    `WITH v AS (SELECT session_id, product_id, event_time FROM read_parquet(${sqlString(catalog.interim.events)})
       WHERE event_type = '${CLICK_EVENT}' AND product_id IS NOT NULL),
     s AS (SELECT session_id, max(event_time) AS last FROM v GROUP BY 1 HAVING count(*) >= 2 ORDER BY last DESC, 1 LIMIT 5000)
     SELECT session_id, list(product_id ORDER BY event_time) AS items FROM v WHERE session_id IN (SELECT session_id FROM s) GROUP BY 1 ORDER BY 1`,
  );
  return rows.map((r) => (r.items as unknown[]).map(Number));
});
const log = join(benchDir(), 'sessions-events.jsonl');
rmSync(log, { force: true });
const server = spawn('node_modules/.bin/tsx', ['pipelines/serve.ts', '--data', flags.data, '--event-log', log], {
  env: { ...process.env, PORT: flags.port },
  stdio: ['ignore', 'ignore', 'pipe'],
});
const startedAt = performance.now();
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
report('sessions-ready-after-start', { seconds: (performance.now() - startedAt) / 1000, sessions: sessions.length });

/** Visitor v's clicks in turn: even requests post the next view, odd ones ask for the list after it. */
let run = 0;
const visitors = (concurrent: number) => {
  run++;
  const cursor = new Map<number, number>();
  let clock = Date.UTC(2030, 0, 1);
  return (i: number): PacedRequest => {
    const visitor = Math.floor(i / 2) % concurrent;
    const session = `bench-${run}-${visitor}`;
    const items = sessions[visitor % sessions.length];
    if (i % 2 === 1) return { kind: 'recommend', method: 'GET', path: `/v1/recommend/session/${session}?k=20` };
    const at = cursor.get(visitor) ?? 0;
    cursor.set(visitor, at + 1);
    clock += 100;
    return {
      kind: 'event',
      method: 'POST',
      path: '/v1/events',
      body: {
        event_time: new Date(clock).toISOString(),
        session_id: session,
        event_type: 'view',
        product_id: items[at % items.length],
      },
    };
  };
};
try {
  // Warm-up (JIT, connections, the item-to-item lists each source caches on first use), not measured.
  await openLoop(base, visitors(1000), 500, 10);
  for (const rate of [500, 1000]) {
    const figures = await openLoop(base, visitors(1000), rate, Number(flags.seconds));
    for (const [kind, f] of Object.entries(figures)) report(`sessions-open-loop-${rate}-per-s-${kind}`, f);
  }
} finally {
  closeConnections();
  server.kill('SIGTERM');
}
