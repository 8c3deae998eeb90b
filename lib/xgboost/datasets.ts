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

/** One data line of a libsvm text: its one-based line number and its fields, comment removed. */
interface LibsvmLine {
  line: number;
  fields: string[];
}

/**
 * The data lines of a libsvm/LETOR text. As in XGBoost's and LightGBM's parsers, `#` starts a
 * comment that runs to the end of the line: LETOR 3.0/4.0 (MQ2007, MQ2008, OHSUMED) end every row
 * with `#docid = ... inc = ... prob = ...`. Lines that are empty once the comment is cut are skipped.
 */
function libsvmLines(text: string): LibsvmLine[] {
  const out: LibsvmLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const data = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (data !== '') out.push({ line: i + 1, fields: data.split(/\s+/) });
  });
  return out;
}

const FEATURE_INDEX = /^\d+$/;

/**
 * LETOR/libsvm rows `label [qid:Q] index:value ... [# comment]`; absent features are NaN, i.e.
 * missing, as in a sparse XGBoost DMatrix. Indices are one-based unless the file uses index 0
 * (scikit-learn's `zero_based='auto'`). Returns the query ids found, if any. A malformed row throws
 * with its line number and the field.
 */
export function parseLibsvm(text: string, cols: number): DenseData & { qids: number[] } {
  const lines = libsvmLines(text);
  const base = lines.some((l) => l.fields.some((f) => f.startsWith('0:'))) ? 0 : 1;
  const values = new Float32Array(lines.length * cols).fill(NaN);
  const labels = new Float32Array(lines.length);
  const qids: number[] = [];
  lines.forEach(({ line, fields: [label, ...pairs] }, i) => {
    labels[i] = Number(label);
    if (!Number.isFinite(labels[i])) throw new Error(`line ${line}: label "${label}" is not a number`);
    for (const pair of pairs) {
      const colon = pair.indexOf(':');
      const key = pair.slice(0, colon);
      const value = Number(pair.slice(colon + 1));
      if (colon <= 0 || pair.slice(colon + 1) === '' || Number.isNaN(value))
        throw new Error(`line ${line}: field "${pair}" is not index:value`);
      if (key === 'qid') {
        qids.push(value);
        continue;
      }
      const j = Number(key) - base;
      if (!FEATURE_INDEX.test(key) || j < 0 || j >= cols)
        throw new Error(`line ${line}: feature index ${key} outside ${base}..${cols - 1 + base}`);
      values[i * cols + j] = value;
    }
  });
  return { values, labels, rows: lines.length, cols, qids };
}

/** A `.query` file: the size of each consecutive query group, one per line. */
export function parseQueryFile(text: string): Uint32Array {
  return Uint32Array.from(
    text.split('\n').filter((l) => l.trim() !== ''),
    Number,
  );
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
    for (const { fields } of libsvmLines(text)) {
      for (let f = 1; f < fields.length; f++) {
        const key = fields[f].slice(0, fields[f].indexOf(':'));
        if (!FEATURE_INDEX.test(key)) continue;
        const j = Number(key);
        if (j === 0) zeroBased = true;
        if (j > max) max = j;
      }
    }
  }
  return zeroBased ? max + 1 : max;
}
