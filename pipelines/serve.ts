import { parseFlags, say } from '../lib/cli';
import { buildApp } from '../lib/serve/index';

/** `make serve`: the prediction service on HOST:PORT (default 127.0.0.1:8000) over DATA's production models. */
const flags = parseFlags('npx tsx pipelines/serve.ts [--data DIR] (HOST and PORT from the environment)', {
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
const app = await buildApp({ dataDir: flags.data, logger: process.env.LOG === '1', eventLog: flags['event-log'] });
const address = await app.listen({ host, port });
say(`serve: ${address} (docs at /docs, metrics at /metrics); Ctrl-C stops`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
