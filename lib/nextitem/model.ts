import { DataRequirementError } from '../errors';
import { Rng, shuffle } from '../random';
import type { Embedding, Item2VecParams } from '../recommend/index';
import { keepBestRounds, stackGroups, toDMatrix, trainingMatrix } from '../train/index';
import { train as trainBooster, type Booster, type BoosterParams, type TrainResult } from '../xgboost/index';
import { ar, byPopularity, iknn, sknn, spop, sr, vsknn } from './baselines';
import {
  fitSessionEmbedding,
  fitSessionEmbeddingOnThread,
  PARALLEL_EMBEDDING_CLICKS,
  PrefixSimilarity,
} from './embedding';
import { itemClicks, type NextItemModel } from './protocol';
import { fitRuleLists, fitRuleListsAt } from './rule-lists';

/** The candidate sources the model re-ranks, each a baseline. */
const SOURCES = { sknn, vsknn, sr, ar, iknn, spop } as const;
type SourceName = keyof typeof SOURCES;
const SOURCE_NAMES = Object.keys(SOURCES) as SourceName[];

/** The lists a candidate can come from: the baselines and item2vec. */
const LIST_NAMES = [...SOURCE_NAMES, 'item2vec'];

/** Per candidate: each list's reciprocal rank and score (over the list's best), then the candidate itself. */
export const NEXT_ITEM_FEATURES = [
  ...LIST_NAMES.flatMap((s) => [`${s}_rr`, `${s}_score`]),
  'item2vec_cos_prefix',
  'item2vec_cos_last',
  'log_clicks',
  'times_in_prefix',
  'is_last',
  'clicks_since_seen',
  'prefix_length',
];

/** One line per re-ranker column, for the report. */
export const NEXT_ITEM_FEATURE_DESCRIPTIONS: Record<string, string> = {
  ...Object.fromEntries(
    LIST_NAMES.flatMap((s) => [
      [`${s}_rr`, `1 / rank of the item in ${s.toUpperCase()}'s list for the prefix (missing when not listed)`],
      [`${s}_score`, `the item's place in ${s.toUpperCase()}'s list as (length − rank) / length`],
    ]),
  ),
  item2vec_cos_prefix: "cosine of the item's item2vec vector with the prefix's recency-weighted mean vector",
  item2vec_cos_last: "cosine of the item's item2vec vector with the last click's",
  log_clicks: 'log(1 + training clicks on the item)',
  times_in_prefix: 'how often the session has clicked the item so far',
  is_last: "1 when the item is the session's last click",
  clicks_since_seen: 'clicks since the session last clicked the item (missing when never)',
  prefix_length: 'clicks in the session so far',
};

export interface NextItemModelParams {
  /** Candidates taken from each source. */
  perSource: number;
  /** Share of the training sessions (the most recent) whose prefixes the re-ranker learns from. */
  validShare: number;
  /** At most this many of them (a large log's share would not fit in memory as candidate rows). */
  maxValidSessions: number;
  /**
   * Candidates kept per learning prefix besides the true next item: a seeded sample, so the
   * re-ranker's rows grow with prefixes, not prefixes × candidates. Answers score every candidate.
   */
  maxNegatives: number;
  rounds: number;
  earlyStopping: number;
  /** XGBoost's parameters for the re-ranker (objective, eval_metric, eta, max_depth, ...). */
  booster: BoosterParams;
  /** item2vec over the training sessions: a candidate list and two features. */
  embedding: Item2VecParams;
  seed: number;
  /** XGBoost threads: fixed, because ranking results depend on it. */
  nthread: number;
}

export const DEFAULT_NEXT_ITEM_PARAMS: NextItemModelParams = {
  perSource: 50,
  validShare: 0.2,
  maxValidSessions: 5000,
  maxNegatives: 100,
  rounds: 200,
  earlyStopping: 20,
  booster: { objective: 'rank:ndcg', eval_metric: 'ndcg@20', eta: 0.1, max_depth: 4 },
  embedding: { dim: 32, window: 3, negatives: 5, max_pairs: 200_000, epochs: 10, batch: 8192, learning_rate: 0.05 },
  seed: 42,
  nthread: 1,
};

export interface Candidates {
  items: Int32Array;
  /** Rows × NEXT_ITEM_FEATURES, row-major. */
  features: Float32Array;
}

/** What candidates come from: the baselines fitted on some sessions, their item2vec, their clicks. */
interface Sources {
  lists: NextItemModel[];
  similarity: PrefixSimilarity;
  clicks: Float64Array;
  /** Scratch, by item: its candidate row during an answer, -1 otherwise (answers are not re-entrant). */
  rowOf: Int32Array;
}

