/**
 * The offline protocol of session-based next-item recommendation, as the field runs it (GRU4Rec,
 * the session-rec framework of Ludewig & Jannach): sessions of one click are dropped from training,
 * test clicks on items training never saw are dropped, then every test session of at least two
 * clicks is replayed prefix by prefix; each prefix asks for a list over all training items, and
 * the true next click is a hit when it is in the top k.
 */

/** One click of a session log. */
export interface Click {
  session: string;
  item: string;
  /** Seconds (any monotone clock); orders a session's clicks, ties kept in input order. */
  time: number;
}

/** Training and test sessions as item indices in click order, over the training items. */
export interface PreparedLog {
  /** Item ids by index. */
  items: string[];
  /** Training sessions, ordered by their first click (so later index = more recent). */
  train: Int32Array[];
  test: Int32Array[];
  /** What the protocol dropped, for the report. */
  dropped: { trainSessionsOfOne: number; testClicksUnseen: number; testSessionsTooShort: number };
}

function sessionsOf(clicks: readonly Click[]): { id: string; first: number; items: string[] }[] {
  const bySession = new Map<string, { click: Click; order: number }[]>();
  clicks.forEach((click, order) => {
    let list = bySession.get(click.session);
    if (!list) bySession.set(click.session, (list = []));
    list.push({ click, order });
  });
  return [...bySession.entries()]
    .map(([id, list]) => {
      list.sort((a, b) => a.click.time - b.click.time || a.order - b.order);
      return { id, first: list[0].click.time, items: list.map((c) => c.click.item) };
    })
    .sort((a, b) => a.first - b.first || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Applies the protocol's filters to a train and a test log. */
export function prepareLog(train: readonly Click[], test: readonly Click[]): PreparedLog {
  const trainSessions = sessionsOf(train);
  const kept = trainSessions.filter((s) => s.items.length >= 2);
  const items: string[] = [];
  const index = new Map<string, number>();
  for (const s of kept) for (const item of s.items) if (!index.has(item)) index.set(item, items.push(item) - 1);
  let unseen = 0;
  let tooShort = 0;
  const testSessions: Int32Array[] = [];
  for (const s of sessionsOf(test)) {
    const known = s.items.filter((item) => index.has(item));
    unseen += s.items.length - known.length;
    if (known.length < 2) tooShort++;
    else testSessions.push(Int32Array.from(known, (item) => index.get(item)!));
  }
  return {
    items,
    train: kept.map((s) => Int32Array.from(s.items, (item) => index.get(item)!)),
    test: testSessions,
    dropped: {
      trainSessionsOfOne: trainSessions.length - kept.length,
      testClicksUnseen: unseen,
      testSessionsTooShort: tooShort,
    },
  };
}

/**
 * One log split by time, as session-rec does for a single file: sessions whose last click falls in
 * the last `testDays` days (of 86,400 time units) are the test set, the others training.
 */
export function splitByTime(clicks: readonly Click[], testDays: number): { train: Click[]; test: Click[] } {
  const last = new Map<string, number>();
  let end = -Infinity;
  for (const c of clicks) {
    last.set(c.session, Math.max(last.get(c.session) ?? -Infinity, c.time));
    end = Math.max(end, c.time);
  }
  const cut = end - testDays * 86_400;
  const train: Click[] = [];
  const test: Click[] = [];
  for (const c of clicks) (last.get(c.session)! > cut ? test : train).push(c);
  return { train, test };
}

/** A next-item recommender: fitted on training sessions, asked for a list after each prefix. */
export interface NextItemModel {
  name: string;
  /** The model learns from the training sessions (a baseline at once, shoplab's model asynchronously). */
  fit(train: readonly Int32Array[], items: number): void | Promise<void>;
  /** Up to `k` item indices, best first; items of the prefix may appear. */
  recommend(prefix: Int32Array, k: number): Int32Array;
  /** An item-to-item method's fitted lists (all its answers read), to keep them in a file... */
  savedLists?(): Int32Array[];
  /** ...and to take them back instead of fitting. */
  restoreLists?(lists: Int32Array[]): void;
}

/** The headline metrics of the protocol, as the registry stores them. */
export const NEXT_ITEM_METRICS = ['mrr@20', 'hr@20', 'mrr@10', 'hr@10', 'coverage@20'] as const;

export interface NextItemMetrics {
  'hr@10': number;
  'mrr@10': number;
  'hr@20': number;
  'mrr@20': number;
  /** Share of the training items that appear in at least one top-20 list. */
  'coverage@20': number;
  /** Mean popularity of recommended items (training clicks over the most clicked item's), over all top-20 lists. */
  'popularity@20': number;
  /** Mean time to answer one prefix. */
  ms_per_request: number;
  /** Prefixes evaluated. */
  predictions: number;
}

/** Training clicks per item. */
export function itemClicks(train: readonly Int32Array[], items: number): Float64Array {
  const counts = new Float64Array(items);
  for (const s of train) for (const i of s) counts[i]++;
  return counts;
}

export interface EvaluateOptions {
  /** After each prefix: its length and the true next item's rank in the list (0: not in the top 20). */
  onPrediction?: (length: number, rank: number) => void;
  /** After each test session, with the number done. */
  onSession?: (done: number) => void;
}

/** Replays every test session prefix by prefix (lengths 1 to n − 1) and scores the model's lists. */
export function evaluateNextItem(
  model: NextItemModel,
  log: PreparedLog,
  options: EvaluateOptions = {},
): NextItemMetrics {
  const clicks = itemClicks(log.train, log.items.length);
  const maxClicks = Math.max(1, ...clicks);
  const covered = new Uint8Array(log.items.length);
  let predictions = 0;
  let hr10 = 0;
  let hr20 = 0;
  let mrr10 = 0;
  let mrr20 = 0;
  let popularity = 0;
  let listed = 0;
  let elapsed = 0;
  let sessions = 0;
  for (const session of log.test) {
    for (let p = 1; p < session.length; p++) {
      const started = performance.now();
      const list = model.recommend(session.subarray(0, p), 20);
      elapsed += performance.now() - started;
      const target = session[p];
      const rank = list.indexOf(target) + 1;
      predictions++;
      options.onPrediction?.(p, rank);
      if (rank > 0) {
        hr20++;
        mrr20 += 1 / rank;
        if (rank <= 10) {
          hr10++;
          mrr10 += 1 / rank;
        }
      }
      for (const i of list) {
        covered[i] = 1;
        popularity += clicks[i] / maxClicks;
        listed++;
      }
    }
    options.onSession?.(++sessions);
  }
  const n = Math.max(1, predictions);
  return {
    'hr@10': hr10 / n,
    'mrr@10': mrr10 / n,
    'hr@20': hr20 / n,
    'mrr@20': mrr20 / n,
    'coverage@20': covered.reduce((a, b) => a + b, 0) / Math.max(1, log.items.length),
    'popularity@20': listed ? popularity / listed : 0,
    ms_per_request: elapsed / n,
    predictions,
  };
}

/** The model against the best baseline on one headline metric. */
export interface Verdict {
  metric: 'hr@20' | 'mrr@20';
  best_baseline: string;
  baseline: number;
  model: number;
  beats: boolean;
}

/**
 * The model's list against the best baseline on HR@20 and on MRR@20 (each its own best), and the
 * finding said plainly either way. `lists` holds the model under `model` and every baseline by name.
 */
export function compareWithBaselines(lists: Record<string, NextItemMetrics>): { verdict: Verdict[]; finding: string } {
  const verdict = (['hr@20', 'mrr@20'] as const).map((metric): Verdict => {
    const [name, best] = Object.entries(lists)
      .filter(([name]) => name !== 'model')
      .sort((a, b) => b[1][metric] - a[1][metric])[0];
    const model = lists.model[metric];
    return { metric, best_baseline: name, baseline: best[metric], model, beats: model > best[metric] };
  });
  const lost = verdict.filter((v) => !v.beats);
  const finding = lost.length
    ? `the model does not beat the best baseline on ${lost
        .map((v) => `${v.metric} (${v.best_baseline} ${v.baseline.toFixed(4)} vs model ${v.model.toFixed(4)})`)
        .join(' and ')}`
    : 'the model beats the best baseline on HR@20 and MRR@20';
  return { verdict, finding };
}
