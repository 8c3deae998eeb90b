import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';

import { plotHtml } from './plotly';

const REFERENCES = ['random', 'baseline', 'model', 'oracle'] as const;

/**
 * Test metrics as an arquero table (the notebooks' frame): one row per metric, one column per
 * reference (random, baseline, model, oracle; null where a reference has no value).
 */
export function metricsFrame(
  metrics: Partial<Record<(typeof REFERENCES)[number], Record<string, number> | null>>,
  names: string[],
): ColumnTable {
  return aq.table({
    metric: names,
    ...Object.fromEntries(REFERENCES.map((r) => [r, names.map((m) => metrics[r]?.[m] ?? null)])),
  });
}

/** An arquero table as HTML, numbers to `digits` decimals and missing values as —. */
export function frameHtml(frame: ColumnTable, digits = 4): string {
  const format = Object.fromEntries(
    frame
      .columnNames()
      .map((name) => [
        name,
        (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'number' ? v.toFixed(digits) : String(v)),
      ]),
  );
  return frame.toHTML({ format, limit: Infinity });
}

/** An HTML table of test metrics: one row per metric, one column per reference (random, baseline, model, oracle). */
export function metricsTableHtml(
  metrics: Partial<Record<(typeof REFERENCES)[number], Record<string, number> | null>>,
  names: string[],
): string {
  return frameHtml(metricsFrame(metrics, names));
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
