/** Multiclass metrics over integer class labels 0..classes−1. */
export function confusionMatrix(y: ArrayLike<number>, pred: ArrayLike<number>, classes: number): number[][] {
  if (y.length !== pred.length) throw new Error(`confusionMatrix: ${y.length} labels but ${pred.length} predictions`);
  const m = Array.from({ length: classes }, () => new Array(classes).fill(0));
  for (let i = 0; i < y.length; i++) {
    if (!(y[i] >= 0 && y[i] < classes && pred[i] >= 0 && pred[i] < classes))
      throw new Error(`confusionMatrix: row ${i} has class ${y[i]} → ${pred[i]}, outside 0..${classes - 1}`);
    m[y[i]][pred[i]]++;
  }
  return m;
}

export function accuracy(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === pred[i]) correct++;
  return correct / y.length;
}

/** Per-class F1 from a confusion matrix (0 where a class was never predicted nor present, as sklearn). */
export function perClassF1(confusion: number[][]): number[] {
  return confusion.map((row, c) => {
    const tp = row[c];
    const predicted = confusion.reduce((s, r) => s + r[c], 0);
    const actual = row.reduce((s, v) => s + v, 0);
    return predicted + actual === 0 ? 0 : (2 * tp) / (predicted + actual);
  });
}

/** Unweighted mean of per-class F1 over the classes present in labels or predictions (sklearn's average="macro"). */
export function macroF1(confusion: number[][]): number {
  const f1 = perClassF1(confusion);
  const present = confusion.map(
    (row, c) => row.reduce((s, v) => s + v, 0) + confusion.reduce((s, r) => s + r[c], 0) > 0,
  );
  const used = f1.filter((_, c) => present[c]);
  return used.reduce((a, b) => a + b, 0) / used.length;
}

/** Micro F1: for single-label multiclass it equals accuracy. */
export function microF1(confusion: number[][]): number {
  const total = confusion.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  return confusion.reduce((s, row, c) => s + row[c], 0) / total;
}
