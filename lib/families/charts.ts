import type { EvaluationDetails } from '../train/index';
import type { Chart } from './types';

/** The four score sets every evaluation compares, in display order. */
export const REFERENCES = ['random', 'baseline', 'model', 'oracle'] as const;

/** The stored evaluation details of one family. */
export type Details<Name extends EvaluationDetails['family']> = Extract<EvaluationDetails, { family: Name }>;

/** A line chart: one line per [name, xs, ys] series. */
export function lineChart(
  id: string,
  title: string,
  series: [string, number[], number[]][],
  x: string,
  y: string,
): Chart {
  return {
    plot: id,
    traces: series.map(([name, xs, ys]) => ({ type: 'scatter', mode: 'lines', name, x: xs, y: ys })),
    layout: { title: { text: title }, xaxis: { title: { text: x } }, yaxis: { title: { text: y } } },
  };
}
