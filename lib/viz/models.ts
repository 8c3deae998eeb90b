import { plotHtml } from './plotly';

const REFERENCES = ['random', 'baseline', 'model', 'oracle'] as const;

const escapeHtml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** An HTML table of test metrics: one row per metric, one column per reference (random, baseline, model, oracle). */
export function metricsTableHtml(
  metrics: Partial<Record<(typeof REFERENCES)[number], Record<string, number> | null>>,
  names: string[],
): string {
  const cell = (v: number | undefined) => `<td style="text-align:right">${v === undefined ? '—' : v.toFixed(4)}</td>`;
  const rows = names.map(
    (m) =>
      `<tr><th style="text-align:left">${escapeHtml(m)}</th>${REFERENCES.map((r) => cell(metrics[r]?.[m])).join('')}</tr>`,
  );
  return `<table class="shoplab-metrics"><thead><tr><th></th>${REFERENCES.map((r) => `<th>${r}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Train and validation values of the early-stopping metric per boosting round, the kept round marked. */
export function learningCurveChart(
  id: string,
  curve: { round: number; train: number; valid: number }[],
  metric: string,
  keptRounds: number,
): string {
  const rounds = curve.map((c) => c.round + 1);
  return plotHtml(
    id,
    [
      { type: 'scatter', mode: 'lines', name: 'train', x: rounds, y: curve.map((c) => c.train) },
      { type: 'scatter', mode: 'lines', name: 'valid', x: rounds, y: curve.map((c) => c.valid) },
    ],
    {
      title: { text: `Learning curve: ${metric} by round (kept ${keptRounds})` },
      xaxis: { title: { text: 'boosting round' } },
      yaxis: { title: { text: metric } },
      shapes: [
        {
          type: 'line',
          x0: keptRounds,
          x1: keptRounds,
          yref: 'paper',
          y0: 0,
          y1: 1,
          line: { dash: 'dot', color: 'grey' },
        },
      ],
    },
  );
}

/** The top `top` features by a score (importance by gain, mean |SHAP|), horizontal bars, descriptions on hover. */
export function featureBarChart(
  id: string,
  scores: Record<string, number>,
  title: string,
  descriptions: Record<string, string> = {},
  top = 20,
): string {
  const ranked = Object.entries(scores)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, top)
    .reverse();
  return plotHtml(
    id,
    [
      {
        type: 'bar',
        orientation: 'h',
        y: ranked.map(([name]) => name),
        x: ranked.map(([, v]) => v),
        text: ranked.map(([name]) => descriptions[name] ?? ''),
        hovertemplate: '%{y}: %{x:.4g}<br>%{text}<extra></extra>',
        textposition: 'none',
      },
    ],
    { title: { text: title }, margin: { l: 200, r: 20, t: 40, b: 40 } },
    Math.max(300, 22 * ranked.length + 80),
  );
}
