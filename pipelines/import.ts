import { dataCatalog } from '../lib/catalog';
import { InputError, parseFlags, runStage, say } from '../lib/cli';
import {
  FORMAT_NAMES,
  FORMATS,
  type FormatName,
  importLog,
  importSessionLog,
  SESSION_IMPORT_FORMATS,
  type SessionImportFormat,
} from '../lib/importers/index';

const ALL_FORMATS: string[] = [...FORMAT_NAMES, ...SESSION_IMPORT_FORMATS];

await runStage('import', async () => {
  const flags = parseFlags(
    `npx tsx pipelines/import.ts --format ${ALL_FORMATS.join('|')} --input FILE [--buys FILE] [--data DIR]`,
    {
      format: {
        type: 'string',
        description: `log format: ${FORMAT_NAMES.join(', ')} (event logs); ${SESSION_IMPORT_FORMATS.join(', ')} (session logs without users)`,
      },
      input: { type: 'string', description: 'the file to import (yoochoose: yoochoose-clicks.dat)' },
      buys: {
        type: 'string',
        description:
          'the purchases file published beside the clicks, imported as purchases: yoochoose-buys.dat (yoochoose) or train-purchases.csv (diginetica)',
      },
      data: { type: 'string', default: 'data', description: 'data folder; tables go to DIR/raw/' },
    },
  );
  if (!flags.format || !ALL_FORMATS.includes(flags.format)) {
    throw new InputError(
      `--format must be one of ${ALL_FORMATS.join(', ')}${flags.format ? `, got '${flags.format}'` : ''}`,
    );
  }
  if (!flags.input) throw new InputError('--input FILE is required');
  const catalog = dataCatalog(flags.data);
  const step = (s: string) => say(`import: ${s}`);
  const sessionLog = (SESSION_IMPORT_FORMATS as readonly string[]).includes(flags.format);
  const withBuys = ['yoochoose', ...FORMAT_NAMES.filter((f) => FORMATS[f].purchases)];
  if (flags.buys && !withBuys.includes(flags.format))
    throw new InputError(`--buys is for --format ${withBuys.join(' or ')}, not ${flags.format}`);
  const summary = sessionLog
    ? await importSessionLog(flags.format as SessionImportFormat, flags.input, catalog, { buys: flags.buys }, step)
    : await importLog(flags.format as FormatName, flags.input, catalog, {}, step, flags.buys);
  if (summary.rows_rejected > 0) {
    say(
      `import: ${summary.rows_rejected} of ${summary.rows_read} rows rejected: ${JSON.stringify(summary.rejected_by_reason)}`,
    );
    for (const x of summary.examples)
      say(
        `  ${x.file ?? flags.input}:${x.line}: ${x.reason}${x.field ? ` in ${x.field}` : ''}: ${JSON.stringify(x.value)}`,
      );
  }
  return { summary: { ...summary, paths: catalog.raw }, metaPath: catalog.runMeta('import') };
});