/** Fitted item-to-item lists by source name (AR's and SR's): what the slow part of a fit computes. */
export type SourceLists = Record<string, Int32Array[]>;

/**
 * The lists of the sources that can keep them (AR's and SR's, `sourceLists` of a model fitted on
 * the same sessions), on `threads` worker threads when the log is long (`fitRuleLists`).
 */
export async function fitSourceLists(train: readonly Int32Array[], items: number, threads = 1): Promise<SourceLists> {
  return fitRuleLists(train, items, threads);
}

function fitSources(train: readonly Int32Array[], items: number, embedding: Embedding, saved?: SourceLists): Sources {
  const lists = SOURCE_NAMES.map((name) => {
    const model = SOURCES[name]();
    const kept = saved?.[name];
    if (kept && model.restoreLists) {
      if (kept.length !== items)
        throw new Error(`next-item model: ${name}'s saved lists cover ${kept.length} items, not ${items}`);
      model.restoreLists(kept);
    } else model.fit(train, items);
    return model;
  });
  return {
    lists,
    similarity: new PrefixSimilarity(embedding),
    clicks: itemClicks(train, items),
    rowOf: new Int32Array(items).fill(-1),
  };
}

/** The union of the sources' lists for a prefix (in list order), with every candidate's features. */
function candidatesOf(prefix: Int32Array, sources: Sources, perSource: number): Candidates {
  const { similarity, clicks, rowOf } = sources;
  const embedded = similarity.score(prefix);
  const lists = [
    ...sources.lists.map((s) => s.recommend(prefix, perSource)),
    embedded ? similarity.top(perSource, clicks) : new Int32Array(0),
  ];
  let n = 0;
  for (const list of lists) n += list.length;
  const items = new Int32Array(n);
  n = 0;
  for (const list of lists) for (const item of list) if (rowOf[item] < 0) ((rowOf[item] = n++), (items[n - 1] = item));
  const width = NEXT_ITEM_FEATURES.length;
  const features = new Float32Array(n * width).fill(NaN);
  lists.forEach((list, s) => {
    for (let rank = 0; rank < list.length; rank++) {
      const at = rowOf[list[rank]] * width + 2 * s;
      features[at] = 1 / (rank + 1);
      // Scores are not comparable across sources; by rank within the source's own list they are.
      features[at + 1] = (list.length - rank) / list.length;
    }
  });
  const base = 2 * lists.length;
  const last = prefix[prefix.length - 1];
  for (let r = 0; r < n; r++) {
    const at = r * width + base;
    const item = items[r];
    if (embedded) {
      features[at] = similarity.scores[item];
      features[at + 1] = similarity.cosine(item, last);
    }
    features[at + 2] = Math.log1p(clicks[item]);
    features[at + 3] = 0;
    features[at + 4] = last === item ? 1 : 0;
    features[at + 6] = prefix.length;
  }
  // How often and how recently the prefix clicked each candidate: one pass over the prefix.
  for (let i = 0; i < prefix.length; i++) {
    const r = rowOf[prefix[i]];
    if (r < 0) continue;
    features[r * width + base + 3]++;
    features[r * width + base + 5] = prefix.length - 1 - i;
  }
  for (let r = 0; r < n; r++) rowOf[items[r]] = -1;
  return { items: items.subarray(0, n), features };
}

/** What a fit learned, for the report. */
export interface NextItemFit {
  /** Boosting rounds kept (the best on the held-out prefixes). */
  rounds: number;
  /** Candidate rows the re-ranker learned from, and the prefixes they came from. */
  examples: number;
  prefixes: number;
  /** Training sessions whose prefixes taught the re-ranker (the most recent ones). */
  validSessions: number;
  /** Per round: the training and held-out prefixes' metric. */
  result: TrainResult;
}

export interface FitOptions {
  /** The most recent training sessions the re-ranker learns from (default: from validShare and maxValidSessions). */
  validSessions?: number;
  /** After each boosting round. */
  onRound?: (round: number, valid: number) => void;
  /** After each item2vec step; `which` is 'early' (the sources the re-ranker learns from) or 'all'. */
  onEmbeddingStep?: (which: 'early' | 'all', step: number, steps: number) => void;
  /** Before the item-to-item sources (kNN index, AR, SR, ...) are fitted on the 'early' or 'all' sessions: a long step on a large log. */
  onSources?: (which: 'early' | 'all') => void;
}

