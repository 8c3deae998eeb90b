import type { DataCatalog } from '../catalog';
import { readFeatureManifest } from '../features/index';
import type { SetModelFamily, ShopConfig } from '../families/index';
import { queryRows, sqlString, withDuckDB } from '../io/index';
import { openVersion, readProduction } from '../registry/index';
import { type FamilyData, type FittedFamily, fitFamily, loadFamilyData } from '../train/index';
import { featureBarChart, learningCurveChart, metricsTableHtml } from '../viz/index';
import { renderCharts } from './family';

/** One family trained in a notebook on a sample of its data, with the report's views of it as HTML. */
export interface Exploration {
  data: FamilyData;
  fit: FittedFamily;
  /** What was read and how long each step took, in one line. */
  summary: string;
  html: {
    /** Test metrics of random, baseline, model and oracle (an arquero table). */
    metrics: string;
    /** The family's evaluation charts, the same the report page draws. */
    charts: string;
    curve: string;
    /** Importance by gain and mean |SHAP|, the manifest's descriptions on hover. */
    features: string;
    /** The registered production model's test metrics (trained on all the data), or a line saying there is none. */
    production: string;
  };
  /** Frees the booster. */
  dispose(): void;
}

/**
 * Trains `family` the way the train stage does, on a seeded sample of its splits (a share `sample`
 * of its searches, sessions or products, kept whole), so a notebook stays interactive; the views are
 * the report page's own (lib/report, lib/viz).
 */
export async function exploreFamily(
  catalog: DataCatalog,
  family: SetModelFamily,
  config: ShopConfig,
  options: { sample?: number } = {},
): Promise<Exploration> {
  const fc = config.families[family.name as keyof ShopConfig['families']];
  const sample = options.sample ?? 1;
  let started = performance.now();
  const lap = () => {
    const s = (performance.now() - started) / 1000;
    started = performance.now();
    return s.toFixed(1);
  };
  const data = await loadFamilyData(catalog, family, { sample });
  const loaded = lap();
  const fit = await fitFamily(family, data, fc, config);
  const fitted = lap();
  const n = (x: number) => x.toLocaleString('en-US');
  const rows = `${n(data.train.labels.length)} train, ${n(data.valid.labels.length)} valid, ${n(data.test.labels.length)} test rows`;
  const manifest = readFeatureManifest(catalog.features.manifest);
  const products = await withDuckDB((con) =>
    queryRows(con, `SELECT title, brand, seller_id, price FROM read_parquet(${sqlString(catalog.raw.products)})`),
  );
  const descriptions = family.describeFeatures({
    features: (manifest.features as Record<string, { name: string; description: string }[]>)[family.name] ?? [],
    hashBuckets: 0,
    products,
  });
  const production = readProduction(catalog.models.family(family.name));
  const stored = production ? openVersion(catalog.models.family(family.name), production.version).metrics() : null;
  const gap = fit.gapClosed === null ? 'n/a (no truth)' : `${(100 * fit.gapClosed).toFixed(1)} %`;
  return {
    data,
    fit,
    summary:
      `${family.name}: ${rows} (${sample === 1 ? 'all' : `a ${(sample * 100).toFixed(0)} % sample`}), read in ${loaded} s; ` +
      `trained in ${fitted} s, kept ${fit.rounds} of ${fit.curve.length} rounds; gap from random to oracle closed on ${fc.primary}: ${gap}`,
    html: {
      metrics: metricsTableHtml(fit.metrics, [...family.metrics]),
      charts: renderCharts(family.charts(fit.details)),
      curve: learningCurveChart(`${family.name}-curve`, fit.curve, String(fc.params.eval_metric), fit.rounds),
      features:
        featureBarChart(`${family.name}-gain`, fit.importance.gain, 'Importance by gain (top 20)', descriptions) +
        featureBarChart(
          `${family.name}-shap`,
          fit.shap,
          `Mean |SHAP| on ${n(fc.shap_rows)} test rows (top 20)`,
          descriptions,
        ),
      production: stored
        ? `<p>Production: v${production!.version}, trained by <code>make models</code> on all ${n(Number((stored.rows as { train: number }).train))} training rows (${production!.reason}).</p>${metricsTableHtml(stored.metrics, [...family.metrics])}`
        : '<p>No production model yet: <code>make models</code> trains and promotes one.</p>',
    },
    dispose: () => fit.result.booster.dispose(),
  };
}
