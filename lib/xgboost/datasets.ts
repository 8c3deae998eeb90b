/** Readers for the text formats of public ML datasets, into dense row-major Float32Arrays (NaN = absent). */
export interface DenseData {
  values: Float32Array;
  labels: Float32Array;
  rows: number;
  cols: number;
}

/** Tab- (or other) separated rows, label first, then every feature. */
export function parseLabelFirst(text: string, separator = '\t'): DenseData {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new Error('no rows');
  const cols = lines[0].split(separator).length - 1;
  const values = new Float32Array(lines.length * cols);
  const labels = new Float32Array(lines.length);
  lines.forEach((line, i) => {
    const fields = line.split(separator);
    if (fields.length !== cols + 1) throw new Error(`line ${i + 1}: ${fields.length} fields, expected ${cols + 1}`);
    labels[i] = Number(fields[0]);
    for (let j = 0; j < cols; j++) values[i * cols + j] = Number(fields[j + 1]);
  });
  return { values, labels, rows: lines.length, cols };
}

/**
 * LETOR/libsvm rows `label [qid:Q] index:value ...`; absent features are NaN, i.e. missing, as in
 * a sparse XGBoost DMatrix. Indices are one-based unless the file uses index 0 (scikit-learn's
 * `zero_based='auto'`). Returns the query ids found, if any.
 */
export function parseLibsvm(text: string, cols: number): DenseData & { qids: number[] } {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const base = /\s0:/.test(text) ? 0 : 1;
  const values = new Float32Array(lines.length * cols).fill(NaN);
  const labels = new Float32Array(lines.length);
  const qids: number[] = [];
  lines.forEach((line, i) => {
    const [label, ...pairs] = line.trim().split(/\s+/);
    labels[i] = Number(label);
    for (const pair of pairs) {
      const [key, value] = pair.split(':');
      if (key === 'qid') {
        qids.push(Number(value));
        continue;
      }
      const j = Number(key) - base;
      if (!Number.isInteger(j) || j < 0 || j >= cols) throw new Error(`line ${i + 1}: feature index ${key} outside ${base}..${cols - 1 + base}`);
      values[i * cols + j] = Number(value);
    }
  });
  return { values, labels, rows: lines.length, cols, qids };
}

/** A `.query` file: the size of each consecutive query group, one per line. */
export function parseQueryFile(text: string): Uint32Array {
  return Uint32Array.from(text.split('\n').filter((l) => l.trim() !== ''), Number);
}

/** Sizes of runs of equal consecutive query ids: the groups of a file that carries `qid:`. */
export function groupsFromQids(qids: readonly number[]): Uint32Array {
  const sizes: number[] = [];
  for (let i = 0; i < qids.length; i++) {
    if (i > 0 && qids[i] === qids[i - 1]) sizes[sizes.length - 1]++;
    else sizes.push(1);
  }
  return Uint32Array.from(sizes);
}

/** The number of feature columns a libsvm text needs (largest index, counted the way parseLibsvm counts). */
export function libsvmColumns(texts: readonly string[]): number {
  let max = 0;
  let zeroBased = false;
  for (const text of texts) {
    for (const m of text.matchAll(/\s(\d+):/g)) {
      const j = Number(m[1]);
      if (j === 0) zeroBased = true;
      if (j > max) max = j;
    }
  }
  return zeroBased ? max + 1 : max;
}
