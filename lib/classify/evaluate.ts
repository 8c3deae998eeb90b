import { accuracy, confusionMatrix, macroF1, microF1, perClassF1 } from '../eval/index';
import { logLoss, topClasses } from './model';

/** What a classifier's test report holds. */
export interface ClassifierEvaluation {
  accuracy: number;
  macro_f1: number;
  micro_f1: number;
  top3_accuracy: number;
  log_loss: number;
  /** Every class with test products or predictions, worst F1 first. */
  per_class: { class: string; support: number; f1: number }[];
  /** The confusion of the largest classes by support (rows: true, columns: predicted; the last column sums the other classes). */
  confusion: { classes: string[]; matrix: number[][] };
  /** The errors the model was surest of, surest first. */
  confident_errors: { row: number; truth: string; predicted: string; probability: number }[];
}

/**
 * Scores probabilities (rows × classes) against true labels: accuracy, macro and micro F1 as
 * scikit-learn averages them, top-3 accuracy, log loss, per-class F1, the confusion matrix of the
 * `largest` classes, and the `errors` most confident mistakes.
 */
export function evaluateClassifier(
  probabilities: Float64Array,
  labels: ArrayLike<number>,
  classes: readonly string[],
  largest = 15,
  errors = 20,
): ClassifierEvaluation {
  const k = classes.length;
  const width = Math.min(3, k);
  const top = topClasses(probabilities, k, 3);
  const predicted = Array.from({ length: labels.length }, (_, r) => top.classes[r * width]);
  let top3 = 0;
  for (let r = 0; r < labels.length; r++)
    if (top.classes.subarray(r * width, (r + 1) * width).includes(labels[r])) top3++;
  const confusion = confusionMatrix(labels, predicted, k);
  const f1 = perClassF1(confusion);
  const support = confusion.map((row) => row.reduce((a, b) => a + b, 0));
  const predictedCount = confusion[0].map((_, c) => confusion.reduce((s, row) => s + row[c], 0));
  const shown = [...classes.keys()]
    .filter((c) => support[c] > 0)
    .sort((a, b) => support[b] - support[a] || a - b)
    .slice(0, largest);
  const matrix = shown.map((t) => [
    ...shown.map((p) => confusion[t][p]),
    confusion[t].reduce((s, n, p) => (shown.includes(p) ? s : s + n), 0),
  ]);
  const wrong = predicted
    .map((p, row) => ({ row, p, probability: probabilities[row * k + p] }))
    .filter(({ row, p }) => p !== labels[row])
    .sort((a, b) => b.probability - a.probability || a.row - b.row)
    .slice(0, errors);
  return {
    accuracy: accuracy(labels, predicted),
    macro_f1: macroF1(confusion),
    micro_f1: microF1(confusion),
    top3_accuracy: top3 / labels.length,
    log_loss: logLoss(probabilities, labels, k),
    per_class: [...classes.keys()]
      .filter((c) => support[c] + predictedCount[c] > 0)
      .map((c) => ({ class: classes[c], support: support[c], f1: f1[c] }))
      .sort((a, b) => a.f1 - b.f1 || b.support - a.support || (a.class < b.class ? -1 : 1)),
    confusion: { classes: shown.map((c) => classes[c]), matrix },
    confident_errors: wrong.map(({ row, p, probability }) => ({
      row,
      truth: classes[labels[row]],
      predicted: classes[p],
      probability,
    })),
  };
}
