import { cumulative, drawIndex, Rng, shuffle, zipfWeights } from '../random';
import { BRAND_SYLLABLES, CATEGORY_TREE, MODEL_SUFFIXES } from './vocabulary';

export interface Leaf {
  /** Index into `Catalog.leaves`. */
  index: number;
  top: number;
  categoryId: string;
  path: string;
  nouns: string[];
}

/** Products in columns (index i is product_id i + 1), grouped by leaf for fast draws. */
export interface Catalog {
  leaves: Leaf[];
  brands: string[];
  /** Brand indices that sell in each top-level category, most popular first. */
  brandsByTop: number[][];
  sellerCount: number;
  productCount: number;
  title: string[];
  leaf: Int32Array;
  brand: Int32Array;
  seller: Int32Array;
  basePrice: Float64Array;
  price: Float64Array;
  /** Latent appeal of the product, N(0, 1): the generator's truth, never written as a feature. */
  quality: Float64Array;
  /** Bit k set when the title carries adjective k of the product's top-level category. */
  adjectives: Uint8Array;
  /** log(price / the category's median price). */
  relativePrice: Float64Array;
  /** Product indices sorted by leaf; leaf k owns byLeaf[leafStart[k] .. leafStart[k + 1]). */
  byLeaf: Int32Array;
  leafStart: Int32Array;
  /** Cumulative popularity aligned with byLeaf (restarting per leaf is not needed: drawIndex takes a range). */
  byLeafCum: Float64Array;
  leafCum: Float64Array;
  leavesByTop: number[][];
}

export function catalogSize(events: number) {
  const productCount = clamp(Math.round(events / 150), 800, 60_000);
  return {
    productCount,
    brandCount: clamp(Math.round(productCount / 40), 40, 400),
    sellerCount: clamp(Math.round(productCount / 4), 200, 4_000),
  };
}

export function makeCatalog(rng: Rng, events: number): Catalog {
  const { productCount, brandCount, sellerCount } = catalogSize(events);
  const leaves: Leaf[] = [];
  const leavesByTop: number[][] = [];
  CATEGORY_TREE.forEach((top, t) => {
    leavesByTop.push([]);
    top.leaves.forEach((leaf, l) => {
      leavesByTop[t].push(leaves.length);
      leaves.push({
        index: leaves.length,
        top: t,
        categoryId: `c${String(t + 1).padStart(2, '0')}${String(l + 1).padStart(2, '0')}`,
        path: `${top.name} > ${leaf.name}`,
        nouns: leaf.nouns,
      });
    });
  });

  const brands = makeBrandNames(rng, brandCount);
  const brandPremium = Float64Array.from(brands, () => Math.exp(0.35 * rng.normal()));
  const brandsByTop: number[][] = CATEGORY_TREE.map(() => []);
  brands.forEach((_, b) => {
    const homes = 1 + rng.int(2);
    for (let h = 0; h < homes; h++) {
      const t = rng.int(CATEGORY_TREE.length);
      if (!brandsByTop[t].includes(b)) brandsByTop[t].push(b);
    }
  });
  brandsByTop.forEach((list, t) => {
    if (list.length === 0) list.push(t % brands.length);
    shuffle(rng, list);
  });
  const brandCumByTop = brandsByTop.map((list) => cumulative(zipfWeights(list.length, 1.1)));
  const sellerCum = cumulative(zipfWeights(sellerCount, 0.9));
  const leafCum = cumulative(leaves.map(() => Math.exp(0.5 * rng.normal())));

  const leaf = new Int32Array(productCount);
  const brand = new Int32Array(productCount);
  const seller = new Int32Array(productCount);
  const basePrice = new Float64Array(productCount);
  const price = new Float64Array(productCount);
  const quality = new Float64Array(productCount);
  const relativePrice = new Float64Array(productCount);
  const popularity = new Float64Array(productCount);
  const adjectives = new Uint8Array(productCount);
  const title: string[] = new Array(productCount);
  for (let i = 0; i < productCount; i++) {
    // Every leaf gets products before the popular leaves take the rest.
    const l = i < leaves.length * 2 ? i % leaves.length : drawIndex(rng, leafCum);
    const top = CATEGORY_TREE[leaves[l].top];
    const b = brandsByTop[leaves[l].top][drawIndex(rng, brandCumByTop[leaves[l].top])];
    leaf[i] = l;
    brand[i] = b;
    seller[i] = drawIndex(rng, sellerCum);
    quality[i] = rng.normal();
    const base = Math.max(2, Math.round(top.medianPrice * brandPremium[b] * Math.exp(0.5 * rng.normal()))) - 0.01;
    const discount = rng.bernoulli(0.3) ? rng.pick([0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4]) : 0;
    basePrice[i] = base;
    price[i] = Math.round(base * (1 - discount) * 100) / 100;
    relativePrice[i] = Math.log(price[i] / top.medianPrice);
    popularity[i] = Math.exp(0.9 * quality[i] + 1.0 * rng.normal());
    const a = rng.bernoulli(0.7) ? rng.int(top.adjectives.length) : -1;
    const adjective = a >= 0 ? ` ${titleCase(top.adjectives[a])}` : '';
    if (a >= 0) adjectives[i] = 1 << a;
    const model = rng.bernoulli(0.4) ? ` ${100 + rng.int(900)}` : rng.pick(MODEL_SUFFIXES);
    title[i] = `${brands[b]}${adjective}\u0000${model}`;
  }
  // Titles as shops write them, drawn after everything else so the rest of the world does not
  // depend on them: nouns, synonyms, words every department uses, accessories of other leaves,
  // brand-and-model-only listings, misspellings and shouting. The category stays the truth.
  for (let i = 0; i < productCount; i++) {
    const [head, model] = title[i].split('\u0000');
    title[i] = realisticTitle(rng, head, model, leaves[leaf[i]], leaves);
  }

  const leafStart = new Int32Array(leaves.length + 1);
  for (let i = 0; i < productCount; i++) leafStart[leaf[i] + 1]++;
  for (let l = 0; l < leaves.length; l++) leafStart[l + 1] += leafStart[l];
  const fill = leafStart.slice(0, leaves.length);
  const byLeaf = new Int32Array(productCount);
  for (let i = 0; i < productCount; i++) byLeaf[fill[leaf[i]]++] = i;
  const byLeafCum = new Float64Array(productCount);
  let running = 0;
  for (let k = 0; k < productCount; k++) {
    running += popularity[byLeaf[k]];
    byLeafCum[k] = running;
  }

  return {
    leaves,
    brands,
    brandsByTop,
    sellerCount,
    productCount,
    title,
    leaf,
    brand,
    seller,
    basePrice,
    price,
    quality,
    adjectives,
    relativePrice,
    byLeaf,
    leafStart,
    byLeafCum,
    leafCum,
    leavesByTop,
  };
}

