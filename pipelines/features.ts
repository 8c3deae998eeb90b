import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dataCatalog } from '../lib/catalog';
import { InputError, intFlag, parseFlags, runStage, say, timedSteps } from '../lib/cli';
import {
  buildTrainingSets,
  DEFAULT_FEATURE_OPTIONS,
  featureManifest,
  type HistoryRule,
  servingStoreTables,
  sessionizedEventDays,
  updateHistory,
  updateSessionExamples,
  writePurchaseIndex,
  writeRankingIndex,
} from '../lib/features';
import {
  AtomicBatch,
  copyToParquet,
  copyToParquetFile,
  parquetSql,
  queryRows,
  sqlString,
  tableExists,
  withDuckDB,
} from '../lib/io/index';
import { readCutoffs, SPLITS } from '../lib/split';

await runStage('features', async () => {
  const flags = parseFlags(
    'npx tsx pipelines/features.ts [--history frozen|as-of-example] [--smoothing N] [--data DIR]',
    {
      data: { type: 'string', default: 'data', description: 'data folder: reads raw/ and interim/, writes features/' },
      history: {
        type: 'string',
        default: 'frozen',
        description: "history seen by valid/test examples: 'frozen' at the split's start, or 'as-of-example'",
      },
      smoothing: {
        type: 'string',
        default: String(DEFAULT_FEATURE_OPTIONS.smoothing),
        description: 'pseudo-counts pulling rare products toward their category rate',
      },
    },
  );
  const rules: Record<string, HistoryRule> = { frozen: 'frozen', 'as-of-example': 'asOfExample' };
  const rule = rules[flags.history];
  if (!rule) throw new InputError(`--history must be frozen or as-of-example, got '${flags.history}'`);
  const catalog = dataCatalog(flags.data);
  for (const path of [
    catalog.interim.events,
    catalog.interim.splits,
    catalog.interim.sessionSplits,
    catalog.raw.products,
    catalog.raw.source,
  ]) {
    if (!tableExists(path)) throw new InputError(`${path}: no such file; run the earlier stages first (make data)`);
  }
  const source = JSON.parse(readFileSync(catalog.raw.source, 'utf8')) as { kind: string; seed?: number };
  const cutoffs = readCutoffs(catalog.interim.splits);
  const options = {
    smoothing: intFlag('smoothing', flags.smoothing, 0, 1_000_000),
    staticCatalogPrices: source.kind === 'synthetic',
  };
  const hasImpressions = existsSync(catalog.raw.impressions);
  const batch = new AtomicBatch();
  const steps = timedSteps('features');
  try {
    const {
      counts: rows,
      history,
      sessions,
    } = await withDuckDB(async (con) => {
      const view = (name: string, path: string) =>
        con.run(`CREATE VIEW ${name} AS SELECT * FROM read_parquet(${sqlString(path)})`);
      await view('events', catalog.interim.events);
      await view('products', catalog.raw.products);
      await view('session_splits', catalog.interim.sessionSplits);
      if (hasImpressions) await view('impressions', catalog.raw.impressions);
      const days = sessionizedEventDays(catalog);
      const history = await updateHistory(con, catalog, (step) => steps.step(step), days);
      const sessions = await updateSessionExamples(con, catalog, (step) => steps.step(step), days);
      say(
        `features: history ${Object.entries(history)
          .map(([table, update]) => `${table} ${update}`)
          .join(', ')}; sessions ${sessions}`,
      );
      const { families, idf } = await buildTrainingSets(
        con,
        cutoffs,
        rule,
        { ...options, seed: source.seed ?? 0, hasImpressions, historyReady: true, sessionsReady: true },
        (step) => steps.step(step),
      );
      const counts: Record<string, Record<string, { rows: number; label_mean: number | null }>> = {};
      for (const family of families) {
        steps.step(`writing: ${family}`);
        counts[family] = {};
        // The label's mean where it is a number (a rate); class names and item lists have none.
        const [label] = await queryRows(
          con,
          `SELECT data_type FROM information_schema.columns WHERE table_name = '${family}_set' AND column_name = 'label'`,
        );
        const numeric = /^(TINYINT|SMALLINT|INTEGER|BIGINT|FLOAT|DOUBLE|DECIMAL|BOOLEAN)/.test(
          String(label?.data_type),
        );
        for (const split of SPLITS) {
          // The set is a view: it runs once, for the file, and the counts read the file back.
          const file = batch.add(catalog.features.set(family, split));
          await copyToParquetFile(con, `SELECT * FROM ${family}_set WHERE split = '${split}'`, file);
          const [r] = await queryRows(
            con,
            `SELECT count(*) AS rows, ${numeric ? 'round(avg(label::DOUBLE), 4)' : 'NULL'} AS label_mean
            FROM ${parquetSql(file)}`,
          );
          counts[family][split] = r as never;
        }
      }
      // The serving feature store: history as of the end of the data, for the prediction service.
      steps.step('writing: the serving store');
      for (const [table, select] of Object.entries(servingStoreTables())) {
        if (hasImpressions || !table.startsWith('query_'))
          await copyToParquet(con, select, catalog.features.store(table), batch);
      }
      if (idf)
        writeFileSync(
          batch.add(catalog.features.storeIdf),
          `${JSON.stringify([...idf].sort((a, b) => (a[0] < b[0] ? -1 : 1)))}\n`,
        );
      writeFileSync(
        batch.add(catalog.features.manifest),
        `${JSON.stringify(featureManifest(options, rule), null, 2)}\n`,
      );
      batch.commit();
      return { counts, history, sessions };
    });
    // The service's ranking index, from the store just written: it reads this file at start instead of computing it.
    if (hasImpressions) {
      steps.step('the ranking index for the service');
      await writeRankingIndex(catalog);
    } else rmSync(catalog.features.storeRankingIndex, { force: true });
    // And the purchase features' user history, which it reads instead of loading user_totals.
    steps.step('the purchase index for the service');
    if (!(await writePurchaseIndex(catalog))) rmSync(catalog.features.storePurchaseIndex, { force: true });
    return {
      summary: {
        history: flags.history,
        ...options,
        sets: rows,
        history_tables: history,
        session_tables: sessions,
        step_seconds: steps.seconds(),
        paths: { dir: catalog.features.dir, manifest: catalog.features.manifest },
      },
      metaPath: catalog.runMeta('features'),
    };
  } finally {
    batch.discard();
  }
});
