import { thresholdCounts } from './curves';

/** Binary-outcome metrics, defined as scikit-learn defines them (see test/reference/metric-cases.json). */

function checkLengths(name: string, y: ArrayLike<number>, p: ArrayLike<number>): void {
  if (y.length !== p.length) throw new Error(`${name}: ${y.length} labels but ${p.length} scores`);
  if (y.length === 0) throw new Error(`${name}: no rows`);
}

/**
 * Average precision (PR AUC), as sklearn's average_precision_score: the sum over distinct score
 * thresholds, highest first, of (R_n − R_{n−1}) · P_n, without interpolation. Labels 0 or 1.
 */
export function averagePrecision(y: ArrayLike<number>, score: ArrayLike<number>): number {
  checkLengths('averagePrecision', y, score);
  const { tp, fp, positives } = thresholdCounts(y, score, 'averagePrecision');
  if (positives === 0) throw new Error('averagePrecision: no positive label');
  let ap = 0;
  let previousRecall = 0;
  for (let k = 0; k < tp.length; k++) {
    const recall = tp[k] / positives;
    ap += (recall - previousRecall) * (tp[k] / (tp[k] + fp[k]));
    previousRecall = recall;
  }
  return ap;
}

/** Mean of −(y log p + (1 − y) log(1 − p)), p clipped to [1e-15, 1 − 1e-15]. */
export function logLoss(y: ArrayLike<number>, p: ArrayLike<number>): number {
  checkLengths('logLoss', y, p);
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(1 - 1e-15, Math.max(1e-15, p[i]));
    sum -= y[i] * Math.log(q) + (1 - y[i]) * Math.log(1 - q);
  }
  return sum / y.length;
}

/** Mean squared difference between probability and outcome. */
export function brierScore(y: ArrayLike<number>, p: ArrayLike<number>): number {
  checkLengths('brierScore', y, p);
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += (p[i] - y[i]) ** 2;
  return sum / y.length;
}

export interface CalibrationBin {
  lo: number;
  hi: number;
  count: number;
  meanPredicted: number;
  fractionPositive: number;
}

/** Reliability diagram data: equal-width probability bins with mean prediction and observed rate (empty bins left out). */
export function calibrationBins(y: ArrayLike<number>, p: ArrayLike<number>, bins = 10): CalibrationBin[] {
  checkLengths('calibrationBins', y, p);
  const count = new Array(bins).fill(0);
  const sumP = new Array(bins).fill(0);
  const sumY = new Array(bins).fill(0);
  for (let i = 0; i < y.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p[i] * bins)));
    count[b]++;
    sumP[b] += p[i];
    sumY[b] += y[i];
  }
  return count.flatMap((n, b) =>
    n === 0
      ? []
      : [{ lo: b / bins, hi: (b + 1) / bins, count: n, meanPredicted: sumP[b] / n, fractionPositive: sumY[b] / n }],
  );
}
