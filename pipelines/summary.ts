import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { dataCatalog } from '../lib/catalog';
import { parseFlags, readStageRuns } from '../lib/cli';
import { readSkipped } from '../lib/registry/index';

/**
 * The end of `make all`: a table of every stage, whether it ran in this invocation or was already
 * up to date, its time, and where the report is. Reads the run metadata the stages wrote.
 */
const flags = parseFlags('npx tsx pipelines/summary.ts --since ISO-TIME [--data DIR] [--reports DIR]', {
  since: { type: 'string', description: 'when this make started (stages that wrote metadata after it ran now)' },
  data: { type: 'string', default: 'data', description: 'data folder' },
  reports: { type: 'string', default: 'reports', description: 'reports folder' },
});
const since = Date.parse(flags.since ?? '');
const catalog = dataCatalog(flags.data);
const rows = readStageRuns(catalog.meta).map((m) => ({
  stage: m.stage,
  ran: Date.parse(m.started) >= since,
  seconds: m.seconds,
}));
const notebooks = join(flags.reports, 'notebooks');
if (existsSync(notebooks)) {
  for (const f of readdirSync(notebooks)
    .filter((n) => n.endsWith('.html'))
    .sort()) {
    rows.push({
      stage: `notebook ${f.slice(0, -'.html'.length)}`,
      ran: statSync(join(notebooks, f)).mtimeMs >= since,
      seconds: NaN,
    });
  }
}
/** Families the data could not support (train --skip-unsupported wrote why). */
const skipped = (stage: string) =>
  stage.startsWith('train-') ? readSkipped(catalog.models.family(stage.slice('train-'.length))) : null;
const width = Math.max(...rows.map((r) => r.stage.length), 5);
const lines = rows.map((r) => {
  const why = skipped(r.stage);
  return `  ${r.stage.padEnd(width)}  ${(r.ran ? 'ran' : 'up to date').padEnd(10)}  ${Number.isNaN(r.seconds) ? '         ' : `${r.seconds.toFixed(1).padStart(7)} s`}${why ? `  skipped: ${why}` : ''}`;
});
const ran = rows.filter((r) => r.ran).length;
process.stdout.write(
  `\n── summary ${'─'.repeat(50)}\n${lines.join('\n')}\n\n${ran ? `${ran} of ${rows.length} stages ran` : 'every stage is up to date'}; report: ${join(flags.reports, 'index.html')}\n`,
);
