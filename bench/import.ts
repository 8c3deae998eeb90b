/** Prints how fast a REES46-style CSV imports: `npx tsx bench/import.ts [rows]`. */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dataCatalog } from '../lib/catalog';
import { importLog } from '../lib/importers/index';
import { benchDir, report } from './report';
import { writeRees46File } from './rees46-file';

const rows = Number(process.argv[2] ?? 3_000_000);
const dir = join(benchDir(), 'import');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const file = join(dir, 'rees46.csv');
process.stderr.write(`bench: writing a ${rows}-row REES46 file\n`);
await writeRees46File(file, rows);

const t0 = performance.now();
const summary = await importLog('rees46', file, dataCatalog(join(dir, 'data')));
const seconds = (performance.now() - t0) / 1000;
report('import-rees46', {
  rows: summary.rows_read,
  file_mb: Math.round(statSync(file).size / 1e6),
  seconds,
  rows_per_second: Math.round(summary.rows_read / seconds),
  peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
});
rmSync(dir, { recursive: true, force: true });
