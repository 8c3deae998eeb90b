import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { DataRequirementError } from '../errors';
import { Rng } from '../random';
import { ar, iknn, pop, ruleInput, ruleLists, sessionIndex, sknn, spop, sr, topScored, vsknn } from './baselines';
import { fitRuleLists, fitRuleListsAt } from './rule-lists';
import { tempDir } from '../testing';
import { Booster } from '../xgboost/index';
import {
  loadServingSources,
  NEXT_ITEM_FILE,
  openNextItemModel,
  saveNextItemModel,
  saveServingSources,
} from './artifacts';
import { checkSessionSettings } from './config';
import { fitSessionEmbedding, fitSessionEmbeddingOnThread, PrefixSimilarity } from './embedding';
import { sampleTestSessions } from './data';
import { DEFAULT_NEXT_ITEM_PARAMS, fitSourceLists, nextItemModel } from './model';
import {
  type Click,
  compareWithBaselines,
  evaluateNextItem,
  itemClicks,
  type NextItemMetrics,
  type NextItemModel,
  orderRuns,
  prepareColumns,
  prepareLog,
  splitByTime,
} from './protocol';

/**
 * A log small enough to score by hand. Training sessions, in time order:
 *   s0: a b c    s1: a b    s2: b d    s3: c e c    s4: e (one click: dropped)
 * Items are numbered by first appearance: a 0, b 1, c 2, d 3, e 4; training clicks a 2, b 3, c 3, d 1, e 1.
 */
const clicks = (session: string, items: string[], start: number): Click[] =>
  items.map((item, i) => ({ session, item, time: start + i }));
const train = [
  ...clicks('s1', ['a', 'b'], 100),
  ...clicks('s0', ['a', 'b', 'c'], 0),
  ...clicks('s2', ['b', 'd'], 200),
  ...clicks('s3', ['c', 'e', 'c'], 300),
  ...clicks('s4', ['e'], 400),
];
const test = [
  ...clicks('t1', ['a', 'x', 'b', 'd'], 1000),
  ...clicks('t2', ['e', 'y'], 1100),
  ...clicks('t3', ['x', 'y'], 1200),
];
const log = prepareLog(train, test);
const [a, b, c, d, e] = [0, 1, 2, 3, 4];
const fitted = (model: NextItemModel) => {
  void model.fit(log.train, log.items.length);
  return model;
};
const list = (model: NextItemModel, prefix: number[], k = 20) =>
  Array.from(model.recommend(Int32Array.from(prefix), k));

