import { dirname } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';

import { dataCatalog } from '../lib/catalog';
import { InputError, parseFlags, progressBar, runStage, say } from '../lib/cli';
import { DEFAULT_PRODUCT_COLUMNS, type ProductColumns, scoreProductFile } from '../lib/classify/index';
import { bulkCategoryScorer, openCategoryModel } from '../lib/families/index';
import { listVersions, openVersion, readProduction } from '../lib/registry/index';

await runStage('predict', async () => {
  const flags = parseFlags(
    'npx tsx pipelines/predict.ts --family category --input products.csv --output predictions.csv [--data DIR] [--version N] [--title COL] [--brand COL] [--price COL] [--seller COL] [--id COL] [--top K]',
    {
      family: { type: 'string', description: 'model family: category (the only one scored from a file)' },
      input: {
        type: 'string',
        description: 'CSV or TSV of products with a header, any size (read streaming); gzip is not read',
      },
      output: {
        type: 'string',
        description: 'CSV written: id (or the row number), then category_i and probability_i for the top K',
      },
      data: { type: 'string', default: 'data', description: 'data folder: reads models/category/' },
      version: { type: 'string', description: 'registered version to use (default: production)' },
      title: { type: 'string', default: 'title', description: 'column of the product title (required in the file)' },
      brand: {
        type: 'string',
        description: `column of the brand (default '${DEFAULT_PRODUCT_COLUMNS.brand}' when the file has it)`,
      },
      price: {
        type: 'string',
        description: `column of the price (default '${DEFAULT_PRODUCT_COLUMNS.price}' when the file has it)`,
      },
      seller: {
        type: 'string',
        description: `column of the seller (default '${DEFAULT_PRODUCT_COLUMNS.seller}' when the file has it)`,
      },
      id: {
        type: 'string',
        description: `column copied to the output's id (default '${DEFAULT_PRODUCT_COLUMNS.id}' when the file has it; else the row number)`,
      },
      top: { type: 'string', default: '3', description: 'categories written per product' },
      batch: { type: 'string', default: '2000', description: 'products scored at once' },
      threads: {
        type: 'string',
        default: String(availableParallelism()),
        description: 'scoring threads (default: every core); the answers do not depend on it',
      },
    },
  );
  if (flags.family !== 'category')
    throw new InputError(
      `--family must be category (the only family scored from a product file), got '${flags.family ?? ''}'`,
    );
  if (!flags.input) throw new InputError('--input is required: a CSV or TSV of products with a header');
  if (!flags.output) throw new InputError('--output is required: the predictions CSV to write');
  if (!existsSync(dirname(flags.output) || '.'))
    throw new InputError(`${flags.output}: its folder ${dirname(flags.output)} does not exist`);
  const top = Number(flags.top);
  const batch = Number(flags.batch);
  if (!Number.isInteger(top) || top < 1)
    throw new InputError(`--top must be a whole number from 1, got '${flags.top}'`);
  const threads = Number(flags.threads);
  if (!Number.isInteger(threads) || threads < 1)
    throw new InputError(`--threads must be a whole number from 1, got '${flags.threads}'`);
  if (!Number.isInteger(batch) || batch < 1)
    throw new InputError(`--batch must be a whole number from 1, got '${flags.batch}'`);
  const catalog = dataCatalog(flags.data);
  const familyDir = catalog.models.family('category');
  let version: number;
  if (flags.version !== undefined) {
    version = Number(flags.version);
    if (!listVersions(familyDir).includes(version))
      throw new InputError(
        `${familyDir}: no version '${flags.version}' (registered: ${listVersions(familyDir).join(', ') || 'none'})`,
      );
  } else {
    const production = readProduction(familyDir);
    if (!production)
      throw new InputError(
        `${familyDir}: no production category model; run pipelines/train.ts and pipelines/promote.ts --family category, or pass --version`,
      );
    version = production.version;
  }
  const v = openVersion(familyDir, version);
  // Opened here for its choice and classes (and to fail on a damaged version before any thread starts).
  const model = openCategoryModel(v.dir, v.modelPath);
  model.dispose();
  const scorer = await bulkCategoryScorer(v.dir, v.modelPath, model.classes, top, threads);
  const asked = (['brand', 'price', 'seller', 'id'] as const).filter((k) => flags[k] !== undefined);
  const columns: ProductColumns = {
    title: flags.title,
    brand: flags.brand ?? DEFAULT_PRODUCT_COLUMNS.brand,
    price: flags.price ?? DEFAULT_PRODUCT_COLUMNS.price,
    seller: flags.seller ?? DEFAULT_PRODUCT_COLUMNS.seller,
    id: flags.id ?? DEFAULT_PRODUCT_COLUMNS.id,
  };
  say(
    `predict: category v${version} (${model.chosen} model, ${model.classes.length} classes) on ${flags.input}, ${threads} threads`,
  );
  const size = existsSync(flags.input) ? statSync(flags.input).size : 0;
  const bar = progressBar('predict: scoring (bytes read)', size);
  try {
    const result = await scoreProductFile(flags.input, flags.output, scorer, {
      columns,
      asked: [...asked],
      k: top,
      batch,
      inFlight: 2 * threads,
      onProgress: (bytes) => bar.update(bytes),
    });
    bar.done(size);
    const n = (x: number) => x.toLocaleString('en-US');
    say(
      `predict: ${n(result.rows_scored)} products scored, ${n(result.rows_rejected)} rejected ${JSON.stringify(result.rejected_by_reason)}; ${n(Math.round(result.products_per_second))} products/s; wrote ${flags.output}`,
    );
    for (const e of result.examples)
      say(`predict: rejected row ${e.row}, ${e.field}: ${e.reason}${e.value ? ` ('${e.value}')` : ''}`);
    return {
      summary: {
        family: 'category',
        version,
        model: model.chosen,
        input: flags.input,
        output: flags.output,
        ...result,
      },
      metaPath: catalog.runMeta('predict-category'),
    };
  } finally {
    await scorer.close();
  }
});
