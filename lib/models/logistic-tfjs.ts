import { tfjs } from '../tf/index';
import {
  DEFAULT_LOGISTIC,
  fitStandardisation,
  type LogisticModel,
  type LogisticParams,
  type Matrix,
  standardise,
} from './logistic';

export interface TfjsLogisticParams extends LogisticParams {
  /** Full-batch Adam steps. */
  epochs: number;
  learningRate: number;
}

export const DEFAULT_TFJS_LOGISTIC: TfjsLogisticParams = { ...DEFAULT_LOGISTIC, epochs: 300, learningRate: 0.1 };

/**
 * The same L2 logistic regression as `fitLogistic` (same standardisation, same objective: summed
 * log loss + l2/2 · |w|², intercept unpenalised), fitted with tfjs by full-batch Adam. Returns a
 * model `predictLogistic` scores. Kept to measure against the Newton (IRLS) fit: bench/logistic.ts.
 */
export async function fitLogisticTfjs(
  m: Matrix,
  labels: ArrayLike<number>,
  params: TfjsLogisticParams = DEFAULT_TFJS_LOGISTIC,
): Promise<LogisticModel> {
  const tf = await tfjs();
  const p = m.features.length;
  const { means, scales } = fitStandardisation(m);
  const x = tf.tensor2d(Float32Array.from(standardise(m, means, scales)), [m.rows, p]);
  const y = tf.tensor2d(Float32Array.from(labels), [m.rows, 1]);
  const w = tf.variable(tf.zeros([p, 1]));
  const b = tf.variable(tf.zeros([1]));
  const optimizer = tf.train.adam(params.learningRate);
  try {
    for (let epoch = 0; epoch < params.epochs; epoch++) {
      optimizer.minimize(() => {
        const logits = x.matMul(w).add(b);
        // Mean log loss + l2 / (2n) |w|²: the IRLS objective divided by n, so the same minimum.
        const loss = tf.losses.sigmoidCrossEntropy(y, logits, undefined, undefined, tf.Reduction.MEAN);
        return loss
          .add(
            w
              .square()
              .sum()
              .mul(params.l2 / (2 * m.rows)),
          )
          .asScalar();
      });
    }
    const weights = [...(await b.data()), ...(await w.data())];
    return { kind: 'logistic', features: [...m.features], params, means, scales, weights, iterations: params.epochs };
  } finally {
    tf.dispose([x, y, w, b]);
    optimizer.dispose();
  }
}
