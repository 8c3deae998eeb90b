import { describe, expect, it } from 'vitest';
import { hashedColumnLegend } from './sets';
import { Rng } from '../random';
import {
  cosine,
  fitIdf,
  fnv1a,
  hashBucket,
  hashFeatures,
  pairTextFeatures,
  tfidf,
  tokenize,
  tokenOverlap,
} from './text';

describe('tokenize', () => {
  it('lower-cases and splits on anything but letters and digits', () => {
    expect(tokenize('Zenko Wireless Headphones Pro-200, (black)')).toEqual([
      'zenko',
      'wireless',
      'headphones',
      'pro',
      '200',
      'black',
    ]);
    expect(tokenize('')).toEqual([]);
    expect(tokenize(null)).toEqual([]);
  });
});

describe('hashing', () => {
  it('FNV-1a matches the published test vectors', () => {
    // From the FNV reference test suite: fnv1a32("") and fnv1a32("a"), fnv1a32("foobar").
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });
  it('sums colliding names into one sorted bucket', () => {
    const h = hashFeatures(['brand=a', 'brand=a', 'seller=1'], 1);
    expect(h).toEqual({ indices: [0], values: [3] });
    const wide = hashFeatures(['brand=a', 'seller=1', 'brand=a'], 1 << 20);
    expect(wide.values.reduce((a, b) => a + b, 0)).toBe(3);
    expect([...wide.indices].sort((a, b) => a - b)).toEqual(wide.indices);
  });
});

describe('TF-IDF', () => {
  // Corpus of 3 documents; hand-computed with idf = ln((1+n)/(1+df)) + 1, n = 3.
  const docs = [
    ['red', 'shoe'],
    ['red', 'hat'],
    ['blue', 'shoe', 'shoe'],
  ];
  const idf = fitIdf(docs);
  it('smooths idf like scikit-learn', () => {
    expect(idf.get('red')).toBeCloseTo(Math.log(4 / 3) + 1, 12);
    expect(idf.get('hat')).toBeCloseTo(Math.log(4 / 2) + 1, 12);
    expect(idf.get('shoe')).toBeCloseTo(Math.log(4 / 3) + 1, 12);
  });
  it('normalises vectors and scores cosine similarity; unknown tokens count for nothing', () => {
    const a = tfidf(['red', 'shoe'], idf);
    const b = tfidf(['blue', 'shoe', 'shoe', 'unknown'], idf);
    const wRed = Math.log(4 / 3) + 1;
    const wShoe = Math.log(4 / 3) + 1;
    const wBlue = Math.log(4 / 2) + 1;
    // a = (red: wRed, shoe: wShoe)/|.|, b = (blue: wBlue, shoe: 2 wShoe)/|.|
    const expected = (wShoe * 2 * wShoe) / (Math.hypot(wRed, wShoe) * Math.hypot(wBlue, 2 * wShoe));
    expect(cosine(a, b)).toBeCloseTo(expected, 12);
    expect(cosine(a, a)).toBeCloseTo(1, 12);
    expect(cosine(a, tfidf(['unknown'], idf))).toBe(0);
  });
  it('counts distinct query tokens found in the title', () => {
    expect(tokenOverlap(['red', 'red', 'shoe', 'x'], ['shoe', 'red', 'blue'])).toBe(2);
  });
  it('scores many pairs at once exactly as the per-pair functions do', () => {
    // The hand case above, then random texts over a small vocabulary (repeats, unknown words,
    // empty and missing titles, equal-sized vectors), each pair against cosine and tokenOverlap.
    const rng = new Rng(7);
    const words = ['red', 'blue', 'shoe', 'hat', 'sock', 'Shoe', 'x9', 'unknown', 'ßig'];
    const text = () => Array.from({ length: rng.int(6) }, () => words[rng.int(words.length)]).join(' ');
    const queries = ['red shoe', ...Array.from({ length: 30 }, text)];
    const titles: (string | null)[] = ['blue shoe shoe unknown', null, '', ...Array.from({ length: 40 }, text)];
    const pairQuery = Int32Array.from({ length: 500 }, (_, i) => (i === 0 ? 0 : rng.int(queries.length)));
    const pairTitle = Int32Array.from({ length: 500 }, (_, i) => (i === 0 ? 0 : rng.int(titles.length + 1) - 1));
    const got = pairTextFeatures(queries, titles, pairQuery, pairTitle, idf);
    const wShoe = Math.log(4 / 3) + 1;
    expect(got.cosine[0]).toBeCloseTo(
      (wShoe * 2 * wShoe) / (Math.hypot(Math.log(4 / 3) + 1, wShoe) * Math.hypot(Math.log(2) + 1, 2 * wShoe)),
      6,
    );
    expect([got.overlap[0], got.queryTokens[0]]).toEqual([1, 2]);
    let nonzero = 0;
    for (let i = 0; i < pairQuery.length; i++) {
      const q = tokenize(queries[pairQuery[i]]);
      const t = pairTitle[i] < 0 ? [] : tokenize(titles[pairTitle[i]]);
      const expected = Math.fround(cosine(tfidf(q, idf), tfidf(t, idf)));
      expect(got.cosine[i], `pair ${i}`).toBe(expected);
      expect(got.overlap[i], `pair ${i}`).toBe(tokenOverlap(q, t));
      expect(got.queryTokens[i], `pair ${i}`).toBe(new Set(q).size);
      if (expected > 0 && expected < 0.999) nonzero++;
    }
    expect(nonzero).toBeGreaterThan(50);
  });
});

describe('hashed column legend', () => {
  const products = [
    { title: 'Red shoe', brand: 'Acme', seller_id: 1, price: 10 },
    { title: 'Blue shoe', brand: 'Acme', seller_id: 2, price: 12 },
  ];

  it('lists the content names in each bucket, most frequent first', () => {
    // One bucket holds every name: brand=acme, title=shoe and the Acme × [8, 16) cross occur twice.
    const legend = hashedColumnLegend(products, 1, 4);
    expect(legend).toEqual({ hash_0: 'brand=acme, brand_x_price=acme|3, title=shoe, seller=1' });
  });

  it('names each bucket by the names that hash there', () => {
    const legend = hashedColumnLegend(products, 4096, 10);
    expect(legend[`hash_${hashBucket('title=red', 4096)}`]).toContain('title=red');
    expect(Object.values(legend).join(', ').split(', ').sort()).toEqual(
      ['brand=acme', 'brand_x_price=acme|3', 'seller=1', 'seller=2', 'title=blue', 'title=red', 'title=shoe'].sort(),
    );
  });
});