/** shoplab's next-item model, with what its fit learned. */
export interface NextItemReranker extends NextItemModel {
  fit(train: readonly Int32Array[], items: number): Promise<void>;
  fitWith(train: readonly Int32Array[], items: number, options?: FitOptions): Promise<NextItemFit>;
  /** A saved re-ranker and item2vec over sources fitted on `train` (a registered version, reloaded). */
  useBooster(
    booster: Booster,
    train: readonly Int32Array[],
    items: number,
    embedding: Embedding,
    /** Item-to-item lists fitted on the same sessions (sourceLists), taken instead of fitting them again. */
    lists?: SourceLists,
  ): void;
  /** The fitted item-to-item lists of the sources that have them. */
  sourceLists(): SourceLists;
  /**
   * The candidate sources fitted on every training session, by name: the baselines of the same
   * names (default parameters) fitted on those sessions, which an evaluation reuses instead of
   * fitting each again (minutes on a month of views).
   */
  fittedSources(): Record<string, NextItemModel>;
  /** The re-ranker, after a fit. */
  readonly booster: Booster | null;
  /** The item2vec of every training session, after a fit. */
  readonly embedding: Embedding | null;
  fitted(): Omit<NextItemFit, 'result'> | null;
  /** The `k` best items after a prefix of one click or more, with the re-ranker's scores. */
  rank(prefix: Int32Array, k: number): { items: Int32Array; scores: Float32Array };
  /** The `k` most clicked training items (the answer before a session's first click). */
  popular(k: number): Int32Array;
  /** The candidates of a prefix with their features (the rows the re-ranker scores). */
  candidates(prefix: Int32Array): Candidates;
}

/** Keeps the positive and at most `max` negatives of a group (seeded), in their order. */
function sampleNegatives(
  group: { features: Float32Array; labels: Float32Array },
  max: number,
  rng: Rng,
): { features: Float32Array; labels: Float32Array } {
  const n = group.labels.length;
  if (n - 1 <= max) return group;
  const negatives = shuffle(
    rng,
    [...group.labels.keys()].filter((r) => group.labels[r] === 0),
  );
  const rows = [group.labels.indexOf(1), ...negatives.slice(0, max)].sort((a, b) => a - b);
  const width = group.features.length / n;
  const features = new Float32Array(rows.length * width);
  rows.forEach((r, o) => features.set(group.features.subarray(r * width, (r + 1) * width), o * width));
  return { features, labels: Float32Array.from(rows, (r) => group.labels[r]) };
}

/**
 * shoplab's next-item model: candidates from the session baselines (SKNN, V-SKNN, SR, AR, iKNN,
 * S-POP) and item2vec, re-ranked by XGBoost (`rank:ndcg` by default) learned on the prefixes of the most recent
 * training sessions (the validation period), with the sources (item2vec too) fitted on the sessions
 * before them; for answering, the sources are refitted on every training session.
 */
