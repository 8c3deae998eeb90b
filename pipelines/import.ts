import { dataCatalog } from '../lib/catalog';
import { InputError, parseFlags, runStage, say } from '../lib/cli';
import { FORMAT_NAMES, type FormatName } from '../lib/importers/index';
import { importLog } from '../lib/importers/index';

await runStage('import', async () => {
  const flags = parseFlags(
    'npx tsx pipelines/import.ts --format rees46|retailrocket|diginetica --input FILE [--data DIR]',
    {
      format: { type: 'string', description: `log format: ${FORMAT_NAMES.join(', ')}` },
      input: { type: 'string', description: 'the CSV file to import' },
      data: { type: 'string', default: 'data', description: 'data folder; tables go to DIR/raw/' },
    },
  );
  if (!flags.format || !FORMAT_NAMES.includes(flags.format as FormatName)) {
    throw new InputError(
      `--format must be one of ${FORMAT_NAMES.join(', ')}${flags.format ? `, got '${flags.format}'` : ''}`,
    );
  }
  if (!flags.input) throw new InputError('--input FILE is required');
  const catalog = dataCatalog(flags.data);
  const summary = await importLog(flags.format as FormatName, flags.input, catalog, {}, (step) =>
    say(`import: ${step}`),
  );
  if (summary.rows_rejected > 0) {
    say(
      `import: ${summary.rows_rejected} of ${summary.rows_read} rows rejected: ${JSON.stringify(summary.rejected_by_reason)}`,
    );
    for (const x of summary.examples)
      say(`  ${flags.input}:${x.line}: ${x.reason}${x.field ? ` in ${x.field}` : ''}: ${JSON.stringify(x.value)}`);
  }
  return { summary: { ...summary, paths: catalog.raw }, metaPath: catalog.runMeta('import') };
});
