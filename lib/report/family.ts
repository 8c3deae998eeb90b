import type { CalibrationBin, CurvePoint } from '../eval/index';
import { lowerIsBetter } from '../train/evaluate';
import type { EvaluationDetails } from '../train/details';
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
  details: EvaluationDetails;
  data: { splits: { split: string; from: string; to: string; rows: number; label_rate: number | null }[]; funnel: { step: string; events: number }[] };
  run: { commit: string; seed: number | null; params: Record<string, unknown>; fingerprints: Record<string, string>; timings: { stage: string; seconds: number }[] };
}

/** Regressed: the model is worse than production on a guard (or the primary) metric. */
export function regressions(report: Pick<FamilyReport, 'metrics' | 'production' | 'primary' | 'guards'>): string[] {
  if (!report.production || !report.metrics.model) return [];
  const model = report.metrics.model;
  const before = report.production.metrics;
  return [report.primary, ...report.guards].filter((m) => m in before && (lowerIsBetter(m) ? model[m] > before[m] : model[m] < before[m]));
}

function headline(r: FamilyReport): string {
  const regressed = new Set(regressions(r));
  const rows = r.metricNames.map((m) => {
    const model = r.metrics.model?.[m];
    const before = r.production?.metrics[m];
    const delta = model !== undefined && before !== undefined ? model - before : undefined;
    const better = delta === undefined || delta === 0 ? '' : (lowerIsBetter(m) ? delta < 0 : delta > 0) ? 'improved' : '';
    const guard = r.guards.includes(m) || m === r.primary;
    return [
      { html: `${escapeHtml(m)}${m === r.primary ? ' (primary)' : r.guards.includes(m) ? ' (guard)' : ''}` },
      ...REFERENCES.map((ref) => fmt(r.metrics[ref]?.[m])),
      fmt(before),
      regressed.has(m) && guard ? { html: `${fmt(delta)} ▼ regressed`, cls: 'regressed' } : { html: delta === undefined ? '—' : `${delta > 0 ? '+' : ''}${fmt(delta)}`, cls: better },
    ];
  });
  return table(['metric', ...REFERENCES, r.production ? `production v${r.production.version} before` : 'production before', 'Δ model − production'], rows,
    (i) => (r.metricNames[i] === r.primary ? 'primary' : ''));
}

const lines = (id: string, title: string, series: [string, number[], number[]][], x: string, y: string, extra: Record<string, unknown> = {}) =>
  plotHtml(id, series.map(([name, xs, ys]) => ({ type: 'scatter', mode: 'lines', name, x: xs, y: ys })), { title: { text: title }, xaxis: { title: { text: x } }, yaxis: { title: { text: y } }, ...extra });

