/**
 * ROC and precision–recall curves as scikit-learn's roc_curve and precision_recall_curve: one point
 * per distinct score, taken from the highest score down. `maxPoints` thins long curves for charts
 * (keeping both ends); the area uses every point.
 */
export interface CurvePoint {
  threshold: number;
  /** ROC: false-positive rate; PR: recall. */
  x: number;
  /** ROC: true-positive rate; PR: precision. */
  y: number;
}

/** Cumulative true and false positives at each distinct score, highest first. */
function cumulativeCounts(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
): { thresholds: number[]; tp: number[]; fp: number[]; positives: number; negatives: number } {
  const order = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const thresholds: number[] = [];
  const tp: number[] = [];
  const fp: number[] = [];
  let t = 0;
  let f = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (labels[i] === 1) t++;
    else f++;
    if (k === order.length - 1 || scores[order[k + 1]] !== scores[i]) {
      thresholds.push(scores[i]);
      tp.push(t);
      fp.push(f);
    }
  }
  return { thresholds, tp, fp, positives: t, negatives: f };
}

function thin(points: CurvePoint[], maxPoints: number): CurvePoint[] {
  if (points.length <= maxPoints) return points;
  const step = (points.length - 1) / (maxPoints - 1);
  return Array.from({ length: maxPoints }, (_, k) => points[Math.round(k * step)]);
}

/** ROC curve from (0, 0) to (1, 1): false-positive rate against true-positive rate. */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>, maxPoints = Infinity): CurvePoint[] {
  const { thresholds, tp, fp, positives, negatives } = cumulativeCounts(labels, scores);
  if (positives === 0 || negatives === 0) throw new Error('rocCurve: needs both positive and negative labels');
  const points = [
    { threshold: Infinity, x: 0, y: 0 },
    ...thresholds.map((threshold, k) => ({ threshold, x: fp[k] / negatives, y: tp[k] / positives })),
  ];
  return thin(points, maxPoints);
}

/** Precision–recall curve, recall rising: one point per threshold (scikit-learn's order reversed, without its final (recall 0, precision 1) point). */
export function precisionRecallCurve(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  maxPoints = Infinity,
): CurvePoint[] {
  const { thresholds, tp, fp, positives } = cumulativeCounts(labels, scores);
  if (positives === 0) throw new Error('precisionRecallCurve: needs positive labels');
  return thin(
    thresholds.map((threshold, k) => ({ threshold, x: tp[k] / positives, y: tp[k] / (tp[k] + fp[k]) })),
    maxPoints,
  );
}
