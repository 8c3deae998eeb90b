/** Prints how fast ROC AUC runs over N scores: `npx tsx bench/metrics.ts [n]`. */
import { rocAuc } from '../lib/eval';
import { Rng } from '../lib/random';
import { report } from './report';

const n = Number(process.argv[2] ?? 10_000_000);
const rng = new Rng(1);
const labels = new Uint8Array(n);
// Float32 scores, as XGBoost predicts them.
const scores = new Float32Array(n);
for (let i = 0; i < n; i++) {
  labels[i] = rng.bernoulli(0.2) ? 1 : 0;
  scores[i] = rng.normal() + labels[i];
}
const t0 = performance.now();
const auc = rocAuc(labels, scores);
const seconds = (performance.now() - t0) / 1000;
report('roc-auc', { scores: n, seconds, auc });
