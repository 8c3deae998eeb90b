/**
 * Which way each metric improves: a property of the metric, whatever family reports it. Every
 * metric is better when larger except these.
 */
const LOWER_IS_BETTER = new Set(['log_loss', 'brier']);

export const lowerIsBetter = (metric: string) => LOWER_IS_BETTER.has(metric);

/** `a` is better than `b` on `metric` by more than `margin` (relative to |b|). */
export function improves(metric: string, a: number, b: number, margin = 0): boolean {
  const gain = lowerIsBetter(metric) ? b - a : a - b;
  return gain > margin * Math.abs(b);
}
