import {
  pairRowAt,
  type RankCandidate,
  type RankingIndex,
  type SortedPairs,
  sortedFind,
  tokenize,
} from '../features/index';
import type { LoadedModel } from './models';
import type { RankedProduct, RankRequest } from './rank';

type Row = Record<string, number | null>;

const orNull = (v: number) => (Number.isNaN(v) ? null : v);
const f32 = (v: number | null) => (v === null || !Number.isFinite(v) ? null : Math.fround(v));

/** A search's query as the index sees it: TF-IDF weights by token index (in `tfidf`'s order), distinct known tokens, distinct tokens. */
interface QueryText {
  ids: number[];
  weights: number[];
  known: number[];
  distinct: number;
}

function queryText(index: RankingIndex, query: string): QueryText {
  const queryTokens = tokenize(query);
  // tfidf's own arithmetic, in its order: weights summed per token in first-seen order, then L2-normalised.
  const ids: number[] = [];
  const weights: number[] = [];
  const known: number[] = [];
  for (const t of queryTokens) {
    const id = index.tokenIndex.get(t);
    if (id === undefined) continue;
    if (!known.includes(id)) known.push(id);
    const w = index.idf[id];
    if (Number.isNaN(w)) continue;
    const at = ids.indexOf(id);
    if (at < 0) {
      ids.push(id);
      weights.push(w);
    } else weights[at] += w;
  }
  let norm = 0;
  for (const x of weights) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < weights.length; i++) weights[i] /= norm;
  return { ids, weights, known, distinct: new Set(queryTokens).size };
}

/** `cosine` of the query's and product row r's vectors, summing in the same order (over the shorter one). */
function rowCosine(index: RankingIndex, q: QueryText, r: number): number {
  const from = index.vectorStart[r];
  const to = index.vectorStart[r + 1];
  let dot = 0;
  if (q.ids.length <= to - from) {
    for (let i = 0; i < q.ids.length; i++) {
      let w = 0;
      for (let j = from; j < to; j++)
        if (index.vectorIds[j] === q.ids[i]) {
          w = index.vectorWeights[j];
          break;
        }
      dot += q.weights[i] * w;
    }
  } else {
    for (let j = from; j < to; j++) {
      const at = q.ids.indexOf(index.vectorIds[j]);
      dot += index.vectorWeights[j] * (at < 0 ? 0 : q.weights[at]);
    }
  }
  return dot;
}

/** `tokenOverlap`: distinct query tokens found in product row r's title. */
function rowOverlap(index: RankingIndex, q: QueryText, r: number): number {
  let n = 0;
  for (const id of q.known)
    for (let j = index.tokenStart[r]; j < index.tokenStart[r + 1]; j++)
      if (index.tokenIds[j] === id) {
        n++;
        break;
      }
  return n;
}

/** A pair's three totals into `into`, or null when the pair has none. */
function fill(into: [number, number, number], pairs: SortedPairs, row: number): [number, number, number] | null {
  if (row < 0) return null;
  into[0] = pairs.values[row * 3];
  into[1] = pairs.values[row * 3 + 1];
  into[2] = pairs.values[row * 3 + 2];
  return into;
}

/**
 * Visits every candidate of one search with what its features need: the product row (-1 when the
 * catalogue lacks it), the user row (-1: no history or none given) and the candidate for the
 * request features' `serve` expressions.
 */
function visitCandidates(
  index: RankingIndex,
  request: RankRequest,
  visit: (i: number, product: number, user: number, candidate: RankCandidate) => void,
): void {
  const userId = request.user_id ?? null;
  const user = userId === null ? -1 : sortedFind(index.userIds, userId);
  const userEvents = orNull(user < 0 ? index.noUser[index.userFeatureNames.length] : index.userEvents[user]);
  const meanViewedPrice = orNull(
    user < 0 ? index.noUser[index.userFeatureNames.length + 1] : index.userMeanViewed[user],
  );
  const q = index.queryIndex.get(request.query);
  const queryId = q === undefined ? -1 : index.queryIdValues[q];
  const text = queryText(index, request.query);
  // Each history's rows of this query and this user, found once for every candidate.
  const { pairTotals, queryCategoryTotals, userCategoryEvents } = index;
  const pairOuter = sortedFind(pairTotals.outer, queryId);
  const categoryOuter = sortedFind(queryCategoryTotals.outer, queryId);
  const userOuter = userEvents === null ? -1 : sortedFind(userCategoryEvents.outer, userId!);
  // One candidate object, filled for each in turn (`serve` expressions read it at once, keep nothing).
  const pair: [number, number, number] = [0, 0, 0];
  const queryCategory: [number, number, number] = [0, 0, 0];
  const candidate: RankCandidate = {
    position: 0,
    pair: null,
    queryCategory: null,
    tfidfCosine: 0,
    tokenOverlap: 0,
    queryTokens: text.distinct,
    userEvents,
    userCategoryEvents: null,
    price: null,
    meanViewedPrice,
  };
  const ids = request.product_ids;
  for (let i = 0; i < ids.length; i++) {
    const r = sortedFind(index.productIds, ids[i]);
    const category = r < 0 ? -1 : index.productCategory[r];
    candidate.position = i + 1;
    candidate.pair = fill(pair, pairTotals, pairRowAt(pairTotals, pairOuter, ids[i]));
    candidate.queryCategory =
      category < 0
        ? null
        : fill(queryCategory, queryCategoryTotals, pairRowAt(queryCategoryTotals, categoryOuter, category));
    candidate.tfidfCosine = r < 0 ? 0 : rowCosine(index, text, r);
    candidate.tokenOverlap = r < 0 ? 0 : rowOverlap(index, text, r);
    const userCategory = category < 0 ? -1 : pairRowAt(userCategoryEvents, userOuter, category);
    candidate.userCategoryEvents = userCategory < 0 ? null : userCategoryEvents.values[userCategory];
    candidate.price = r < 0 ? null : orNull(index.productPrice[r]);
    visit(i, r, user, candidate);
  }
}

