import { availableParallelism } from 'node:os';

import { dataCatalog } from '../lib/catalog';
import { parseFlags, say } from '../lib/cli';
import { cluster, runPrimary, workerChannel } from '../lib/live/index';

// The app (Fastify, DuckDB, XGBoost, the models' code) is imported only where it serves: the primary
// of several workers writes the event log and forks, and starts them sooner without it.
const serveApp = () => import('../lib/serve/index');

/**
 * `make serve`: the prediction service on HOST:PORT (default 127.0.0.1:8000) over DATA's production
 * models, in WORKERS processes (default: one per core; 1 serves from this process alone).
 */
const flags = parseFlags('npx tsx pipelines/serve.ts [--data DIR] (HOST, PORT and WORKERS from the environment)', {
  data: {
    type: 'string',
    default: process.env.DATA ?? 'data',
    description: 'data folder whose production models are served',
  },
  'event-log': {
    type: 'string',
    description: 'file posted events are appended to and replayed from (default: DATA/live/events.jsonl)',
  },
});
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  say(`serve: PORT must be a port number, got '${process.env.PORT}'`);
  process.exit(2);
}
const workers = process.env.WORKERS === undefined ? availableParallelism() : Number(process.env.WORKERS);
if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
  say(`serve: WORKERS must be a whole number from 1 to 256, got '${process.env.WORKERS}'`);
  process.exit(2);
}
const eventLog = flags['event-log'] ?? dataCatalog(flags.data).live.events;

/** Listens on HOST:PORT, or says why it cannot (a port in use) and exits 1. */
async function listen(app: { listen: (o: { host: string; port: number }) => Promise<string> }): Promise<string> {
  try {
    return await app.listen({ host, port });
  } catch (e) {
    say(`serve: cannot listen on ${host}:${port}: ${(e as Error).message}`);
    process.exit(1);
  }
}
const logger = process.env.LOG === '1';

if (workers === 1) {
  const { buildApp } = await serveApp();
  const app = await buildApp({ dataDir: flags.data, logger, eventLog });
  const address = await listen(app);
  say(`serve: ${address} (docs at /docs, metrics at /metrics); Ctrl-C stops`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      void app.close().then(() => process.exit(0));
    });
} else if (cluster.isPrimary) {
  say(`serve: starting ${workers} workers over ${flags.data}`);
  const primary = runPrimary({ workers, eventLog, say, onFatal: () => process.exit(1) });
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      // Workers finish their requests in flight; one that does not stop within 5 s is killed.
      setTimeout(() => process.exit(0), 5000).unref();
      void primary.close().then(() => process.exit(0));
    });
} else {
  const channel = workerChannel();
  const { buildService } = await serveApp();
  const { app, service } = await buildService({ dataDir: flags.data, logger, eventLog, channel });
  channel.attach({ apply: (events, end) => service.applyLive(events, end), reload: () => service.reload() });
  await channel.joined(service.appliedEnd);
  channel.listening(await listen(app));
  // The primary disconnects a worker to stop it: finish what is in flight, then exit.
  process.once('disconnect', () => {
    void app.close().then(() => process.exit(0));
  });
}
