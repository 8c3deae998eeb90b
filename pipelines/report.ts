import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { dataCatalog } from '../lib/catalog';
import { InputError, parseFlags, readStageRuns, runStage, say } from '../lib/cli';
import { FAMILIES, FAMILY_NAMES, type FamilyName } from '../lib/families/index';
import { AtomicBatch, queryRows, sqlString, withDuckDB } from '../lib/io/index';
import { type FamilyReport, familyPage, indexPage } from '../lib/report/index';
import { readFeatureManifest } from '../lib/features/index';
import { listVersions, openVersion, type PromotionRecord, readJson, readSkipped } from '../lib/registry/index';

const SPLITS = ['train', 'valid', 'test'] as const;

await runStage('report', async () => {
  const flags = parseFlags('npx tsx pipelines/report.ts [--data DIR] [--out DIR]', {
    data: { type: 'string', default: 'data', description: 'data folder: reads features/, models/, interim/ and meta/' },
    out: { type: 'string', default: 'reports', description: 'where index.html and one page per family go' },
  });
  const catalog = dataCatalog(flags.data);
  // An imported catalogue has products and the category family only: no events, splits or features.
  const catalogueOnly = existsSync(catalog.raw.catalog) && !existsSync(catalog.features.manifest);
  if (!catalogueOnly && !existsSync(catalog.features.manifest))
    throw new InputError(`${catalog.features.manifest}: no such file; run make data first`);
  const families = FAMILY_NAMES.filter((f) => listVersions(catalog.models.family(f)).length > 0);
  const skipped = FAMILY_NAMES.map((family) => ({ family, reason: readSkipped(catalog.models.family(family)) })).filter(
    (x): x is { family: FamilyName; reason: string } => x.reason !== null,
  );
  if (!families.length && !skipped.length)
    throw new InputError(`${catalog.models.dir}: no registered model; run make models first`);
  const manifest = catalogueOnly ? null : readFeatureManifest(catalog.features.manifest);
  const cutoffs = catalogueOnly
    ? null
    : readJson<{ cutoffs: Record<string, { from: string; to: string }> }>(catalog.interim.splits).cutoffs;
  const source = readJson<{ seed?: number }>(catalog.raw.source);
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' });
  const commit =
    git.status === 0
      ? `${git.stdout.trim()}${dirty.stdout.trim() ? ' (with uncommitted changes)' : ''}`
      : 'unknown (not a git checkout)';
  const timings = readStageRuns(catalog.meta).map(({ stage, seconds }) => ({ stage, seconds }));

  const reports = await withDuckDB(async (con) => {
    const funnel = (
      catalogueOnly
        ? []
        : await queryRows(
            con,
            `SELECT event_type AS step, count(*) AS events FROM read_parquet(${sqlString(catalog.interim.events)}) GROUP BY 1 ORDER BY 2 DESC`,
          )
    ) as { step: string; events: number }[];
    const products = await queryRows(
      con,
      `SELECT title, brand, seller_id, price FROM read_parquet(${sqlString(catalog.raw.products)})`,
    );
    const out: FamilyReport[] = [];
    for (const family of families) {
      const spec = FAMILIES[family];
      say(`report: ${family}`);
      const dir = catalog.models.family(family);
      const version = listVersions(dir).at(-1)!;
      const stored = openVersion(dir, version).metrics();
      const params = openVersion(dir, version).params();
      const promotionFile = join(dir, 'promotion.json');
      const promotion = existsSync(promotionFile) ? readJson<PromotionRecord>(promotionFile) : null;
      const current = promotion?.candidate === version ? promotion : null;
      const before = current?.production_before ?? null;
      const splits = [];
      // A family without training-set files (session and category read their data themselves)
      // reports the rows its version stored per split, or else counts its examples.
      const storedRows = stored.rows as Partial<Record<(typeof SPLITS)[number], number>> | undefined;
      const counts = existsSync(catalog.features.set(family, 'train'))
        ? null
        : SPLITS.every((s) => typeof storedRows?.[s] === 'number')
          ? Object.fromEntries(SPLITS.map((s) => [s, { examples: storedRows![s]! }]))
          : await spec.count(catalog);
      for (const split of SPLITS) {
        const file = catalog.features.set(family, split);
        const [r] = counts
          ? [{ rows: counts[split].examples, label_rate: null }]
          : await queryRows(
              con,
              `SELECT count(*) AS rows, ${spec.labelRate ?? 'NULL'} AS label_rate FROM read_parquet(${sqlString(file)})`,
            );
        splits.push({
          split,
          // A catalogue's split is by product group, not by time.
          from: cutoffs?.[split].from ?? '—',
          to: cutoffs?.[split].to ?? '—',
          rows: r.rows as number,
          label_rate: r.label_rate as number | null,
        });
      }
      const descriptions = spec.describeFeatures({
        features:
          (manifest?.features as Record<string, { name: string; description: string }[]> | undefined)?.[family] ?? [],
        hashBuckets: Number((params.category as { hash_buckets?: number } | undefined)?.hash_buckets ?? 0),
        products,
      });
      out.push({
        family,
        version,
        primary: params.primary,
        guards: params.guards,
        metricNames: [...spec.metrics],
        charts: spec.charts(stored.details),
        metrics: stored.metrics,
        production:
          before === null
            ? null
            : {
                version: before,
                metrics: openVersion(dir, before).metrics().metrics.model,
              },
        promotion: current,
        gapClosed: stored.gap_closed,
        rounds: params.rounds,
        evalMetric: String(params.xgboost.eval_metric),
        curve: stored.curve,
        gain: stored.importance.gain,
        shap: stored.shap,
        descriptions,
        data: { splits, funnel },
        run: {
          commit,
          seed: source.seed ?? null,
          params: params.xgboost,
          fingerprints: openVersion(dir, version).fingerprints(),
          timings,
        },
      });
    }
    return out;
  });
  const nav = [
    { href: 'index.html', label: 'index' },
    ...reports.map((r) => ({ href: `${r.family}.html`, label: r.family })),
  ];
  const notebooksDir = join(flags.out, 'notebooks');
  const notebooks = existsSync(notebooksDir)
    ? readdirSync(notebooksDir)
        .filter((f) => f.endsWith('.html'))
        .sort()
    : [];
  const batch = new AtomicBatch();
  try {
    for (const r of reports) writeFileSync(batch.add(join(flags.out, `${r.family}.html`)), familyPage(r, nav));
    writeFileSync(batch.add(join(flags.out, 'index.html')), indexPage(reports, notebooks, nav, skipped));
    batch.commit();
  } finally {
    batch.discard();
  }
  const paths = [join(flags.out, 'index.html'), ...reports.map((r) => join(flags.out, `${r.family}.html`))];
  say(`report: ${paths.join(', ')}`);
  return { summary: { families: reports.map((r) => r.family), skipped, paths }, metaPath: catalog.runMeta('report') };
});
