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

/** The documents as TF-IDF rows over the fitted vocabulary; unknown terms are dropped. */
export function transformTfidf(model: Tfidf, documents: readonly string[]): Csr {
  let column = COLUMNS.get(model);
  if (!column) COLUMNS.set(model, (column = new Map(model.terms.map((t, i) => [t, i]))));
  const out = new CsrBuilder(model.terms.length);
  const counts = new Map<number, number>();
  for (const doc of documents) {
    counts.clear();
    for (const term of analyze(doc, model.options)) {
      const c = column.get(term);
      if (c !== undefined) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const cols = [...counts.keys()];
    const values = cols.map(
      (c) => (model.options.sublinearTf ? 1 + Math.log(counts.get(c)!) : counts.get(c)!) * model.idf[c],
    );
    let norm = 0;
    for (const v of values) norm += v * v;
    norm = Math.sqrt(norm);
    out.push(cols, norm > 0 ? values.map((v) => v / norm) : values);
  }
  return out.build();
}
