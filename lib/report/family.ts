import { lowerIsBetter } from '../eval/index';
import type { Chart } from '../families/index';
import { featureBarChart, learningCurveChart, plotHtml } from '../viz/index';
import { escapeHtml, fmt, page, table } from './html';

type Metrics = Record<string, number>;
const REFERENCES = ['random', 'baseline', 'model', 'oracle'] as const;

/** Everything a family's report page shows; gathered by pipelines/report.ts. */
export interface FamilyReport {
  family: string;
  version: number;
  primary: string;
  guards: string[];
  metricNames: string[];
  metrics: Record<(typeof REFERENCES)[number], Metrics | null>;
  /** The production model before this run, when there was one. */
  production: { version: number; metrics: Metrics } | null;
  promotion: { promoted: boolean; reason: string } | null;
  gapClosed: number | null;
  rounds: number;
  evalMetric: string;
  curve: { round: number; train: number; valid: number }[];
  gain: Record<string, number>;
  shap: Record<string, number>;
  descriptions: Record<string, string>;
  /** The family's charts of its stored evaluation details. */
  charts: Chart[];
  data: {
    splits: { split: string; from: string; to: string; rows: number; label_rate: number | null }[];
    funnel: { step: string; events: number }[];
  };
  run: {
    commit: string;
    seed: number | null;
    params: Record<string, unknown>;
    fingerprints: Record<string, string>;
    timings: { stage: string; seconds: number }[];
  };
}

/** Regressed: the model is worse than production on a guard (or the primary) metric. */
export function regressions(report: Pick<FamilyReport, 'metrics' | 'production' | 'primary' | 'guards'>): string[] {
  if (!report.production || !report.metrics.model) return [];
  const model = report.metrics.model;
  const before = report.production.metrics;
  return [report.primary, ...report.guards].filter(
    (m) => m in before && (lowerIsBetter(m) ? model[m] > before[m] : model[m] < before[m]),
  );
}

function headline(r: FamilyReport): string {
  const regressed = new Set(regressions(r));
  const rows = r.metricNames.map((m) => {
    const model = r.metrics.model?.[m];
    const before = r.production?.metrics[m];
    const delta = model !== undefined && before !== undefined ? model - before : undefined;
    const better =
      delta === undefined || delta === 0 ? '' : (lowerIsBetter(m) ? delta < 0 : delta > 0) ? 'improved' : '';
    const guard = r.guards.includes(m) || m === r.primary;
    return [
      { html: `${escapeHtml(m)}${m === r.primary ? ' (primary)' : r.guards.includes(m) ? ' (guard)' : ''}` },
      ...REFERENCES.map((ref) => fmt(r.metrics[ref]?.[m])),
      fmt(before),
      regressed.has(m) && guard
        ? { html: `${fmt(delta)} ▼ regressed`, cls: 'regressed' }
        : { html: delta === undefined ? '—' : `${delta > 0 ? '+' : ''}${fmt(delta)}`, cls: better },
    ];
  });
  return table(
    [
      'metric',
      ...REFERENCES,
      r.production ? `production v${r.production.version} before` : 'production before',
      'Δ model − production',
    ],
    rows,
    (i) => (r.metricNames[i] === r.primary ? 'primary' : ''),
  );
}

/** Renders a family's charts (lib/families: each family's `charts`) as HTML. */
export function renderCharts(charts: Chart[]): string {
  return charts
    .map((c) => {
      if ('grid' in c) return `<div class="grid">${renderCharts(c.grid)}</div>`;
      if ('note' in c) return `<p class="muted">${escapeHtml(c.note)}</p>`;
      if ('table' in c)
        return table(
          c.table.head,
          c.table.rows.map((row) => row.map((v) => (typeof v === 'string' ? v : fmt(v)))),
        );
      return plotHtml(c.plot, c.traces, c.layout, c.height);
    })
    .join('\n');
}

/** A family's report page. */
export function familyPage(r: FamilyReport, nav: { href: string; label: string }[]): string {
  const regressed = regressions(r);
  const status = r.promotion
    ? `${r.promotion.promoted ? 'Promoted to production' : 'Not promoted'}: ${escapeHtml(r.promotion.reason)}.`
    : 'No promotion decision recorded.';
  const body = `<h1>${escapeHtml(r.family)} · v${r.version}</h1>
<p class="muted">${status}${regressed.length ? ` <strong class="regressed">Worse than production on: ${regressed.map(escapeHtml).join(', ')}.</strong>` : ''}
Gap from random to oracle closed on ${escapeHtml(r.primary)}: ${r.gapClosed === null ? 'n/a (no truth)' : `${(r.gapClosed * 100).toFixed(1)} %`}.</p>
<h2>Headline metrics (test split)</h2>
${headline(r)}
<h2>Evaluation</h2>
${renderCharts(r.charts)}
${learningCurveChart('learning-curve', r.curve, r.evalMetric, r.rounds)}
<h2>Features</h2>
<div class="grid">${featureBarChart('importance-gain', r.gain, 'Importance by gain (top 20)', r.descriptions)}
${featureBarChart('importance-shap', r.shap, 'Mean |SHAP| on test (top 20)', r.descriptions)}</div>
<h2>Data</h2>
${table(
  ['split', 'from', 'to', 'rows', 'label rate'],
  r.data.splits.map((s) => [s.split, s.from, s.to, s.rows.toLocaleString('en-US'), fmt(s.label_rate)]),
)}
${r.data.funnel.length ? plotHtml('funnel', [{ type: 'bar', x: r.data.funnel.map((f) => f.step), y: r.data.funnel.map((f) => f.events) }], { title: { text: 'Events by type (the funnel)' } }, 320) : ''}
<h2>Run</h2>
${table(
  ['what', 'value'],
  [
    ['git commit', r.run.commit],
    ['seed', String(r.run.seed ?? '—')],
    ['XGBoost parameters', { html: `<code>${escapeHtml(JSON.stringify(r.run.params))}</code>` }],
    ...Object.entries(r.run.fingerprints).map(
      ([path, sha]) => [`sha256 ${path}`, { html: `<code>${sha.slice(0, 16)}…</code>` }] as [string, { html: string }],
    ),
  ],
  () => '',
  'left',
)}
${table(
  ['stage', 'seconds'],
  r.run.timings.map((t) => [t.stage, fmt(t.seconds, 2)]),
)}`;
  return page(`shoplab · ${r.family}`, body, nav);
}
