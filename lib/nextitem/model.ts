import { DataRequirementError } from '../errors';
import { keepBestRounds, stackGroups, toDMatrix } from '../train/index';
import { DMatrix, train as trainBooster, type Booster } from '../xgboost/index';
import { ar, iknn, sknn, spop, sr, vsknn } from './baselines';
import { itemClicks, type NextItemModel } from './protocol';

/** The candidate sources the model re-ranks, each a baseline. */
const SOURCES = { sknn, vsknn, sr, ar, iknn, spop } as const;
type SourceName = keyof typeof SOURCES;
const SOURCE_NAMES = Object.keys(SOURCES) as SourceName[];

/** Per candidate: each source's reciprocal rank and score (over the source's best), then the candidate itself. */
export const NEXT_ITEM_FEATURES = [
  ...SOURCE_NAMES.flatMap((s) => [`${s}_rr`, `${s}_score`]),
  'log_clicks',
  'times_in_prefix',
  'is_last',
  'clicks_since_seen',
  'prefix_length',
];

export interface NextItemModelParams {
  /** Candidates taken from each source. */
  perSource: number;
  /** Share of the training sessions (the most recent) whose prefixes the re-ranker learns from. */
  validShare: number;
  /** At most this many of them (a large log's share would not fit in memory as candidate rows). */
  maxValidSessions: number;
  rounds: number;
  earlyStopping: number;
  eta: number;
  maxDepth: number;
  seed: number;
  /** XGBoost threads: fixed, because ranking results depend on it. */
  nthread: number;
}

export const DEFAULT_NEXT_ITEM_PARAMS: NextItemModelParams = {
  perSource: 50,
  validShare: 0.2,
  maxValidSessions: 5000,
  rounds: 200,
  earlyStopping: 20,
  eta: 0.1,
  maxDepth: 4,
  seed: 42,
  nthread: 1,
};

interface Candidates {
  items: Int32Array;
  /** Rows × NEXT_ITEM_FEATURES, row-major. */
  features: Float32Array;
}

function fitSources(train: readonly Int32Array[], items: number): NextItemModel[] {
  return SOURCE_NAMES.map((name) => {
    const model = SOURCES[name]();
    model.fit(train, items);
    return model;
  });
}

/** The union of the sources' lists for a prefix, with every candidate's features. */
function candidatesOf(
  prefix: Int32Array,
  sources: NextItemModel[],
  clicks: Float64Array,
  perSource: number,
): Candidates {
  const lists = sources.map((s) => s.recommend(prefix, perSource));
  const items = [...new Set(lists.flatMap((l) => Array.from(l)))];
  const width = NEXT_ITEM_FEATURES.length;
  const features = new Float32Array(items.length * width).fill(NaN);
  const row = new Map(items.map((item, r) => [item, r]));
  lists.forEach((list, s) => {
    list.forEach((item, rank) => {
      const r = row.get(item)!;
      features[r * width + 2 * s] = 1 / (rank + 1);
      // Scores are not comparable across sources; by rank within the source's own list they are.
      features[r * width + 2 * s + 1] = (list.length - rank) / list.length;
    });
  });
  const base = 2 * sources.length;
  items.forEach((item, r) => {
    let times = 0;
    let lastAt = -1;
    prefix.forEach((p, i) => {
      if (p === item) {
        times++;
        lastAt = i;
      }
    });
    const at = r * width + base;
    features[at] = Math.log1p(clicks[item]);
    features[at + 1] = times;
    features[at + 2] = prefix[prefix.length - 1] === item ? 1 : 0;
    features[at + 3] = lastAt < 0 ? NaN : prefix.length - 1 - lastAt;
    features[at + 4] = prefix.length;
  });
  return { items: Int32Array.from(items), features };
}

/**
 * shoplab's next-item model: candidates from the session baselines (SKNN, V-SKNN, SR, AR, iKNN,
 * S-POP), re-ranked by XGBoost `rank:ndcg` learned on the prefixes of the most recent training
 * sessions (the validation period), with the sources fitted on the sessions before them; for
 * answering, the sources are refitted on every training session.
 */
export function nextItemModel(params: NextItemModelParams = DEFAULT_NEXT_ITEM_PARAMS): NextItemModel & {
  /** Rounds kept and validation NDCG of the re-ranker, after fit. */
  fitted: () => { rounds: number; examples: number; prefixes: number };
} {
  let sources: NextItemModel[] = [];
  let clicks = new Float64Array(0);
  let booster: Booster | null = null;
  let stats = { rounds: 0, examples: 0, prefixes: 0 };
  return {
    name: 'model',
    fitted: () => stats,
    fit(train, items) {
      booster?.dispose();
      const cut = Math.max(
        1,
        Math.floor(train.length * (1 - params.validShare)),
        train.length - params.maxValidSessions,
      );
      const early = train.slice(0, cut);
      const recent = train.slice(cut);
      const earlySources = fitSources(early, items);
      const earlyClicks = itemClicks(early, items);
      // One group per validation prefix whose next click is among the candidates.
      const groups: { features: Float32Array; labels: Float32Array }[] = [];
      for (const session of recent) {
        for (let p = 1; p < session.length; p++) {
          const c = candidatesOf(session.subarray(0, p), earlySources, earlyClicks, params.perSource);
          const labels = Float32Array.from(c.items, (item) => (item === session[p] ? 1 : 0));
          if (labels.includes(1)) groups.push({ features: c.features, labels });
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
      const matrix = (part: typeof groups) =>
        toDMatrix(stackGroups(part, NEXT_ITEM_FEATURES), undefined, params.nthread);
      const dtrain = matrix(groups.slice(0, stop));
      const dvalid = matrix(groups.slice(stop));
      try {
        const result = trainBooster(
          {
            objective: 'rank:ndcg',
            eval_metric: 'ndcg@20',
            eta: params.eta,
            max_depth: params.maxDepth,
            seed: params.seed,
            nthread: params.nthread,
          },
          dtrain,
          { rounds: params.rounds, evals: [[dvalid, 'valid']], earlyStoppingRounds: params.earlyStopping },
        );
        const rounds = keepBestRounds(result);
        booster = result.booster;
        stats = { rounds, examples: dtrain.rows + dvalid.rows, prefixes: groups.length };
      } finally {
        dtrain.dispose();
        dvalid.dispose();
      }
      sources = fitSources(train, items);
      clicks = itemClicks(train, items);
    },
    recommend(prefix, k) {
      if (!booster) throw new Error('next-item model: fit it first');
      const c = candidatesOf(prefix, sources, clicks, params.perSource);
      if (c.items.length === 0) return new Int32Array(0);
      const matrix = new DMatrix(c.features, c.items.length, NEXT_ITEM_FEATURES.length, { nthread: 1 });
      try {
        const scores = booster.predict(matrix).values;
        const order = Array.from(c.items.keys()).sort(
          (a, b) => scores[b] - scores[a] || clicks[c.items[b]] - clicks[c.items[a]] || c.items[a] - c.items[b],
        );
        return Int32Array.from(order.slice(0, k), (r) => c.items[r]);
      } finally {
        matrix.dispose();
      }
    },
  };
}
