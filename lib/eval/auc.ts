/**
 * ROC AUC as scikit-learn's roc_auc_score: the probability that a random positive scores above a
 * random negative, ties counting one half (Mann-Whitney). Positives' and negatives' scores are
 * sorted apart and merged. Scores that are all float32 values (XGBoost's predictions) are sorted
 * as 32-bit keys by a three-pass radix sort, 10 M in a fraction of a second; others natively.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  if (labels.length !== scores.length) throw new Error(`rocAuc: ${labels.length} labels but ${scores.length} scores`);
  let positives = 0;
  let float32 = scores instanceof Float32Array;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new Error(`rocAuc: label ${i} is ${labels[i]}, expected 0 or 1`);
    if (Number.isNaN(scores[i])) throw new Error(`rocAuc: score ${i} is NaN`);
    positives += labels[i];
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) throw new Error('rocAuc: needs both positive and negative labels');
  if (!float32) {
    float32 = true;
    for (let i = 0; i < scores.length && float32; i++) float32 = Math.fround(scores[i]) === scores[i];
  }
  const [pos, neg] = float32 ? sortedKeys(labels, scores, positives) : sortedScores(labels, scores, positives);
  // For each positive: negatives strictly below it, plus half of those equal to it.
  let below = 0;
  let upTo = 0;
  let sum = 0;
  for (let i = 0; i < positives; i++) {
    const s = pos[i];
    while (below < negatives && neg[below] < s) below++;
    if (upTo < below) upTo = below;
    while (upTo < negatives && neg[upTo] <= s) upTo++;
    sum += below + (upTo - below) / 2;
  }
  return sum / (positives * negatives);
}

function sortedScores(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  positives: number,
): [Float64Array, Float64Array] {
  const pos = new Float64Array(positives);
  const neg = new Float64Array(labels.length - positives);
  for (let i = 0, p = 0, n = 0; i < labels.length; i++) {
    if (labels[i] === 1) pos[p++] = scores[i];
    else neg[n++] = scores[i];
  }
  return [pos.sort(), neg.sort()];
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * Float32 scores as unsigned keys in the same order (sign bit flipped for positives, all bits for
 * negatives; -0 taken as +0 so they tie), split by label and radix-sorted.
 */
function sortedKeys(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  positives: number,
): [Uint32Array, Uint32Array] {
  const pos = new Uint32Array(positives);
  const neg = new Uint32Array(labels.length - positives);
  const bits = scores instanceof Float32Array ? new Uint32Array(scores.buffer, scores.byteOffset, scores.length) : null;
  for (let i = 0, p = 0, n = 0; i < labels.length; i++) {
    let b: number;
    if (bits) b = bits[i];
    else {
      f32[0] = scores[i];
      b = u32[0];
    }
    if (b === 0x80000000) b = 0;
    const key = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
    if (labels[i] === 1) pos[p++] = key;
    else neg[n++] = key;
  }
  return [radixSort(pos), radixSort(neg)];
}

/** LSD radix sort of 32-bit keys in three passes (11, 11 and 10 bits). */
export function radixSort(keys: Uint32Array): Uint32Array {
  const n = keys.length;
  const low = new Uint32Array(2048);
  const mid = new Uint32Array(2048);
  const high = new Uint32Array(1024);
  for (let i = 0; i < n; i++) {
    const v = keys[i];
    low[v & 2047]++;
    mid[(v >>> 11) & 2047]++;
    high[v >>> 22]++;
  }
  for (const counts of [low, mid, high]) {
    let sum = 0;
    for (let k = 0; k < counts.length; k++) {
      const c = counts[k];
      counts[k] = sum;
      sum += c;
    }
  }
  const scratch = new Uint32Array(n);
  for (let i = 0; i < n; i++) scratch[low[keys[i] & 2047]++] = keys[i];
  for (let i = 0; i < n; i++) keys[mid[(scratch[i] >>> 11) & 2047]++] = scratch[i];
  for (let i = 0; i < n; i++) scratch[high[keys[i] >>> 22]++] = keys[i];
  return scratch;
}
