import type { Rng } from '../random';

/** What a shopper typed, and what it asked for. */
export interface Query {
  text: string;
  /** Brand index named in the query, or -1. */
  brand: number;
  /** Index of the adjective in the category's list, or -1. */
  adjective: number;
}

/**
 * Builds a search query for a leaf: a noun or a synonym, sometimes an adjective or a brand in
 * front, sometimes a typo.
 */
export function makeQuery(
  rng: Rng,
  nouns: readonly string[],
  adjectives: readonly string[],
  brands: readonly string[],
  brandOptions: readonly number[],
): Query {
  const noun = rng.bernoulli(0.55) ? nouns[0] : rng.pick(nouns);
  const adjective = rng.bernoulli(0.35) ? rng.int(adjectives.length) : -1;
  const brand = rng.bernoulli(0.12) && brandOptions.length > 0 ? rng.pick(brandOptions) : -1;
  let words = [brand >= 0 ? brands[brand].toLowerCase() : '', adjective >= 0 ? adjectives[adjective] : '', noun]
    .filter((w) => w !== '')
    .join(' ');
  if (rng.bernoulli(0.07)) words = misspell(rng, words);
  return { text: words, brand, adjective };
}

/** One typing slip in a word of four letters or more: a swap, a dropped or a doubled letter. */
export function misspell(rng: Rng, text: string): string {
  const words = text.split(' ');
  const long = words.map((w, i) => (w.length >= 4 ? i : -1)).filter((i) => i >= 0);
  if (long.length === 0) return text;
  const w = rng.pick(long);
  const word = words[w];
  const at = 1 + rng.int(word.length - 2);
  const kind = rng.int(3);
  words[w] =
    kind === 0
      ? word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2)
      : kind === 1
        ? word.slice(0, at) + word.slice(at + 1)
        : word.slice(0, at) + word[at] + word.slice(at);
  return words.join(' ');
}