export function nextItemModel(params: NextItemModelParams = DEFAULT_NEXT_ITEM_PARAMS): NextItemReranker {
  let sources: Sources | null = null;
  let booster: Booster | null = null;
  let stats: Omit<NextItemFit, 'result'> | null = null;
  let popular = new Int32Array(0);
  const useSources = (train: readonly Int32Array[], items: number, embedding: Embedding, saved?: SourceLists) => {
    sources = fitSources(train, items, embedding, saved);
    popular = byPopularity(sources.clicks);
  };
  const model: NextItemReranker = {
    name: 'model',
    get booster() {
      return booster;
    },
    get embedding() {
      return sources?.similarity.embedding ?? null;
    },
    fitted: () => stats,
    async fit(train, items) {
      await model.fitWith(train, items);
    },
    async fitWith(train, items, options = {}) {
      booster?.dispose();
      booster = null;
      const valid = Math.min(
        options.validSessions ??
          Math.max(1, Math.min(params.maxValidSessions, Math.floor(train.length * params.validShare))),
        train.length - 1,
      );
      const cut = train.length - Math.max(0, valid);
      const early = train.slice(0, cut);
      const recent = train.slice(cut).slice(-params.maxValidSessions);
      const embed = (which: 'early' | 'all', sessions: readonly Int32Array[]) =>
        fitSessionEmbedding(sessions, items, params.embedding, params.seed, (step, steps) =>
          options.onEmbeddingStep?.(which, step, steps),
        );
      // item2vec on every training session does not depend on the early fit: with threads it starts
      // now on a worker thread (a long log's; a short one's in-process when its turn comes), beside
      // the early one here, and its progress shows once the early fit is done.
      let showAll = false;
      let lastAll: [number, number] | null = null;
      const clicks = train.reduce((n, t) => n + t.length, 0);
      const allEmbedding =
        params.nthread > 1 && clicks >= PARALLEL_EMBEDDING_CLICKS
          ? fitSessionEmbeddingOnThread(train, items, params.embedding, params.seed, (step, steps) => {
              lastAll = [step, steps];
              if (showAll) options.onEmbeddingStep?.('all', step, steps);
            })
          : null;
      // Awaited below; a failure before then must not go unhandled.
      allEmbedding?.catch(() => {});
      const earlyEmbedding = await embed('early', early);
      options.onSources?.('early');
      // AR's and SR's lists before the validation period and over every training session, in one pass.
      const [earlyLists, allLists] = await fitRuleListsAt(train, items, [cut, train.length], params.nthread);
      const earlySources = fitSources(early, items, earlyEmbedding, earlyLists);
      // One group per validation prefix whose next click is among the candidates.
      const rng = Rng.derive(params.seed, 'next-item-negatives');
      const groups: { features: Float32Array; labels: Float32Array }[] = [];
      for (const session of recent) {
        for (let p = 1; p < session.length; p++) {
          const c = candidatesOf(session.subarray(0, p), earlySources, params.perSource);
          const labels = Float32Array.from(c.items, (item) => (item === session[p] ? 1 : 0));
          if (labels.includes(1))
            groups.push(sampleNegatives({ features: c.features, labels }, params.maxNegatives, rng));
        }
      }
      if (groups.length < 2) {
        throw new DataRequirementError(
          `next-item model: ${groups.length} prefix(es) of the ${recent.length} most recent training sessions have their next click among the candidates; the re-ranker needs at least two (a longer log)`,
          { prefixes: groups.length },
        );
      }
      // The last fifth of the groups stops the boosting.
      const stop = Math.max(1, Math.floor(groups.length * 0.8));
      const boosterParams = { ...params.booster, seed: params.seed, nthread: params.nthread };
      const dtrain = trainingMatrix(
        stackGroups(groups.slice(0, stop), NEXT_ITEM_FEATURES),
        boosterParams,
        params.nthread,
      );
      const dvalid = toDMatrix(stackGroups(groups.slice(stop), NEXT_ITEM_FEATURES), undefined, params.nthread);
      let result: TrainResult;
      try {
        result = trainBooster(boosterParams, dtrain, {
          rounds: params.rounds,
          evals: [
            [dtrain, 'train'],
            [dvalid, 'valid'],
          ],
          earlyStoppingRounds: params.earlyStopping,
          onRound: (round, scores) => options.onRound?.(round, Object.values(scores.valid ?? {}).at(-1) ?? NaN),
        });
        stats = {
          rounds: keepBestRounds(result),
          examples: dtrain.rows + dvalid.rows,
          prefixes: groups.length,
          validSessions: recent.length,
        };
        booster = result.booster;
      } finally {
        dtrain.dispose();
        dvalid.dispose();
      }
      showAll = true;
      if (lastAll) options.onEmbeddingStep?.('all', ...(lastAll as [number, number]));
      const embedding = await (allEmbedding ?? embed('all', train));
      options.onSources?.('all');
      useSources(train, items, embedding, allLists);
      return { ...stats, result };
    },
    useBooster(saved, train, items, embedding, lists) {
      booster?.dispose();
      booster = saved;
      useSources(train, items, embedding, lists);
    },
    sourceLists() {
      if (!sources) throw new Error('next-item model: fit it first');
      return Object.fromEntries(
        SOURCE_NAMES.flatMap((name, i) => {
          const lists = sources!.lists[i].savedLists?.();
          return lists ? [[name, lists]] : [];
        }),
      );
    },
    fittedSources() {
      if (!sources) throw new Error('next-item model: fit it first');
      return Object.fromEntries(sources.lists.map((source) => [source.name, source]));
    },
    candidates(prefix) {
      if (!sources) throw new Error('next-item model: fit it first');
      return candidatesOf(prefix, sources, params.perSource);
    },
    recommend: (prefix, k) => model.rank(prefix, k).items,
    rank(prefix, k) {
      if (!booster || !sources) throw new Error('next-item model: fit it first');
      const { clicks } = sources;
      const c = candidatesOf(prefix, sources, params.perSource);
      if (c.items.length === 0) return { items: new Int32Array(0), scores: new Float32Array(0) };
      // In-place prediction: no DMatrix built a request (the same scores as one).
      const scores = booster.predictDense(c.features, c.items.length, NEXT_ITEM_FEATURES.length);
      const order = Array.from(c.items.keys())
        .sort((a, b) => scores[b] - scores[a] || clicks[c.items[b]] - clicks[c.items[a]] || c.items[a] - c.items[b])
        .slice(0, k);
      return { items: Int32Array.from(order, (r) => c.items[r]), scores: Float32Array.from(order, (r) => scores[r]) };
    },
    popular: (k) => popular.slice(0, k),
  };
  return model;
}
