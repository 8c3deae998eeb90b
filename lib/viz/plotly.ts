import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** A Plotly trace or layout: plain data, as plotly.js takes it. */
export type PlotlyData = Record<string, unknown>;

/**
 * plotly.js itself as an inline <script>, so a notebook export or report opens from disk with no
 * network. Emit it once per page, before any chart.
 */
export function plotlyScript(): string {
  // Resolved from the working directory (the project root for stages, tests and the kernel):
  // `import.meta` would make tslab's CommonJS build of this module fail to load.
  const path = createRequire(join(process.cwd(), 'package.json')).resolve('plotly.js-dist-min');
  return `<script>${readFileSync(path, 'utf8').replaceAll('</script', '<\\/script')}</script>`;
}

const escapeJson = (value: unknown) => JSON.stringify(value).replaceAll('</', '<\\/');

/**
 * One chart as HTML: a div and the call that draws it. `id` must be unique on the page; it is
 * taken from the caller so output is deterministic.
 */
export function plotHtml(id: string, traces: PlotlyData[], layout: PlotlyData = {}, height = 380): string {
  if (!/^[A-Za-z][\w-]*$/.test(id)) throw new Error(`chart id must be a plain identifier, got '${id}'`);
  const fullLayout = { height, margin: { l: 60, r: 20, t: 40, b: 50 }, ...layout };
  return `<div id="${id}" class="shoplab-chart" style="height:${height}px"></div>
<script>Plotly.newPlot(${JSON.stringify(id)}, ${escapeJson(traces)}, ${escapeJson(fullLayout)}, {displaylogo: false, responsive: true});</script>`;
}
