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