/** Words listings of every department use. */
const SHARED_WORDS = [
  'set',
  'pack',
  'kit',
  'premium',
  'black',
  'white',
  'blue',
  'mini',
  'large',
  'classic',
  'gift',
  'new',
  'original',
  'deluxe',
  'portable',
  'xl',
];
const TRAILERS = [' (Renewed)', ' - UK Version', ' | Free Delivery', ', 2 Pack', ' [Official]', ' - Gift Idea'];

/**
 * A product's title from its brand (with its adjective) and model, as real catalogues write them:
 * the leaf's usual noun or a synonym (one in 14 titles has only brand and a model code), a word
 * every department uses, an accessory phrase naming a noun of its department ("for laptop"), a typo,
 * capitals, a trailer.
 */
export function realisticTitle(rng: Rng, head: string, model: string, leaf: Leaf, leaves: readonly Leaf[]): string {
  const code = () =>
    `${String.fromCharCode(65 + rng.int(26))}${String.fromCharCode(65 + rng.int(26))}-${100 + rng.int(9900)}`;
  if (rng.bernoulli(1 / 14)) return `${head} ${code()}${model}`;
  let noun = rng.bernoulli(0.7) ? leaf.nouns[0] : rng.pick(leaf.nouns);
  if (rng.bernoulli(0.08) && noun.length > 4) {
    // A typo: a letter dropped, doubled or two swapped.
    const at = 1 + rng.int(noun.length - 2);
    const kind = rng.int(3);
    noun =
      kind === 0
        ? noun.slice(0, at) + noun.slice(at + 1)
        : kind === 1
          ? noun.slice(0, at) + noun[at] + noun.slice(at)
          : noun.slice(0, at) + noun[at + 1] + noun[at] + noun.slice(at + 2);
  }
  let title = `${head}${rng.bernoulli(0.3) ? ` ${titleCase(rng.pick(SHARED_WORDS))}` : ''} ${titleCase(noun)}${model}`;
  if (rng.bernoulli(0.15)) title += ` for ${titleCase(rng.pick(leaves.filter((x) => x.top === leaf.top)).nouns[0])}`;
  if (rng.bernoulli(0.1)) title += rng.pick(TRAILERS);
  return rng.bernoulli(0.08) ? title.toUpperCase() : title;
}

/** Draws a product of leaf `l` in proportion to popularity. */
export function drawProductInLeaf(rng: Rng, catalog: Catalog, l: number): number {
  return catalog.byLeaf[drawIndex(rng, catalog.byLeafCum, catalog.leafStart[l], catalog.leafStart[l + 1])];
}

function makeBrandNames(rng: Rng, n: number): string[] {
  const names = new Set<string>();
  while (names.size < n) {
    const parts = 2 + rng.int(2);
    let name = '';
    for (let p = 0; p < parts; p++) name += rng.pick(BRAND_SYLLABLES);
    names.add(capitalize(name));
  }
  return [...names];
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const titleCase = (s: string) => s.split(' ').map(capitalize).join(' ');
export const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