describe('the protocol', () => {
  it('drops one-click training sessions, test clicks on unseen items, and test sessions left shorter than two', () => {
    expect(log.items).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(log.train.map((s) => Array.from(s))).toEqual([
      [a, b, c],
      [a, b],
      [b, d],
      [c, e, c],
    ]);
    expect(log.test.map((s) => Array.from(s))).toEqual([[a, b, d]]);
    expect(log.dropped).toEqual({ trainSessionsOfOne: 1, testClicksUnseen: 4, testSessionsTooShort: 2 });
  });

  it('replays each prefix: HR and MRR at k, coverage and popularity of the lists, by hand for POP', () => {
    // POP's list is b c a d e. After [a] the next click b is first; after [a b] the next click d is fourth.
    const m = evaluateNextItem(fitted(pop()), log);
    expect(m.predictions).toBe(2);
    expect([m['hr@10'], m['hr@20']]).toEqual([1, 1]);
    expect(m['mrr@20']).toBeCloseTo((1 + 1 / 4) / 2, 12);
    expect(m['coverage@20']).toBe(1);
    // Each list holds every item: mean clicks 10/5 = 2 over the most clicked item's 3.
    expect(m['popularity@20']).toBeCloseTo(2 / 3, 12);
  });

  it('on typed columns, gives what prepareLog gives for the same clicks: session order, ties by name, cut tails, unsorted runs', () => {
    const rng = new Rng(8);
    const session: number[] = [];
    const item: number[] = [];
    const time: number[] = [];
    const part: number[] = [];
    // Session numbers 9, 10, 100, … tie on their first time, so their order falls to the names' text order ("10" < "9").
    for (let s = 0; s < 80; s++) {
      const number = [9, 10, 100][s % 3] * 1000 + s;
      const p = 1 + rng.int(2);
      const start = 10 * rng.int(8);
      const clicks = 1 + rng.int(5);
      for (let k = 0; k < clicks; k++) {
        session.push(number);
        item.push(100 + rng.int(12));
        // Mostly in order, some runs not (the reader's rows are in order; the function sorts when not).
        time.push(start + (s % 7 === 0 ? rng.int(3) : k));
        // Some training sessions lose their tail (clicks past the test period's start).
        part.push(p === 1 && k >= 3 && s % 4 === 0 ? 0 : p);
      }
    }
    const rows = session.map((_, i) => i);
    const asClick = (i: number): Click => ({ session: String(session[i]), item: String(item[i]), time: time[i] });
    const expected = prepareLog(
      rows.filter((i) => part[i] === 1).map(asClick),
      rows.filter((i) => part[i] === 2).map(asClick),
    );
    const got = prepareColumns({
      session: Float64Array.from(session),
      item: Float64Array.from(item),
      time: Float64Array.from(time),
      part: Uint8Array.from(part),
    });
    const plain = (l: typeof got) => ({
      ...l,
      train: l.train.map((t) => Array.from(t)),
      test: l.test.map((t) => Array.from(t)),
    });
    expect(plain(got)).toEqual(plain(expected));
    expect(expected.dropped.trainSessionsOfOne).toBeGreaterThan(0);
    expect(expected.dropped.testClicksUnseen + expected.dropped.testSessionsTooShort).toBeGreaterThan(0);
  });

  it('orders runs by first time, ties by name as text, with 64-bit keys or (fractional times) a comparator', () => {
    const rng = new Rng(9);
    for (const step of [1000, 0.5]) {
      const first = Float64Array.from({ length: 3000 }, () => 1.7e12 + step * rng.int(400));
      const name = (r: number) => String([9, 10, 100][r % 3] * 1000 + r);
      const ids = Int32Array.from({ length: 2500 }, (_, k) => k + 500);
      const expected = Array.from(ids).sort((a, b) => first[a] - first[b] || (name(a) < name(b) ? -1 : 1));
      expect(Array.from(orderRuns(ids.slice(), first, name))).toEqual(expected);
      // The same from the names' numbers, compared as text without making it.
      expect(Array.from(orderRuns(ids.slice(), first, name, (r) => Number(name(r))))).toEqual(expected);
    }
    // Whole numbers tied on time, prefixes of each other among them: text order, not numeric.
    const numbers = [100, 9, 1, 12, 10, 1000, 99, 0];
    const tied = new Float64Array(numbers.length).fill(5);
    const ids = Int32Array.from(numbers.keys());
    const order = orderRuns(
      ids,
      tied,
      (r) => String(numbers[r]),
      (r) => numbers[r],
    );
    expect(Array.from(order, (r) => numbers[r])).toEqual([0, 1, 10, 100, 1000, 12, 9, 99]);
  });

  it('splits one log by time: sessions ending in the last days are the test set', () => {
    const day = 86_400;
    const all = [
      ...clicks('old', ['a', 'b'], 0),
      ...clicks('late', ['a', 'c'], 9 * day),
      ...clicks('spans', ['b', 'c'], 8.5 * day),
    ];
    const { train: tr, test: te } = splitByTime(all, 1);
    expect([...new Set(tr.map((x) => x.session))]).toEqual(['old']);
    expect([...new Set(te.map((x) => x.session))]).toEqual(['late', 'spans']);
  });
});