/** The feature rows of one search, by name, as the training SQL computes them (float32 values, null for missing). */
export function rankingFeatureRows(index: RankingIndex, request: RankRequest): Row[] {
  const rows: Row[] = [];
  const pf = index.productFeatureNames.length;
  const uf = index.userFeatureNames.length;
  visitCandidates(index, request, (i, product, user, candidate) => {
    const row: Row = {};
    index.productFeatureNames.forEach((name, k) => {
      row[name] = orNull(product < 0 ? index.coldProduct[k] : index.productValues[product * pf + k]);
    });
    index.userFeatureNames.forEach((name, k) => {
      row[name] = orNull(user < 0 ? index.noUser[k] : index.userValues[user * uf + k]);
    });
    for (const { name, serve } of index.requestFeatures) row[name] = f32(serve(candidate));
    rows[i] = row;
  });
  return rows;
}

/** Where each of the index's features sits in a model's columns (-1: the model does not use it), cached per model and index. */
interface Layout {
  product: Int32Array;
  user: Int32Array;
  request: Int32Array;
}
const layouts = new WeakMap<LoadedModel, WeakMap<RankingIndex, Layout>>();
function layoutOf(model: LoadedModel, index: RankingIndex): Layout {
  let byIndex = layouts.get(model);
  if (!byIndex) layouts.set(model, (byIndex = new WeakMap()));
  let layout = byIndex.get(index);
  if (!layout) {
    const column = new Map(model.features.map((name, j) => [name, j]));
    const of = (names: string[]) => Int32Array.from(names, (name) => column.get(name) ?? -1);
    layout = {
      product: of(index.productFeatureNames),
      user: of(index.userFeatureNames),
      request: of(index.requestFeatures.map((f) => f.name)),
    };
    byIndex.set(index, layout);
  }
  return layout;
}

/**
 * The model's input matrix for one search (rows × model columns, NaN for missing): the values of
 * `rankingFeatureRows`, written straight into place (into `into` when given, which must be large enough).
 */
export function rankingMatrix(
  index: RankingIndex,
  model: LoadedModel,
  request: RankRequest,
  into?: Float32Array,
): Float32Array {
  const layout = layoutOf(model, index);
  const p = model.features.length;
  const size = request.product_ids.length * p;
  const values = into ? into.subarray(0, size) : new Float32Array(size);
  values.fill(NaN);
  const pf = index.productFeatureNames.length;
  const uf = index.userFeatureNames.length;
  const { requestFeatures } = index;
  visitCandidates(index, request, (i, product, user, candidate) => {
    const base = i * p;
    for (let k = 0; k < pf; k++) {
      const j = layout.product[k];
      if (j >= 0) values[base + j] = product < 0 ? index.coldProduct[k] : index.productValues[product * pf + k];
    }
    for (let k = 0; k < uf; k++) {
      const j = layout.user[k];
      if (j >= 0) values[base + j] = user < 0 ? index.noUser[k] : index.userValues[user * uf + k];
    }
    for (let k = 0; k < requestFeatures.length; k++) {
      const j = layout.request[k];
      if (j >= 0) {
        const v = f32(requestFeatures[k].serve(candidate));
        if (v !== null) values[base + j] = v;
      }
    }
  });
  return values;
}

/** /v1/rank's fast path: the index's feature rows, scored by the model, best first. */
export function rankWithIndex(
  index: RankingIndex,
  model: LoadedModel,
  request: RankRequest,
): { results: RankedProduct[] } {
  const n = request.product_ids.length;
  const scores = model.booster.predictDense(
    rankingMatrix(index, model, request, scratch(n * model.features.length)),
    n,
    model.features.length,
  );
  const results = request.product_ids.map((id, i) => ({
    product_id: id,
    score: scores[i],
    position: i + 1,
    cold_start: sortedFind(index.productIds, id) < 0,
  }));
  results.sort((a, b) => b.score - a.score || a.position - b.position);
  return { results };
}

/** One input buffer reused by every search (a request is scored synchronously, start to end). */
let buffer = new Float32Array(0);
function scratch(size: number): Float32Array {
  if (buffer.length < size) buffer = new Float32Array(size);
  return buffer;
}
