import { type Csr, CsrBuilder } from './sparse';

/**
 * TF-IDF exactly as scikit-learn's `TfidfVectorizer` computes it with its defaults (lowercase,
 * smooth idf, l2 norm), for the three analyzers a product title needs:
 * - `word`: tokens are runs of two or more word characters (`(?u)\b\w\w+\b`), then their n-grams
 *   joined by a space;
 * - `char`: n-grams of the text with runs of two or more white-space characters made one space;
 * - `char_wb`: n-grams inside each white-space separated word padded with a space on each side
 *   (a word shorter than n counts once, as the padded word).
 * Strings are taken by code point, as Python does. idf = ln((1 + n) / (1 + df)) + 1; each row is
 * the term counts times idf (or 1 + ln(count) with `sublinearTf`), scaled to unit length.
 */
export type Analyzer = 'word' | 'char' | 'char_wb';

export interface TfidfOptions {
  analyzer: Analyzer;
  /** Smallest and largest n. */
  ngram: [number, number];
  /** Terms in fewer training documents than this are left out (scikit-learn's integer `min_df`). */
  minDf?: number;
  sublinearTf?: boolean;
}

export interface Tfidf {
  options: TfidfOptions;
  /** Terms in column order (sorted, as scikit-learn orders its vocabulary). */
  terms: string[];
  idf: Float64Array;
}

/** Python's `\w`: letters, digits and other numerals, and the underscore. */
const WORD = /[\p{L}\p{N}_]{2,}/gu;
const RUNS_OF_SPACE = /\s\s+/gu;

/** The terms of one document, with repeats (scikit-learn's `build_analyzer()`). */
export function analyze(text: string, options: TfidfOptions): string[] {
  const lower = text.toLowerCase();
  const [minN, maxN] = options.ngram;
  const out: string[] = [];
  if (options.analyzer === 'word') {
    const tokens = lower.match(WORD) ?? [];
    for (let n = minN; n <= Math.min(maxN, tokens.length); n++)
      for (let i = 0; i + n <= tokens.length; i++) out.push(n === 1 ? tokens[i] : tokens.slice(i, i + n).join(' '));
    return out;
  }
  // Strings without surrogate pairs (nearly every title) are sliced directly: one code unit per code point.
  const units = (t: string) => (/[\uD800-\uDFFF]/.test(t) ? null : t);
  const grams = (t: string, n: number, push: (gram: string) => void) => {
    const direct = units(t);
    if (direct !== null) for (let i = 0; i + n <= direct.length; i++) push(direct.slice(i, i + n));
    else {
      const chars = Array.from(t);
      for (let i = 0; i + n <= chars.length; i++) push(chars.slice(i, i + n).join(''));
    }
  };
  const push = (gram: string) => out.push(gram);
  if (options.analyzer === 'char') {
    const text = lower.replace(RUNS_OF_SPACE, ' ');
    const length = units(text) === null ? Array.from(text).length : text.length;
    for (let n = minN; n <= Math.min(maxN, length); n++) grams(text, n, push);
    return out;
  }
  for (const word of lower.split(/\s+/u)) {
    if (word === '') continue;
    const w = ` ${word} `;
    const length = units(w) === null ? Array.from(w).length : w.length;
    for (let n = minN; n <= maxN; n++) {
      // A word shorter than n is counted once, as a whole, and ends the word's n-grams.
      if (length <= n) {
        out.push(w);
        break;
      }
      grams(w, n, push);
    }
  }
  return out;
}

/** Learns the vocabulary and idf from training documents only. */
export function fitTfidf(documents: readonly string[], options: TfidfOptions): Tfidf {
  const df = new Map<string, number>();
  for (const doc of documents) for (const term of new Set(analyze(doc, options))) df.set(term, (df.get(term) ?? 0) + 1);
  const minDf = options.minDf ?? 1;
  const terms = [...df.keys()].filter((t) => df.get(t)! >= minDf).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const n = documents.length;
  const idf = Float64Array.from(terms, (t) => Math.log((1 + n) / (1 + df.get(t)!)) + 1);
  return { options, terms, idf };
}

/** Each model's term → column lookup, built once per model. */
const COLUMNS = new WeakMap<Tfidf, Map<string, number>>();

/**
 * The vocabulary of a character analyzer as a trie over its characters, so a document's n-grams
 * are found by walking it rather than by making and hashing a string per n-gram. Characters are
 * numbered 1.. in order of first use (`letter`; 0 for one the vocabulary never uses) and edges
 * keyed node × letters + letter, small integers V8 hashes fast; `column[node]` is the term ending
 * there (−1 when none).
 */
