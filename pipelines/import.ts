import { dataCatalog } from '../lib/catalog';
import { InputError, parseFlags, runStage, say } from '../lib/cli';
import {
  appendLog,
  FORMAT_NAMES,
  FORMATS,
  type FormatName,
  importCatalog,
  importLog,
  type ImportSummary,
  importSessionLog,
  SESSION_IMPORT_FORMATS,
  type SessionImportFormat,
} from '../lib/importers/index';

const ALL_FORMATS: string[] = [...FORMAT_NAMES, ...SESSION_IMPORT_FORMATS, 'catalog'];
/** The column flags of `--format catalog`. */
const CATALOG_COLUMNS = ['id', 'title', 'category', 'brand', 'price', 'seller', 'group'] as const;

await runStage('import', async () => {
  const flags = parseFlags(
    `npx tsx pipelines/import.ts --format ${ALL_FORMATS.join('|')} --input FILE [--buys FILE] [--data DIR]
  a later day of an imported log: --append --format ${FORMAT_NAMES.join('|')} --input FILE [--data DIR]
  catalog: --title COL [--category COL] [--category-sep SEP] [--id COL] [--brand COL] [--price COL] [--seller COL] [--group COL]`,
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
      append: {
        type: 'boolean',
        description:
          "add the file's events, all later than the imported log's last, to the log in DIR (a new day of it): the same tables as importing both as one file",
      },
      title: { type: 'string', description: 'catalog: the column of product titles (required)' },
      category: { type: 'string', description: 'catalog: the column of category paths (needed to train)' },
      'category-sep': { type: 'string', description: "catalog: the separator of the path's levels (default '>')" },
      id: { type: 'string', description: 'catalog: the column of product ids' },
      brand: { type: 'string', description: 'catalog: the column of brands' },
      price: { type: 'string', description: 'catalog: the column of prices' },
      seller: { type: 'string', description: 'catalog: the column of sellers or merchants' },
      group: {
        type: 'string',
        description:
          'catalog: a column naming the same product sold by several merchants (kept on one side of the split)',
      },
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
  if (flags.format === 'catalog') {
    if (flags.append) throw new InputError('--append adds a later part of an event log; a catalogue is imported whole');
    if (!flags.title) throw new InputError('--format catalog needs --title COL, the column of product titles');
    if (flags.buys) throw new InputError('--buys is for event logs, not --format catalog');
    const columns = Object.fromEntries(CATALOG_COLUMNS.filter((c) => flags[c] !== undefined).map((c) => [c, flags[c]]));
    const summary = await importCatalog(
      flags.input,
      catalog,
      { columns: columns as { title: string }, categorySep: flags['category-sep'] },
      step,
    );
    say(
      `import: ${summary.products} products, ${summary.categories} category paths (depth up to ${summary.max_depth}), ${summary.unlabeled} without a category`,
    );
    if (summary.rows_rejected > 0) {
      say(
        `import: ${summary.rows_rejected} of ${summary.rows_read} rows rejected: ${JSON.stringify(summary.rejected_by_reason)}`,
      );
      for (const x of summary.examples)
        say(`  ${flags.input}:${x.line}: ${x.reason}${x.field ? ` in ${x.field}` : ''}: ${JSON.stringify(x.value)}`);
    }
    return { summary: { ...summary, paths: catalog.raw }, metaPath: catalog.runMeta('import') };
  }
  const stray = CATALOG_COLUMNS.filter((c) => flags[c] !== undefined);
  if (stray.length || flags['category-sep'] !== undefined)
    throw new InputError(`--${stray[0] ?? 'category-sep'} is for --format catalog, not ${flags.format}`);
  const sessionLog = (SESSION_IMPORT_FORMATS as readonly string[]).includes(flags.format);
  const withBuys = ['yoochoose', ...FORMAT_NAMES.filter((f) => FORMATS[f].purchases)];
  if (flags.buys && !withBuys.includes(flags.format))
    throw new InputError(`--buys is for --format ${withBuys.join(' or ')}, not ${flags.format}`);
  if (flags.append) {
    if (sessionLog || flags.buys)
      throw new InputError(
        `--append takes a later part of an event log (${FORMAT_NAMES.join(', ')}) in one file${flags.buys ? ', without --buys' : `, not ${flags.format}`}`,
      );
    const summary = await appendLog(flags.format as FormatName, flags.input, catalog, step);
    say(
      `import: ${summary.appended_events.toLocaleString('en-US')} events from ${summary.first_appended} appended; the log now holds ${summary.events.toLocaleString('en-US')} events up to ${summary.log_ends}`,
    );
    reportRejects(summary, flags.input);
    return { summary: { ...summary, paths: catalog.raw }, metaPath: catalog.runMeta('import') };
  }
  const summary = sessionLog
    ? await importSessionLog(flags.format as SessionImportFormat, flags.input, catalog, { buys: flags.buys }, step)
    : await importLog(flags.format as FormatName, flags.input, catalog, {}, step, flags.buys);
  reportRejects(summary, flags.input);
  return { summary: { ...summary, paths: catalog.raw }, metaPath: catalog.runMeta('import') };
});

/** Says how many rows were rejected and why, with the examples' files and lines. */
function reportRejects(summary: ImportSummary, input: string): void {
  if (summary.rows_rejected === 0) return;
  say(
    `import: ${summary.rows_rejected} of ${summary.rows_read} rows rejected: ${JSON.stringify(summary.rejected_by_reason)}`,
  );
  for (const x of summary.examples)
    say(`  ${x.file ?? input}:${x.line}: ${x.reason}${x.field ? ` in ${x.field}` : ''}: ${JSON.stringify(x.value)}`);
}
