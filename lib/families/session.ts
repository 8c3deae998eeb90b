import { join } from 'node:path';

import { phasedProgress, progressBar, say } from '../cli';
import { countDistinct } from '../columns';
import { tableSha256, withDuckDB } from '../io/index';
import {
  BASELINES,
  checkSessionSettings,
  compareWithBaselines,
  DEFAULT_NEXT_ITEM_PARAMS,
  evaluateNextItem,
  loadSessionLog,
  NEXT_ITEM_FEATURE_DESCRIPTIONS,
  NEXT_ITEM_FEATURES,
  NEXT_ITEM_METRICS,
  type NextItemMetrics,
  type NextItemModel,
  type NextItemModelParams,
  nextItemModel,
  openNextItemModel,
  randomItems,
  fitSourceLists,
  saveNextItemModel,
  saveServingSources,
  SERVING_SOURCES_FILE,
  sampleTestSessions,
  type SessionLog,
  type SessionSettings,
} from '../nextitem/index';
import {
  checkRequirements,
  type FamilyConfig,
  importanceByKind,
  learningCurve,
  meanAbsShap,
  type RequirementCounts,
  type RunSettings,
  stackGroups,
} from '../train/index';
import { Booster } from '../xgboost/index';
import { type Details, lineChart } from './charts';
import type { ModelFamily } from './types';

type SessionFamilyDetails = Details<'session'>;

/** The session family's own settings block (`families.session.session`). */
export const sessionSettings = (fc: FamilyConfig) => fc.settings.session as SessionSettings;

/** The next-item model's parameters from a family config and the run's seed and threads. */
export function sessionModelParams(fc: FamilyConfig, run: RunSettings): NextItemModelParams {
  const settings = sessionSettings(fc);
  return {
    ...DEFAULT_NEXT_ITEM_PARAMS,
    perSource: settings.per_source,
    maxNegatives: settings.max_negatives,
    maxValidSessions: settings.rerank_sessions,
    embedding: settings.embedding,
    rounds: fc.rounds,
    earlyStopping: fc.early_stopping_rounds,
    booster: fc.params,
    seed: run.seed,
    nthread: run.nthread,
  };
}

/** Sessions and distinct items per split, for the data requirements. */
export function countSessionExamples(s: SessionLog): RequirementCounts {
  // Items are indexes below items.length.
  const distinct = (sessions: readonly Int32Array[]) => countDistinct(sessions, s.log.items.length);
  const rerank = s.log.train.slice(s.log.train.length - s.validSessions);
  return {
    train: { examples: s.log.train.length - s.validSessions, positives: s.log.items.length },
    valid: { examples: s.validSessions, positives: distinct(rerank) },
    test: { examples: s.log.test.length, positives: distinct(s.log.test) },
  };
}

/** Prefix lengths reported one by one; longer prefixes share the last bucket. */
const LENGTH_BUCKETS = 10;

/**
 * Scores lists by the protocol on the same test prefixes: the model, every baseline, random. HR@20
 * and MRR@20 are also kept by prefix length.
 */
function evaluateLists(models: NextItemModel[], log: SessionLog['log']) {
  const lists: Record<string, NextItemMetrics> = {};
  const byLength = Array.from({ length: LENGTH_BUCKETS }, (_, i) => ({
    length: i + 1 === LENGTH_BUCKETS ? `${LENGTH_BUCKETS}+` : String(i + 1),
    predictions: 0,
    hr: {} as Record<string, number>,
    mrr: {} as Record<string, number>,
  }));
  for (const model of models) {
    const bar = progressBar(`train: ${model.name} on the test prefixes (sessions)`, log.test.length);
    const hits = new Float64Array(LENGTH_BUCKETS);
    const rr = new Float64Array(LENGTH_BUCKETS);
    const counts = new Float64Array(LENGTH_BUCKETS);
    lists[model.name] = evaluateNextItem(model, log, {
      onPrediction(length, rank) {
        const b = Math.min(length, LENGTH_BUCKETS) - 1;
        counts[b]++;
        if (rank > 0) {
          hits[b]++;
          rr[b] += 1 / rank;
        }
      },
      onSession: (done) => bar.update(done),
    });
    bar.done(log.test.length);
    byLength.forEach((b, i) => {
      b.predictions = counts[i];
      b.hr[model.name] = counts[i] ? hits[i] / counts[i] : 0;
      b.mrr[model.name] = counts[i] ? rr[i] / counts[i] : 0;
    });
  }
  return { lists, byLength: byLength.filter((b) => b.predictions > 0) };
}

/** The headline metrics of one list, as the registry stores them. */
const headline = (m: NextItemMetrics) => Object.fromEntries(NEXT_ITEM_METRICS.map((name) => [name, m[name]]));

/**
 * Session-based next-item recommendation for anonymous visitors: candidates from session-kNN,
 * sequential and association rules, item-kNN and the session's own items, re-ranked by XGBoost
 * learned on the validation period's prefixes, scored by the protocol of the field (every test
 * prefix, all items ranked) beside seven baselines.
 */