describe('the baselines, by hand', () => {
  it('POP: training clicks, ties by index', () => {
    expect(list(fitted(pop()), [e])).toEqual([b, c, a, d, e]);
  });

  it("S-POP: the session's items by their clicks in it, then POP", () => {
    expect(list(fitted(spop()), [c, c, a])).toEqual([c, a, b, d, e]);
  });

  it('iKNN: cosine over co-occurring sessions with the last item, itself left out', () => {
    // a is in s0 and s1; b in s0, s1, s2; c in s0, s3. sim(a, b) = 2/√6, sim(a, c) = 1/√4.
    expect(list(fitted(iknn()), [d, a])).toEqual([b, c]);
  });

  it('AR: co-occurrence counts from the last item, both directions', () => {
    // From b: a twice (s0, s1), c once, d once; c before d on its training clicks.
    expect(list(fitted(ar()), [b])).toEqual([a, c, d]);
  });

  it('SR: forward rules weighted 1/distance', () => {
    // From a: b 1 (s0) + 1 (s1) = 2, c 1/2 (s0). From b: c 1, d 1 (c first on clicks). From d: nothing follows d.
    const model = fitted(sr());
    expect(list(model, [a])).toEqual([b, c]);
    expect(list(model, [c, b])).toEqual([c, d]);
    expect(list(model, [d])).toEqual([]);
  });

  it('AR and SR one item at a time give the lists a table of every rule gives, score for score (repeats, windows, ties)', () => {
    const rng = new Rng(3);
    const sessions = Array.from({ length: 300 }, () =>
      Int32Array.from({ length: 2 + rng.int(14) }, () => (rng.next() < 0.5 ? rng.int(5) : rng.int(40))),
    );
    // The definitions, written as one table of every rule (as Ludewig & Jannach's code keeps them), in session order.
    const table = (pairs: (s: Int32Array, add: (from: number, to: number, w: number) => void) => void) => {
      const rules = new Map<number, Map<number, number>>();
      for (const s of sessions)
        pairs(s, (from, to, w) => {
          const row = rules.get(from) ?? rules.set(from, new Map()).get(from)!;
          row.set(to, (row.get(to) ?? 0) + w);
        });
      const clicks = itemClicks(sessions, 40);
      return Array.from({ length: 40 }, (_, i) => Array.from(topScored(rules.get(i) ?? new Map(), 100, clicks)));
    };
    const arTable = table((s, add) => {
      for (let p = 0; p < s.length; p++) for (let q = 0; q < s.length; q++) if (s[p] !== s[q]) add(s[p], s[q], 1);
    });
    const srTable = table((s, add) => {
      for (let q = 1; q < s.length; q++)
        for (let p = Math.max(0, q - 10); p < q; p++) if (s[p] !== s[q]) add(s[p], s[q], 1 / (q - p));
    });
    for (const [model, expected] of [
      [ar(), arTable],
      [sr(), srTable],
    ] as const) {
      void model.fit(sessions, 40);
      expect(
        model.savedLists!().map((l) => Array.from(l)),
        model.name,
      ).toEqual(expected);
    }
    expect(srTable.filter((l) => l.length > 10).length).toBeGreaterThan(5);
  });

  it('item2vec on a worker thread gives the in-process vectors, and reports its steps', async () => {
    const rng = new Rng(8);
    const items = 120;
    const sessions = Array.from({ length: 600 }, () =>
      Int32Array.from({ length: 2 + rng.int(6) }, () => (rng.next() < 0.5 ? rng.int(15) : rng.int(items))),
    );
    const params = { dim: 8, window: 2, negatives: 3, max_pairs: 2000, epochs: 2, batch: 512, learning_rate: 0.05 };
    const inProcess = await fitSessionEmbedding(sessions, items, params, 3);
    const steps: number[] = [];
    const threaded = await fitSessionEmbeddingOnThread(sessions, items, params, 3, (step) => steps.push(step), 0);
    expect(threaded.dim).toBe(8);
    expect(threaded.vectors).toEqual(inProcess.vectors);
    expect(inProcess.vectors.some((v) => v !== 0)).toBe(true);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('AR and SR spread over worker threads give the in-process lists, item for item', async () => {
    const rng = new Rng(5);
    const items = 400;
    // Popular items first, as a log's first-seen order has them: the threads' item ranges differ in size.
    const sessions = Array.from({ length: 3000 }, () =>
      Int32Array.from({ length: 2 + rng.int(10) }, () => (rng.next() < 0.6 ? rng.int(20) : rng.int(items))),
    );
    const inProcess = (model: NextItemModel) => {
      void model.fit(sessions, items);
      return model.savedLists!().map((l) => Array.from(l));
    };
    const threaded = await fitRuleLists(sessions, items, 2, 0);
    expect(threaded.ar.map((l) => Array.from(l))).toEqual(inProcess(ar()));
    expect(threaded.sr.map((l) => Array.from(l))).toEqual(inProcess(sr()));
    // A range of items alone is the same range of the whole.
    const input = ruleInput(sessions, items);
    expect(ruleLists('sr', input, 150, 160).map((l) => Array.from(l))).toEqual(inProcess(sr()).slice(150, 160));
  });

  it('AR and SR at cuts give, in one pass, the lists of each first part of the sessions fitted alone', async () => {
    const rng = new Rng(9);
    const items = 300;
    const sessions = Array.from({ length: 2000 }, () =>
      Int32Array.from({ length: 2 + rng.int(8) }, () => (rng.next() < 0.5 ? rng.int(15) : rng.int(items))),
    );
    const alone = (model: NextItemModel, cut: number) => {
      void model.fit(sessions.slice(0, cut), items);
      return model.savedLists!().map((l) => Array.from(l));
    };
    // 0: no session yet (every list empty); 1200 twice: a cut may repeat.
    const cuts = [0, 1200, 1200, 2000];
    for (const [threads, minClicks] of [
      [1, undefined],
      [2, 0],
    ]) {
      const lists = await fitRuleListsAt(sessions, items, cuts, threads!, minClicks);
      expect(lists).toHaveLength(cuts.length);
      cuts.forEach((cut, c) => {
        expect(lists[c].ar.map((l) => Array.from(l))).toEqual(alone(ar(), cut));
        expect(lists[c].sr.map((l) => Array.from(l))).toEqual(alone(sr(), cut));
      });
    }
    // The first part's lists differ from the whole's (the cut matters), and none are listed before any session.
    expect(alone(sr(), 1200)).not.toEqual(alone(sr(), 2000));
    expect(alone(ar(), 0).every((l) => l.length === 0)).toBe(true);
    await expect(fitRuleListsAt(sessions, items, [1500, 1000], 1)).rejects.toThrow(/cuts must ascend/);
  });

  it('SKNN: cosine of item sets over the k most similar of the sampled recent sessions', () => {
    // Prefix {a, c}: s0 2/√6, s1 1/√4, s3 1/√4; k = 2 keeps s0 and the more recent of the tie, s3.
    // Scores: c 2/√6 + 1/2, a and b 2/√6 (b first on clicks), e 1/2.
    expect(list(fitted(sknn({ k: 2, sample: 500 })), [a, c])).toEqual([c, b, a, e]);
    // Sampling one session keeps the most recent holding a prefix item: s3 alone.
    expect(list(fitted(sknn({ k: 2, sample: 1 })), [a, c])).toEqual([c, e]);
  });

  it('V-SKNN: the prefix weighted by position (linear decay), summed over shared items', () => {
    // Prefix [a, c]: a weighs 1/2, c 1. s0 1.5, s3 1, s1 0.5; k = 2 keeps s0 and s3.
    // Scores: c 2.5, a and b 1.5 (b first on clicks), e 1.
    expect(list(fitted(vsknn({ k: 2, sample: 500 })), [a, c])).toEqual([c, b, a, e]);
    // Order matters: [c, a] weighs a 1 and c 1/2: s0 1.5, s1 1, s3 0.5, so k = 2 keeps s0 and s1 this time.
    // Scores: a and b 2.5 (b first on clicks), c 1.5; e is no longer listed.
    expect(list(fitted(vsknn({ k: 2, sample: 500 })), [c, a])).toEqual([b, a, c]);
  });
});

describe('the serving sources file', () => {
  it('gives back the sessions, the lists and the kNN index of the sessions, which the kNN sources then use', async () => {
    const path = join(tempDir('shoplab-sources-'), 'serving-sources.bin');
    saveServingSources(path, log, await fitSourceLists(log.train, log.items.length), 'stamp');
    expect(loadServingSources(path, 'another history')).toBeNull();
    const kept = loadServingSources(path, 'stamp')!;
    expect(kept.log.train.map((t) => Array.from(t))).toEqual(log.train.map((t) => Array.from(t)));
    // By hand: s0 a b c, s1 a b, s2 b d, s3 c e c.
    const index = sessionIndex(kept.log.train, 5);
    expect(index.distinct.map((t) => Array.from(t))).toEqual([
      [a, b, c],
      [a, b],
      [b, d],
      [c, e],
    ]);
    expect(index.sessionsOf.map((t) => Array.from(t))).toEqual([[0, 1], [0, 1, 2], [0, 3], [2], [3]]);
    expect(Array.from(index.clicks)).toEqual([2, 3, 3, 1, 1]);
    // It was read from the file (views on its bytes, as the sessions are), not computed again.
    expect(index.distinct[0].buffer).toBe(kept.log.train[0].buffer);
    for (const make of [sknn, vsknn, iknn]) {
      const fromFile = make();
      void fromFile.fit(kept.log.train, 5);
      for (const prefix of [[a], [b], [c, e], [d]])
        expect(list(fromFile, prefix)).toEqual(list(fitted(make()), prefix));
    }
  });
});

describe('the re-ranked model', () => {
  it('lists only candidates of its sources, and says when the log is too short to learn a re-ranker', async () => {
    const model = nextItemModel();
    await model.fit(log.train, log.items.length);
    const ranked = list(model, [a, c], 20);
    // Its candidates are the union of the sources' lists; S-POP pads with every item, so all five appear once.
    expect([...ranked].sort()).toEqual([a, b, c, d, e]);
    expect(model.fitted()?.prefixes).toBeGreaterThanOrEqual(2);
    // Its sources are the baselines fitted on every training session (s3's c → e included), so the
    // evaluation reuses them: each answers as the baseline of its name fitted afresh.
    const sources = model.fittedSources();
    expect(Object.keys(sources).sort()).toEqual(['ar', 'iknn', 'sknn', 'spop', 'sr', 'vsknn']);
    const afresh = { ar, iknn, sknn, spop, sr, vsknn };
    for (const [name, make] of Object.entries(afresh)) {
      const baseline = fitted(make());
      for (const prefix of [[c], [a, b], [e], [b, d, a]])
        expect(list(sources[name], prefix), `${name} after ${prefix}`).toEqual(list(baseline, prefix));
    }
    expect(list(sources.ar, [c])).toContain(e);
    const tiny = nextItemModel();
    await expect(tiny.fit([Int32Array.of(a, b)], 5)).rejects.toThrow(DataRequirementError);
    await expect(tiny.fit([Int32Array.of(a, b)], 5)).rejects.toThrow(/the re-ranker needs at least two/);
  });
});

describe('the re-ranker at scale', () => {
  // Twelve sessions cycling over five items: every prefix's next click is among the candidates.
  const cycle = Array.from({ length: 12 }, (_, s) => Int32Array.from({ length: 4 }, (_, i) => (s + i) % 5));

  it('learns from the positive and at most maxNegatives sampled negatives per prefix', async () => {
    const model = nextItemModel({ ...DEFAULT_NEXT_ITEM_PARAMS, maxNegatives: 1, rounds: 5 });
    const fit = await model.fitWith(cycle, 5, { validSessions: 4 });
    // Four validation sessions of four clicks: 12 prefixes, each with five candidates, kept as 1 + 1 rows.
    expect(fit.validSessions).toBe(4);
    expect(fit.prefixes).toBe(12);
    expect(fit.examples).toBe(24);
    const all = await nextItemModel({ ...DEFAULT_NEXT_ITEM_PARAMS, rounds: 5 }).fitWith(cycle, 5, { validSessions: 4 });
    expect(all.examples).toBe(60);
  });

  it('a saved version over sources refitted on the same sessions answers exactly as the fitted one', async () => {
    const params = { ...DEFAULT_NEXT_ITEM_PARAMS, rounds: 5 };
    const model = nextItemModel(params);
    await model.fitWith(cycle, 5, { validSessions: 4 });
    const dir = tempDir('shoplab-next-item-');
    model.booster!.save(join(dir, 'model.json'));
    const ids = ['i0', 'i1', 'i2', 'i3', 'i4'];
    saveNextItemModel(dir, params, model, ids);
    const copy = openNextItemModel(dir, Booster.load(join(dir, 'model.json')), { train: cycle, items: ids });
    for (const prefix of [[0], [1, 2], [3, 4, 0]]) {
      expect(copy.rank(Int32Array.from(prefix), 5)).toEqual(model.rank(Int32Array.from(prefix), 5));
    }
    // Vectors follow the items by id: a data folder that numbers the items the other way round
    // gives each item its own vector back.
    const reversed = openNextItemModel(dir, Booster.load(join(dir, 'model.json')), {
      train: cycle.map((s) => s.map((i) => 4 - i)),
      items: [...ids].reverse(),
    });
    const dim = model.embedding!.dim;
    for (let i = 0; i < 5; i++) {
      expect(reversed.embedding!.vectors.subarray((4 - i) * dim, (5 - i) * dim)).toEqual(
        model.embedding!.vectors.subarray(i * dim, (i + 1) * dim),
      );
    }
    // A version saved with other features (an earlier shoplab) is refused with what to do.
    const meta = JSON.parse(readFileSync(join(dir, NEXT_ITEM_FILE), 'utf8'));
    writeFileSync(join(dir, NEXT_ITEM_FILE), JSON.stringify({ ...meta, features: meta.features.slice(1) }));
    expect(() => openNextItemModel(dir, Booster.load(join(dir, 'model.json')), { train: cycle, items: ids })).toThrow(
      /earlier shoplab with other re-ranker features; train the session family again/,
    );
    // Before any click: the most clicked items. Session s misses item (s + 4) % 5, so items 0 and 4
    // are missed three times (9 clicks) and 1, 2, 3 twice (10 clicks); ties by index.
    expect(Array.from(copy.popular(3))).toEqual([1, 2, 3]);
  });
});

describe('the verdict', () => {
  const m = (hr: number, mrr: number) => ({ 'hr@20': hr, 'mrr@20': mrr }) as NextItemMetrics;
  it('names the best baseline of each metric, and says plainly when the model loses', () => {
    const win = compareWithBaselines({ model: m(0.5, 0.3), sr: m(0.4, 0.29), vsknn: m(0.45, 0.2) });
    expect(win.verdict.map((v) => [v.metric, v.best_baseline, v.beats])).toEqual([
      ['hr@20', 'vsknn', true],
      ['mrr@20', 'sr', true],
    ]);
    expect(win.finding).toBe('the model beats the best baseline on HR@20 and MRR@20');
    const lose = compareWithBaselines({ model: m(0.5, 0.25), sr: m(0.4, 0.29) });
    expect(lose.finding).toBe('the model does not beat the best baseline on mrr@20 (sr 0.2900 vs model 0.2500)');
  });
});

describe('session settings and samples', () => {
  it('a bad settings field is named with the file', () => {
    const embedding = { dim: 32, window: 3, negatives: 5, max_pairs: 1000, epochs: 1, batch: 256, learning_rate: 0.01 };
    const good = { per_source: 50, max_negatives: 100, rerank_sessions: 2000, test_sessions: 2000, embedding };
    expect(checkSessionSettings(good, 'models.json', 'families.session.session')).toEqual(good);
    expect(() =>
      checkSessionSettings({ ...good, embedding: { ...embedding, dim: 1 } }, 'models.json', 'families.session.session'),
    ).toThrow(
      "models.json: field 'families.session.session.embedding.dim' must be a whole number from 2 to 512, got 1",
    );
    expect(() => checkSessionSettings({ ...good, per_source: 0 }, 'models.json', 'families.session.session')).toThrow(
      "models.json: field 'families.session.session.per_source' must be a whole number from 1 to 1000, got 0",
    );
  });

  it('a test sample keeps n sessions in their order, the same for the same seed', () => {
    const many = { ...log, test: Array.from({ length: 10 }, (_, i) => Int32Array.of(i % 5, (i + 1) % 5)) };
    const s1 = sampleTestSessions(many, 4, 7);
    expect(s1.test).toHaveLength(4);
    const positions = s1.test.map((t) => many.test.indexOf(t));
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    expect(sampleTestSessions(many, 4, 7).test).toEqual(s1.test);
    expect(sampleTestSessions(many, 20, 7)).toBe(many);
  });
});

describe('item2vec as a candidate list', () => {
  // Four items in two dimensions, unit length: 0 and 1 point the same way, 2 at right angles, 3 opposite.
  const similarity = new PrefixSimilarity({ dim: 2, vectors: Float32Array.of(1, 0, 1, 0, 0, 1, -1, 0) });
  const clicks = Float64Array.of(5, 9, 1, 1);

  it('scores every item by its cosine with the prefix, and lists the positive ones best first', () => {
    expect(similarity.score(Int32Array.of(0))).toBe(true);
    expect(Array.from(similarity.scores)).toEqual([1, 1, 0, -1]);
    // 0 and 1 tie at cosine 1: the more clicked first; 2 (cosine 0) and 3 (negative) are not listed.
    expect(Array.from(similarity.top(10, clicks))).toEqual([1, 0]);
    expect(Array.from(similarity.top(1, clicks))).toEqual([1]);
    expect(similarity.cosine(0, 3)).toBe(-1);
  });

  it('weighs the last click most: after [2, 0] the mean leans to item 0 (weights 0.8 and 1)', () => {
    similarity.score(Int32Array.of(2, 0));
    // Mean (1, 0.8) / |(1, 0.8)|: cosine with item 0 is 1 / sqrt(1.64), with item 2 is 0.8 / sqrt(1.64).
    expect(similarity.scores[0]).toBeCloseTo(1 / Math.sqrt(1.64), 6);
    expect(similarity.scores[2]).toBeCloseTo(0.8 / Math.sqrt(1.64), 6);
    expect(Array.from(similarity.top(3, clicks))).toEqual([1, 0, 2]);
  });

  it('keeps the k best of many in order, as a full sort does', () => {
    const n = 500;
    const vectors = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      const angle = (i * 7919) % 360;
      vectors[2 * i] = Math.cos((angle * Math.PI) / 180);
      vectors[2 * i + 1] = Math.sin((angle * Math.PI) / 180);
    }
    const many = new PrefixSimilarity({ dim: 2, vectors });
    const counts = Float64Array.from({ length: n }, (_, i) => i % 3);
    many.score(Int32Array.of(0));
    const sorted = Array.from({ length: n }, (_, i) => i)
      .filter((i) => many.scores[i] > 0)
      .sort((x, y) => many.scores[y] - many.scores[x] || counts[y] - counts[x] || x - y);
    expect(Array.from(many.top(25, counts))).toEqual(sorted.slice(0, 25));
  });

  it('the item with no vector (never in a training session) scores nothing', () => {
    const none = new PrefixSimilarity({ dim: 2, vectors: Float32Array.of(1, 0, 0, 0) });
    expect(none.score(Int32Array.of(1))).toBe(false);
    expect(Array.from(none.top(5, clicks))).toEqual([]);
  });
});
