/** Text features: tokens, the hashing trick, and TF-IDF as scikit-learn's TfidfVectorizer defines it. */

/** Lower-cased runs of letters and digits. */
export function tokenize(text: string | null | undefined): string[] {
  if (!text) return [];
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** 32-bit FNV-1a of a string's UTF-16 code units: stable across runs, machines and languages that copy it. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The hashing trick: a feature name's bucket in [0, buckets). Names carry their namespace (`brand=acme`). */
export const hashBucket = (name: string, buckets: number) => fnv1a(name) % buckets;

/**
 * Sparse hashed counts of named features: sorted bucket indices and their summed values, ready
 * for a CSR row.
 */
export function hashFeatures(names: readonly string[], buckets: number): { indices: number[]; values: number[] } {
  const sums = new Map<number, number>();
  for (const name of names) {
    const b = hashBucket(name, buckets);
    sums.set(b, (sums.get(b) ?? 0) + 1);
  }
  const indices = [...sums.keys()].sort((a, b) => a - b);
  return { indices, values: indices.map((i) => sums.get(i)!) };
}

/** Inverse document frequency, smoothed: ln((1 + n) / (1 + df)) + 1 (scikit-learn's default). */
export function fitIdf(documents: readonly string[][]): Map<string, number> {
  const df = new Map<string, number>();
  for (const doc of documents) for (const token of new Set(doc)) df.set(token, (df.get(token) ?? 0) + 1);
  const n = documents.length;
  return new Map([...df].map(([token, d]) => [token, Math.log((1 + n) / (1 + d)) + 1]));
}

/** A document's TF-IDF vector, L2-normalised; tokens outside the vocabulary are dropped. */
export function tfidf(tokens: readonly string[], idf: ReadonlyMap<string, number>): Map<string, number> {
  const v = new Map<string, number>();
  for (const t of tokens) {
    const w = idf.get(t);
    if (w !== undefined) v.set(t, (v.get(t) ?? 0) + w);
  }
  let norm = 0;
  for (const x of v.values()) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (const [t, x] of v) v.set(t, x / norm);
  return v;
}

/** Cosine similarity of two L2-normalised sparse vectors (0 when either is empty). */
export function cosine(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [t, x] of small) dot += x * (large.get(t) ?? 0);
  return dot;
}

/** How many distinct query tokens appear in the title. */
export function tokenOverlap(query: readonly string[], title: readonly string[]): number {
  const titleTokens = new Set(title);
  let n = 0;
  for (const t of new Set(query)) if (titleTokens.has(t)) n++;
  return n;
}

/** Documents as flat arrays: document d's entries are `[start[d], start[d + 1])` of `ids` (and `weights`). */
interface FlatDocuments {
  start: Int32Array;
  ids: Int32Array;
  weights: Float64Array;
}

/** Documents of (token id, weight) entries, in their order, as flat arrays. */
function flatten(docs: readonly (readonly [number, number][])[]): FlatDocuments {
  const start = new Int32Array(docs.length + 1);
  docs.forEach((d, i) => (start[i + 1] = start[i] + d.length));
  const ids = new Int32Array(start[docs.length]);
  const weights = new Float64Array(start[docs.length]);
  docs.forEach((d, i) => d.forEach(([id, w], k) => ((ids[start[i] + k] = id), (weights[start[i] + k] = w))));
  return { start, ids, weights };
}

/** The weight of token `id` in document `d` of `docs`, 0 when it is absent. */
function weightOf(docs: FlatDocuments, d: number, id: number): number {
  for (let k = docs.start[d]; k < docs.start[d + 1]; k++) if (docs.ids[k] === id) return docs.weights[k];
  return 0;
}

/** cosine() of document `s` of `small` and `l` of `large`: the terms of `s` in its order. */
function dot(small: FlatDocuments, s: number, large: FlatDocuments, l: number): number {
  let sum = 0;
  for (let k = small.start[s]; k < small.start[s + 1]; k++) sum += small.weights[k] * weightOf(large, l, small.ids[k]);
  return sum;
}

/**
 * The text features of many (query, title) pairs at once: `cosine` of their TF-IDF vectors,
 * `tokenOverlap` of their tokens, and the query's distinct tokens. Pair i is query
 * `pairQuery[i]` and title `pairTitle[i]` (indices into `queries` and `titles`; −1: no title).
 * Each text is tokenised and weighed once and its tokens become integers, so a pair costs a few
 * integer comparisons instead of hash lookups and sets; the values equal the per-pair functions'
 * to the last bit (the same terms summed in the same order).
 */
export function pairTextFeatures(
  queries: readonly (string | null)[],
  titles: readonly (string | null)[],
  pairQuery: Int32Array,
  pairTitle: Int32Array,
  idf: ReadonlyMap<string, number>,
): { cosine: Float32Array; overlap: Int32Array; queryTokens: Int32Array } {
  const tokenIds = new Map<string, number>();
  const id = (token: string) => {
    let k = tokenIds.get(token);
    if (k === undefined) tokenIds.set(token, (k = tokenIds.size));
    return k;
  };
  // Per text: its TF-IDF vector in the order tfidf builds it, and its distinct tokens.
  const prepare = (texts: readonly (string | null)[]) => {
    const vectors: [number, number][][] = [];
    const sets: [number, number][][] = [];
    for (const text of texts) {
      const tokens = tokenize(text);
      vectors.push([...tfidf(tokens, idf)].map(([t, w]) => [id(t), w]));
      sets.push([...new Set(tokens)].map((t) => [id(t), 1]));
    }
    return { vectors: flatten(vectors), sets: flatten(sets) };
  };
  const q = prepare(queries);
  const t = prepare([...titles, null]);
  const none = titles.length;
  const n = pairQuery.length;
  const cos = new Float32Array(n);
  const overlap = new Int32Array(n);
  const queryTokens = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const qi = pairQuery[i];
    const ti = pairTitle[i] < 0 ? none : pairTitle[i];
    // cosine(): the smaller vector's terms in its order (the query's when the sizes tie).
    const qv = q.vectors.start[qi + 1] - q.vectors.start[qi];
    const tv = t.vectors.start[ti + 1] - t.vectors.start[ti];
    cos[i] = qv <= tv ? dot(q.vectors, qi, t.vectors, ti) : dot(t.vectors, ti, q.vectors, qi);
    let shared = 0;
    for (let k = q.sets.start[qi]; k < q.sets.start[qi + 1]; k++)
      if (weightOf(t.sets, ti, q.sets.ids[k]) !== 0) shared++;
    overlap[i] = shared;
    queryTokens[i] = q.sets.start[qi + 1] - q.sets.start[qi];
  }
  return { cosine: cos, overlap, queryTokens };
}