export const session: ModelFamily<SessionFamilyDetails> = {
  name: 'session',
  summary:
    "an anonymous session's next item: session-kNN, rule and popularity candidates re-ranked by XGBoost rank:ndcg, against seven baselines",
  endpoint: '/v1/recommend/session/:session_id',
  metrics: [...NEXT_ITEM_METRICS],
  settings: { session: checkSessionSettings },
  units: {
    examples: 'sessions of two product views or more',
    positives: 'items',
    fewPositives: 'with fewer items there is nothing to rank',
    need: 'this family needs sessions with at least two product views (view events with a product_id) in every split',
  },
  labelRate: null,
  // The generator's truth is each user's taste, not the next click of a session: no oracle.
  oracle: false,
  async count(catalog) {
    return countSessionExamples(await withDuckDB((con) => loadSessionLog(con, catalog)));
  },
  async fit({ catalog, fc, run, configPath }) {
    const settings = sessionSettings(fc);
    say(`train: reading the sessions' product views from ${catalog.interim.events}`);
    // Where the time goes (the summary's step_seconds, which bench/month.ts prints).
    const seconds: Record<string, number> = {};
    let started = performance.now();
    const lap = (name: string) => {
      seconds[name] = Number(((performance.now() - started) / 1000).toFixed(2));
      started = performance.now();
    };
    const s = await withDuckDB((con) => loadSessionLog(con, catalog));
    lap('reading');
    checkRequirements('session', session.units, countSessionExamples(s), fc.requirements, configPath);
    const log = sampleTestSessions(s.log, settings.test_sessions, run.seed);
    const prefixes = log.test.reduce((n, t) => n + t.length - 1, 0);
    const n = (x: number) => x.toLocaleString('en-US');
    say(
      `train: ${n(s.clicks)} views, ${n(s.log.items.length)} items; ${n(s.log.train.length)} training sessions (${n(s.validSessions)} in the validation period), ${n(s.log.test.length)} test sessions, ${n(log.test.length)} replayed (${n(prefixes)} prefixes); dropped ${JSON.stringify(s.log.dropped)}`,
    );
    const params = sessionModelParams(fc, run);
    const model = nextItemModel(params);
    const phases = phasedProgress('train: ');
    const fit = await model.fitWith(log.train, log.items.length, {
      validSessions: s.validSessions,
      onEmbeddingStep: (which, done, steps) =>
        phases.step(
          which === 'early'
            ? 'item2vec on the sessions before the validation period'
            : 'item2vec on every training session',
          done,
          steps,
        ),
      onRound: (round) => phases.step(`re-ranker rounds (valid ${fc.params.eval_metric})`, round + 1, fc.rounds),
      onSources: (which) => {
        // Before the early sources: item2vec on them; before every session's: the early sources, the re-ranker and item2vec again.
        lap(which === 'early' ? 'item2vec_early' : 'sources_rerank_item2vec_all');
        phases.end();
        say(
          which === 'early'
            ? "train: fitting the candidate sources (session-kNN index, AR, SR, iKNN) on the sessions before the validation period, with AR's and SR's lists over every training session in the same pass"
            : 'train: fitting the candidate sources (session-kNN index, iKNN; AR and SR already listed) on every training session',
        );
      },
    });
    phases.end();
    lap('sources_all');
    say(
      `train: the re-ranker learned on ${n(fit.prefixes)} prefixes of ${n(fit.validSessions)} validation sessions (${n(fit.examples)} candidate rows), ${fit.rounds} rounds kept`,
    );
    // The baselines the model uses as candidate sources are already fitted on every training session.
    const reused = model.fittedSources();
    const models: NextItemModel[] = [
      model,
      ...Object.entries(BASELINES).map(([name, make]) => reused[name] ?? make()),
      randomItems(run.seed),
    ];
    const toFit = models.slice(1).filter((m) => reused[m.name] !== m);
    say(
      `train: fitting ${toFit.map((m) => m.name).join(', ')} on every training session (${Object.keys(reused).join(', ')}: the model's sources, fitted)`,
    );
    for (const m of toFit) await m.fit(log.train, log.items.length);
    const evaluated = evaluateLists(models, log);
    const { lists } = evaluated;
    const { verdict, finding } = compareWithBaselines(
      Object.fromEntries(Object.entries(lists).filter(([name]) => name !== 'random')),
    );
    const table = Object.entries(lists)
      .map(
        ([name, m]) =>
          `  ${name.padEnd(7)} ${NEXT_ITEM_METRICS.map((k) => `${k} ${m[k].toFixed(4)}`).join('  ')}  ${m.ms_per_request.toFixed(3)} ms/request`,
      )
      .join('\n');
    lap('baselines_and_test_prefixes');
    say(`train: every list on ${n(prefixes)} test prefixes:\n${table}\ntrain: ${finding}`);
    // The reference "baseline" is the best baseline on the primary metric.
    const baselines = Object.keys(BASELINES);
    const best = baselines.reduce((a, b) =>
      lists[b][fc.primary as keyof NextItemMetrics] > lists[a][fc.primary as keyof NextItemMetrics] ? b : a,
    );
    const booster = model.booster!;
    // SHAP over the candidate rows of the first test prefixes.
    const shapGroups = log.test.slice(0, 200).flatMap((t) =>
      Array.from({ length: t.length - 1 }, (_, p) => {
        const c = model.candidates(t.subarray(0, p + 1));
        return { features: c.features, labels: Float32Array.from(c.items, (i) => (i === t[p + 1] ? 1 : 0)) };
      }),
    );
    // What the service fits on every session of the folder at start, fitted here: it reads the file instead.
    say('train: the item-to-item lists over every session, for the service');
    const historyStamp = tableSha256(catalog.interim.events);
    const serving = s.serving();
    lap('shap_rows_and_serving_log');
    const servingLists = await fitSourceLists(serving.train, serving.items.length, run.nthread);
    lap('serving_lists');
    const features = [...NEXT_ITEM_FEATURES];
    return {
      booster,
      params: { ...params.booster, seed: params.seed, nthread: params.nthread },
      rounds: fit.rounds,
      features,
      metrics: {
        random: headline(lists.random),
        baseline: headline(lists[best]),
        model: headline(lists.model),
        oracle: null,
      },
      gapClosed: null,
      curve: learningCurve(fit.result),
      importance: importanceByKind(booster, features),
      shap: shapGroups.length
        ? meanAbsShap(booster, stackGroups(shapGroups, features), features, fc.shap_rows, run.seed, run.nthread)
        : {},
      details: {
        family: 'session',
        lists: Object.fromEntries(
          Object.entries(lists).map(([name, m]) => [
            name,
            { ...headline(m), 'popularity@20': m['popularity@20'], ms_per_request: m.ms_per_request },
          ]),
        ),
        by_length: evaluated.byLength,
        verdict,
        finding,
        sessions: {
          train: s.log.train.length,
          rerank: fit.validSessions,
          test: s.log.test.length,
          evaluated: log.test.length,
          prefixes,
        },
        dropped: { ...s.log.dropped },
      },
      stored: { baseline_list: best, rows: { prefixes, rerank_prefixes: fit.prefixes, rerank_rows: fit.examples } },
      inputs: s.inputs,
      writeExtra: (dir) => {
        saveNextItemModel(dir, params, model, log.items);
        saveServingSources(join(dir, SERVING_SOURCES_FILE), serving, servingLists, historyStamp);
      },
      summary: {
        lists: Object.fromEntries(Object.entries(lists).map(([k, m]) => [k, headline(m)])),
        finding,
        verdict,
        // Not `seconds`: the stage's summary line gives that its total.
        step_seconds: seconds,
      },
    };
  },
  async scoreSaved({ catalog, fc, run }, version) {
    const s = await withDuckDB((con) => loadSessionLog(con, catalog));
    const log = sampleTestSessions(s.log, sessionSettings(fc).test_sessions, run.seed);
    const model = openNextItemModel(version.dir, Booster.load(version.modelPath), log);
    try {
      return headline(evaluateNextItem(model, log));
    } finally {
      model.booster?.dispose();
    }
  },
  describeFeatures: () => ({ ...NEXT_ITEM_FEATURE_DESCRIPTIONS }),
  charts(d) {
    const names = Object.keys(d.lists);
    const shown = ['model', ...new Set(d.verdict.map((v) => v.best_baseline)), 'sknn', 'vsknn', 'sr'].filter(
      (name, i, all) => names.includes(name) && all.indexOf(name) === i,
    );
    const lengths = d.by_length.map((b) => b.length);
    return [
      {
        plot: 'lists',
        traces: ['hr@20', 'mrr@20', 'hr@10', 'mrr@10'].map((m) => ({
          type: 'bar',
          name: m,
          x: names,
          y: names.map((name) => d.lists[name][m]),
        })),
        layout: {
          title: {
            text: `Every list on ${d.sessions.prefixes.toLocaleString('en-US')} test prefixes of ${d.sessions.evaluated.toLocaleString('en-US')} sessions: ${d.finding}`,
          },
          barmode: 'group',
        },
      },
      {
        grid: [
          lineChart(
            'hr-by-length',
            'HR@20 by prefix length',
            shown.map((name) => [name, lengths.map((_, i) => i + 1), d.by_length.map((b) => b.hr[name])]),
            'clicks so far',
            'HR@20',
          ),
          {
            plot: 'coverage',
            traces: [
              { type: 'bar', name: 'coverage@20', x: names, y: names.map((name) => d.lists[name]['coverage@20']) },
              { type: 'bar', name: 'popularity@20', x: names, y: names.map((name) => d.lists[name]['popularity@20']) },
            ],
            layout: { title: { text: 'Catalogue coverage and mean popularity of the top-20 lists' }, barmode: 'group' },
          },
        ],
      },
      {
        table: {
          head: ['prefix length', 'predictions', ...shown.map((name) => `${name} HR@20`)],
          rows: d.by_length.map((b) => [
            b.length,
            b.predictions.toLocaleString('en-US'),
            ...shown.map((name) => b.hr[name]),
          ]),
        },
      },
    ];
  },
};