function familyCharts(d: EvaluationDetails): string {
  if (d.family === 'ranking') {
    const ks = Array.from({ length: 10 }, (_, i) => i + 1);
    const refs = REFERENCES.filter((ref) => d.ndcg_by_k[ref]);
    return `<div class="grid">${lines('ndcg-by-k', 'NDCG@k on test', refs.map((ref) => [ref, ks, d.ndcg_by_k[ref]!]), 'k', 'NDCG@k')}
${plotHtml('mrr', [{ type: 'bar', x: refs, y: refs.map((ref) => d.mrr[ref]) }], { title: { text: 'MRR on test' } })}</div>
${plotHtml('by-query-frequency', refs.map((ref) => ({
      type: 'bar', name: ref, x: d.by_query_frequency.map((b) => `${b.bucket} (${b.searches} searches)`), y: d.by_query_frequency.map((b) => b.ndcg_at_10[ref] ?? null),
    })), { title: { text: 'NDCG@10 by how often the query was searched in training' }, barmode: 'group', yaxis: { title: { text: 'NDCG@10' } } })}`;
  }
  if (d.family === 'purchase') {
    const curve = (c: Partial<Record<string, CurvePoint[]>>) => REFERENCES.filter((ref) => c[ref]).map((ref) => [ref, c[ref]!.map((p) => p.x), c[ref]!.map((p) => p.y)] as [string, number[], number[]]);
    const calibration = (c: Partial<Record<string, CalibrationBin[]>>) => REFERENCES.filter((ref) => c[ref]).map((ref) => [ref, c[ref]!.map((b) => b.meanPredicted), c[ref]!.map((b) => b.fractionPositive)] as [string, number[], number[]]);
    return `<div class="grid">${lines('roc', 'ROC curve on test', curve(d.roc), 'false-positive rate', 'true-positive rate')}
${lines('pr', 'Precision–recall curve on test', curve(d.pr), 'recall', 'precision')}</div>
${lines('calibration', 'Calibration on test (ten bins)', [...calibration(d.calibration), ['perfect', [0, 1], [0, 1]]], 'mean predicted probability', 'observed purchase rate')}`;
  }
  if (d.family === 'recommend') {
    const names = Object.keys(d.lists);
    const metrics = Object.keys(d.lists[names[0]] ?? {});
    const sources = Object.keys(d.candidate_recall);
    return `${plotHtml('lists', metrics.map((m) => ({ type: 'bar', name: m, x: names, y: names.map((n) => d.lists[n][m]) })),
      { title: { text: `Every list on ${d.sessions.test.toLocaleString('en-US')} test sessions: each candidate source alone, their blend, the re-ranked list` }, barmode: 'group' })}
<div class="grid">${plotHtml('candidate-recall', [{ type: 'bar', x: sources, y: sources.map((s) => d.candidate_recall[s]) }],
      { title: { text: `Candidate recall by source (${d.mean_candidates.toFixed(0)} candidates per session)` } })}
${plotHtml('coverage', [{ type: 'bar', x: names, y: names.map((n) => d.coverage[n]) }], { title: { text: 'Catalogue coverage of the top-20 lists' }, yaxis: { range: [0, 1] } })}</div>
${plotHtml('by-history', [{ type: 'bar', x: d.by_history.map((b) => `${b.bucket} (${b.sessions} sessions)`), y: d.by_history.map((b) => b.metrics['ndcg@10']) }],
      { title: { text: 'Re-ranked NDCG@10 by the user\'s events before the session' }, yaxis: { title: { text: 'NDCG@10' } } })}
${table(['list', ...metrics, 'coverage@20'], names.map((n) => [n, ...metrics.map((m) => fmt(d.lists[n][m])), fmt(d.coverage[n])]))}`;
  }
  const order = d.classes.map((c, i) => ({ c, f1: d.per_class_f1[i] })).sort((a, b) => a.f1 - b.f1 || (a.c < b.c ? -1 : 1));
  return `${plotHtml('per-class-f1', [{ type: 'bar', x: order.map((o) => o.c), y: order.map((o) => o.f1) }], { title: { text: 'Per-class F1 on test, worst first' }, yaxis: { range: [0, 1] } })}
${plotHtml('confusion', [{ type: 'heatmap', z: d.confusion, x: d.classes, y: d.classes, colorscale: [[0, '#ffffff'], [1, '#08306b']] }],
    { title: { text: 'Confusion matrix on test (rows: true, columns: predicted)' }, yaxis: { autorange: 'reversed' } }, 720)}`;
}

/** A family's report page. */
export function familyPage(r: FamilyReport, nav: { href: string; label: string }[]): string {
  const regressed = regressions(r);
  const status = r.promotion ? `${r.promotion.promoted ? 'Promoted to production' : 'Not promoted'}: ${escapeHtml(r.promotion.reason)}.` : 'No promotion decision recorded.';
  const body = `<h1>${escapeHtml(r.family)} · v${r.version}</h1>
<p class="muted">${status}${regressed.length ? ` <strong class="regressed">Worse than production on: ${regressed.map(escapeHtml).join(', ')}.</strong>` : ''}
Gap from random to oracle closed on ${escapeHtml(r.primary)}: ${r.gapClosed === null ? 'n/a (no truth)' : `${(r.gapClosed * 100).toFixed(1)} %`}.</p>
<h2>Headline metrics (test split)</h2>
${headline(r)}
<h2>Evaluation</h2>
${familyCharts(r.details)}
${learningCurveChart('learning-curve', r.curve, r.evalMetric, r.rounds)}
<h2>Features</h2>
<div class="grid">${featureBarChart('importance-gain', r.gain, 'Importance by gain (top 20)', r.descriptions)}
${featureBarChart('importance-shap', r.shap, 'Mean |SHAP| on test (top 20)', r.descriptions)}</div>
<h2>Data</h2>
${table(['split', 'from', 'to', 'rows', 'label rate'], r.data.splits.map((s) => [s.split, s.from, s.to, s.rows.toLocaleString('en-US'), fmt(s.label_rate)]))}
${plotHtml('funnel', [{ type: 'bar', x: r.data.funnel.map((f) => f.step), y: r.data.funnel.map((f) => f.events) }], { title: { text: 'Events by type (the funnel)' } }, 320)}
<h2>Run</h2>
${table(['what', 'value'], [
    ['git commit', r.run.commit], ['seed', String(r.run.seed ?? '—')],
    ['XGBoost parameters', { html: `<code>${escapeHtml(JSON.stringify(r.run.params))}</code>` }],
    ...Object.entries(r.run.fingerprints).map(([path, sha]) => [`sha256 ${path}`, { html: `<code>${sha.slice(0, 16)}…</code>` }] as [string, { html: string }]),
  ], () => '', 'left')}
${table(['stage', 'seconds'], r.run.timings.map((t) => [t.stage, fmt(t.seconds, 2)]))}`;
  return page(`shoplab · ${r.family}`, body, nav);
}
