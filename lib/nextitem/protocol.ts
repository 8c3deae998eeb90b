/**
 * The offline protocol of session-based next-item recommendation, as the field runs it (GRU4Rec,
 * the session-rec framework of Ludewig & Jannach): sessions of one click are dropped from training,
 * test clicks on items training never saw are dropped, then every test session of at least two
 * clicks is replayed prefix by prefix; each prefix asks for a list over all training items, and
 * the true next click is a hit when it is in the top k.
 */
import { i32, u8 } from '../columns';

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
 * Clicks as typed columns, as a data folder is read: each session's rows contiguous and in click
 * order (a session is a run of rows with one `session` number), with each row's part.
 */
export interface ClickColumns {
  session: ArrayLike<number>;
  /** Numeric item ids; the log's items are their text. */
  item: ArrayLike<number>;
  time: ArrayLike<number>;
  /** Per row: 1 training, 2 test, 0 neither (left out). */
  part: Uint8Array;
}

/** Decimal digits of a non-negative whole number. */
function digits(x: number): number {
  let d = 1;
  for (let p = 10; p <= x; p *= 10) d++;
  return d;
}

/**
 * Runs in order of their first time, ties by their session's name as text (what sorting the
 * sessions as `prepareLog` does gives). Integer times (the data folders' milliseconds) sort as
 * 64-bit keys, time above the run's number, natively; only runs that tie on time compare names.
 * A comparator over millions of runs took most of a minute on a month of views.
 */
