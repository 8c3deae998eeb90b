/** Prints how fast the generator simulates and writes a world: `npx tsx bench/generate.ts [events] [threads]`. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { dataCatalog } from '../lib/catalog';
import { generateWorldInParallel } from '../lib/generate/index';
import { writeWorld } from '../lib/generate/index';
import { benchDir, report } from './report';

const events = Number(process.argv[2] ?? 10_000_000);
const dir = join(benchDir(), 'generate');
rmSync(dir, { recursive: true, force: true });

const t0 = performance.now();
const threads = Number(process.argv[3] ?? 2);
const world = await generateWorldInParallel({ seed: 42, events, days: 90, start: '2026-01-01' }, threads);
const t1 = performance.now();
const counts = await writeWorld(world, dataCatalog(dir));
const t2 = performance.now();
const simulate = (t1 - t0) / 1000;
const write = (t2 - t1) / 1000;
report('generate', {
  threads,
  events: counts.events,
  impressions: counts.impressions,
  simulate_seconds: simulate,
  write_seconds: write,
  total_seconds: simulate + write,
  events_per_second: Math.round(counts.events / (simulate + write)),
  peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
});
rmSync(dir, { recursive: true, force: true });
