import { dataCatalog } from '../lib/catalog';
import { dateFlag, intFlag, parseFlags, progressBar, runStage, say } from '../lib/cli';
import { availableParallelism } from 'node:os';
import { WORLD_DEFAULTS } from '../lib/generate';
import { generateWorldInParallel } from '../lib/generate/index';
import { writeWorld } from '../lib/generate/index';

await runStage('generate', async () => {
  const flags = parseFlags(
    'npx tsx pipelines/generate.ts [--seed N] [--events N] [--days N] [--start YYYY-MM-DD] [--data DIR]',
    {
      data: { type: 'string', default: 'data', description: 'data folder; tables go to DIR/raw/' },
      seed: {
        type: 'string',
        default: String(WORLD_DEFAULTS.seed),
        description: 'random seed: same seed and flags, byte-identical files',
      },
      events: {
        type: 'string',
        default: String(WORLD_DEFAULTS.events),
        description: 'about how many events to generate',
      },
      days: { type: 'string', default: String(WORLD_DEFAULTS.days), description: 'length of the period in days' },
      start: { type: 'string', default: WORLD_DEFAULTS.start, description: 'first day of the period (UTC)' },
      threads: {
        type: 'string',
        default: String(Math.min(2, availableParallelism())),
        description: 'simulation threads (the world is the same for any count)',
      },
    },
  );
  const options = {
    seed: intFlag('seed', flags.seed, 0, 2 ** 32 - 1),
    events: intFlag('events', flags.events, 1_000, 200_000_000),
    days: intFlag('days', flags.days, 1, 3_650),
    start: dateFlag('start', flags.start),
  };
  const catalog = dataCatalog(flags.data);
  const bar = progressBar('simulating', options.events);
  const threads = intFlag('threads', flags.threads, 1, 64);
  const world = await generateWorldInParallel({ ...options, onProgress: (n) => bar.update(n) }, threads);
  bar.done(world.activity.shards.reduce((n, s) => n + s.events.time.length, 0));
  const counts = await writeWorld(world, catalog, {}, (step) => say(`writing ${step}`));
  return {
    summary: { ...options, ...counts, paths: catalog.raw },
    metaPath: catalog.runMeta('generate'),
  };
});