interface CharTrie {
  letter: Map<number, number>;
  letters: number;
  edges: Map<number, number>;
  column: Int32Array;
}
const TRIES = new WeakMap<Tfidf, CharTrie>();

function charTrie(model: Tfidf): CharTrie {
  let trie = TRIES.get(model);
  if (trie) return trie;
  const letter = new Map<number, number>();
  for (const term of model.terms)
    for (const ch of term) if (!letter.has(ch.codePointAt(0)!)) letter.set(ch.codePointAt(0)!, letter.size + 1);
  const letters = letter.size + 1;
  const edges = new Map<number, number>();
  const column: number[] = [-1];
  model.terms.forEach((term, c) => {
    let node = 0;
    for (const ch of term) {
      const key = node * letters + letter.get(ch.codePointAt(0)!)!;
      let next = edges.get(key);
      if (next === undefined) {
        next = column.push(-1) - 1;
        edges.set(key, next);
      }
      node = next;
    }
    column[node] = c;
  });
  trie = { letter, letters, edges, column: Int32Array.from(column) };
  TRIES.set(model, trie);
  return trie;
}

/**
 * Counts a document's character n-grams through the trie (exactly `analyze`'s terms, tested):
 * from each start, one walk covers every n; `char_wb` counts each padded word's windows shorter
 * than the word and, when the word is at most the longest n, the whole padded word once.
 */
function countCharGrams(model: Tfidf, text: string, onColumn: (c: number) => void): void {
  const { letter, letters, edges, column } = charTrie(model);
  const [minN, maxN] = model.options.ngram;
  const walk = (cps: number[], from: number, to: number, count: (start: number, depth: number) => boolean) => {
    for (let i = from; i < to; i++) {
      let node = 0;
      for (let d = 1; d <= maxN && i + d <= to; d++) {
        const id = cps[i + d - 1];
        if (id === 0) break;
        const next = edges.get(node * letters + id);
        if (next === undefined) break;
        node = next;
        if (column[node] >= 0 && count(i - from, d)) onColumn(column[node]);
      }
    }
  };
  const lower = text.toLowerCase();
  if (model.options.analyzer === 'char') {
    const cps = Array.from(lower.replace(RUNS_OF_SPACE, ' '), (ch) => letter.get(ch.codePointAt(0)!) ?? 0);
    walk(cps, 0, cps.length, (_, d) => d >= minN);
    return;
  }
  const cps: number[] = [];
  for (const word of lower.split(/\s+/u)) {
    if (word === '') continue;
    const space = letter.get(32) ?? 0;
    cps.length = 0;
    cps.push(space);
    for (const ch of word) cps.push(letter.get(ch.codePointAt(0)!) ?? 0);
    cps.push(space);
    const length = cps.length;
    walk(cps, 0, length, (start, d) => (d >= minN && d < length) || (start === 0 && d === length && length <= maxN));
  }
}

/** The documents as TF-IDF rows over the fitted vocabulary; unknown terms are dropped. */
export function transformTfidf(model: Tfidf, documents: readonly string[]): Csr {
  let column = COLUMNS.get(model);
  if (!column) COLUMNS.set(model, (column = new Map(model.terms.map((t, i) => [t, i]))));
  const out = new CsrBuilder(model.terms.length);
  // Scratch counts by column, reset after each document through the list of columns it touched.
  const counts = new Float64Array(model.terms.length);
  const touched: number[] = [];
  const { idf } = model;
  const sublinear = model.options.sublinearTf === true;
  for (const doc of documents) {
    touched.length = 0;
    if (model.options.analyzer === 'word') {
      for (const term of analyze(doc, model.options)) {
        const c = column.get(term);
        if (c === undefined) continue;
        if (counts[c] === 0) touched.push(c);
        counts[c]++;
      }
    } else {
      countCharGrams(model, doc, (c) => {
        if (counts[c] === 0) touched.push(c);
        counts[c]++;
      });
    }
    const cols = Int32Array.from(touched).sort();
    const values = new Float64Array(cols.length);
    let norm = 0;
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i];
      const v = (sublinear ? 1 + Math.log(counts[c]) : counts[c]) * idf[c];
      values[i] = v;
      norm += v * v;
      counts[c] = 0;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (let i = 0; i < values.length; i++) values[i] /= norm;
    out.pushSorted(cols, values);
  }
  return out.build();
}
