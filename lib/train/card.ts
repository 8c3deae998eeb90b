import type { FittedFamily } from './fit';

/** Text table of the four references side by side, metric per row, for stderr and notebooks. */
export function metricsTable(metrics: FittedFamily['metrics'], names: string[]): string {
  const columns = ['random', 'baseline', 'model', 'oracle'] as const;
  const rows = names.map((m) => [
    m,
    ...columns.map((c) => (metrics[c] && m in metrics[c]! ? metrics[c]![m].toFixed(4) : '—')),
  ]);
  const header = ['metric', ...columns];
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) =>
    cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
