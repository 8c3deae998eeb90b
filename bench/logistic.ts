/**
 * The purchase baseline's logistic regression fitted two ways on the purchase training set:
 * plain TypeScript Newton (IRLS) and tfjs (wasm backend, full-batch Adam). Prints the time and the
 * test log loss of each, and the time of the Newton fit on two worker threads (the same weights).
 * `npx tsx bench/logistic.ts [--data DIR]`; needs the features stage's output.
 */
import { dataCatalog } from '../lib/catalog';
import { parseFlags } from '../lib/cli';
import { logLoss, rocAuc } from '../lib/eval/index';
import { fitLogistic, fitLogisticOnThreads, predictLogistic } from '../lib/models/index';
import { fitLogisticTfjs } from '../lib/models/index';
import { tfjs } from '../lib/tf/index';
import { purchase } from '../lib/families/index';
import { loadFamilyData } from '../lib/train/index';
import { report } from './report';

const flags = parseFlags('npx tsx bench/logistic.ts [--data DIR]', {
  data: { type: 'string', default: 'data', description: 'a data folder with features (make data)' },
});
const { train, test } = await loadFamilyData(dataCatalog(flags.data), purchase);
await tfjs();
let t0 = performance.now();
const irls = fitLogistic(train.matrix, train.labels);
const irlsSeconds = (performance.now() - t0) / 1000;
t0 = performance.now();
const threaded = await fitLogisticOnThreads(train.matrix, train.labels, 2, undefined, 0);
const threadsSeconds = (performance.now() - t0) / 1000;
if (threaded.weights.some((w, j) => !Object.is(w, irls.weights[j])))
  throw new Error('bench/logistic: the fit on two threads gave other weights than in-process');
t0 = performance.now();
const adam = await fitLogisticTfjs(train.matrix, train.labels);
const tfjsSeconds = (performance.now() - t0) / 1000;
const [pa, pb] = [predictLogistic(irls, test.matrix), predictLogistic(adam, test.matrix)];
report('logistic', {
  rows: train.matrix.rows,
  features: train.matrix.features.length,
  irls_seconds: irlsSeconds,
  irls_iterations: irls.iterations,
  irls_two_threads_seconds: threadsSeconds,
  tfjs_seconds: tfjsSeconds,
  tfjs_epochs: adam.iterations,
  irls_test_log_loss: logLoss(test.labels, pa),
  tfjs_test_log_loss: logLoss(test.labels, pb),
  irls_test_roc_auc: rocAuc(test.labels, pa),
  tfjs_test_roc_auc: rocAuc(test.labels, pb),
});