export function orderRuns(
  ids: Int32Array,
  first: Float64Array,
  name: (r: number) => string,
  number?: (r: number) => number,
): Int32Array {
  const numberOf = number ?? (() => NaN);
  const byName = (a: number, b: number) => {
    const x = name(a);
    const y = name(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  // Sessions named by whole numbers (a data folder's) compare as their text without making it.
  const byNumberAsText = (a: number, b: number) => {
    const x = numberOf(a);
    const y = numberOf(b);
    if (!(Number.isSafeInteger(x) && Number.isSafeInteger(y) && x >= 0 && y >= 0)) return byName(a, b);
    const dx = digits(x);
    const dy = digits(y);
    if (dx === dy) return x - y;
    // The longer one's leading digits against the shorter; equal means the shorter is a prefix, so first.
    const lead = dx > dy ? Math.floor(x / 10 ** (dx - dy)) : Math.floor(y / 10 ** (dy - dx));
    const other = dx > dy ? y : x;
    if (lead !== other) return dx > dy ? lead - other : other - lead;
    return dx > dy ? 1 : -1;
  };
  let min = Infinity;
  let max = -Infinity;
  let integral = true;
  for (const r of ids) {
    min = Math.min(min, first[r]);
    max = Math.max(max, first[r]);
    integral &&= Number.isInteger(first[r]);
  }
  const bits = Math.max(1, Math.ceil(Math.log2(first.length + 1)));
  if (ids.length < 2 || !integral || bits > 32 || !((max - min) * 2 ** bits < 2 ** 63)) {
    return ids.sort((a, b) => first[a] - first[b] || byNumberAsText(a, b));
  }
  // Each key written as two 32-bit words (little-endian: low word first), no BigInt per run.
  const keys = new BigUint64Array(ids.length);
  const words = new Uint32Array(keys.buffer);
  const lowSpan = 2 ** (32 - bits);
  for (let k = 0; k < ids.length; k++) {
    const t = first[ids[k]] - min;
    words[2 * k] = (t % lowSpan) * 2 ** bits + ids[k];
    words[2 * k + 1] = Math.floor(t / lowSpan);
  }
  keys.sort();
  const out = new Int32Array(ids.length);
  for (let k = 0; k < out.length; k++) out[k] = words[2 * k] % 2 ** bits;
  // Runs of equal first time (a log in whole seconds has many): ordered by name.
  for (let from = 0; from < out.length;) {
    let to = from + 1;
    while (to < out.length && first[out[to]] === first[out[from]]) to++;
    if (to - from > 1) out.subarray(from, to).sort(byNumberAsText);
    from = to;
  }
  return out;
}

/**
 * Item numbers to their index in order of first use: an array when they are small non-negative
 * integers (product ids), a Map otherwise.
 */
function itemIndex(items: ArrayLike<number>): {
  get(id: number): number | undefined;
  set(id: number, at: number): void;
} {
  let max = -1;
  for (let i = 0; i < items.length; i++) {
    const id = items[i];
    if (!(Number.isInteger(id) && id >= 0)) return new Map<number, number>();
    if (id > max) max = id;
  }
  if (max >= 2 ** 27) return new Map<number, number>();
  const slots = new Int32Array(max + 1).fill(-1);
  return {
    get: (id) => (Number.isInteger(id) && id >= 0 && id <= max && slots[id] >= 0 ? slots[id] : undefined),
    set: (id, at) => {
      slots[id] = at;
    },
  };
}

/**
 * What `prepareLog` gives for the rows of part 1 as training and those of part 2 as test (sessions
 * and items named by their numbers' text), without a JS object per click: millions of clicks stay
 * in typed arrays, and the sessions are views into two buffers.
 */
export function prepareColumns(c: ClickColumns): PreparedLog {
  const n = c.part.length;
  // Runs of rows of one session and one part; rows of part 0 inside a session are skipped over.
  const rows = new Int32Array(n);
  const starts = i32();
  const parts = u8();
  let kept = 0;
  let prev = -1;
  for (let i = 0; i < n; i++) {
    const part = c.part[i];
    if (part === 0) continue;
    if (prev < 0 || c.session[prev] !== c.session[i] || c.part[prev] !== part) {
      starts.push(kept);
      parts.push(part);
    }
    rows[kept++] = i;
    prev = i;
  }
  starts.push(kept);
  const runStart = starts.values();
  const runPart = parts.values();
  const runs = runPart.length;
  const first = new Float64Array(runs);
  for (let r = 0; r < runs; r++) {
    const run = rows.subarray(runStart[r], runStart[r + 1]);
    // Click order is time order, ties kept in row order: sort a run only if its times are not.
    let sorted = true;
    for (let k = 1; k < run.length && sorted; k++) sorted = c.time[run[k]] >= c.time[run[k - 1]];
    if (!sorted) run.sort((a, b) => c.time[a] - c.time[b] || a - b);
    first[r] = c.time[run[0]];
  }
  const name = (r: number) => String(c.session[rows[runStart[r]]]);
  const ordered = (part: number) => {
    const ids: number[] = [];
    for (let r = 0; r < runs; r++) if (runPart[r] === part) ids.push(r);
    return orderRuns(Int32Array.from(ids), first, name, (r) => c.session[rows[runStart[r]]]);
  };
  const length = (r: number) => runStart[r + 1] - runStart[r];
  const trainRuns = ordered(1);
  const index = itemIndex(c.item);
  const ids: number[] = [];
  let trainClicks = 0;
  let trainKept = 0;
  for (const r of trainRuns)
    if (length(r) >= 2) {
      trainClicks += length(r);
      trainKept++;
    }
  const trainFlat = new Int32Array(trainClicks);
  const train: Int32Array[] = [];
  let o = 0;
  for (const r of trainRuns) {
    if (length(r) < 2) continue;
    const from = o;
    for (let k = runStart[r]; k < runStart[r + 1]; k++) {
      const id = c.item[rows[k]];
      let at = index.get(id);
      if (at === undefined) index.set(id, (at = ids.push(id) - 1));
      trainFlat[o++] = at;
    }
    train.push(trainFlat.subarray(from, o));
  }
  const testRuns = ordered(2);
  let testClicks = 0;
  for (const r of testRuns) testClicks += length(r);
  const testFlat = new Int32Array(testClicks);
  const test: Int32Array[] = [];
  let unseen = 0;
  let tooShort = 0;
  o = 0;
  for (const r of testRuns) {
    const from = o;
    for (let k = runStart[r]; k < runStart[r + 1]; k++) {
      const at = index.get(c.item[rows[k]]);
      if (at === undefined) unseen++;
      else testFlat[o++] = at;
    }
    if (o - from < 2) {
      tooShort++;
      o = from;
    } else test.push(testFlat.subarray(from, o));
  }
  return {
    items: ids.map(String),
    train,
    test,
    dropped: {
      trainSessionsOfOne: trainRuns.length - trainKept,
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
  const maxClicks = clicks.reduce((m, v) => (v > m ? v : m), 1);
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
