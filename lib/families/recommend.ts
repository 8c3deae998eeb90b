import { join } from 'node:path';

import { phasedProgress, say } from '../cli';
import { tableSha256, withDuckDB } from '../io/index';
import {
  checkRecommendSettings,
  countRecommendExamples,
  evaluateRecommender,
  fitCandidateModel,
  fitReranker,
  loadRecommendData,
  loadRecommendModel,
  RECOMMEND_FEATURE_DESCRIPTIONS,
  RECOMMEND_FEATURES,
  RECOMMEND_METRICS,
  LIVE_STATES_FILE,
  type RecommendSettings,
  replayLiveStates,
  saveRecommendModel,
} from '../recommend/index';
import { checkRequirements, type FamilyConfig } from '../train/index';
import { Booster } from '../xgboost/index';
import type { Details } from './charts';
import type { ModelFamily } from './types';

type RecommendDetails = Details<'recommend'>;

/** The recommender's own settings block of a family config (`families.recommend.recommend`). */
export const recommendSettings = (fc: FamilyConfig) => fc.settings.recommend as RecommendSettings;

/**
 * Recommendations for known users: candidate sources fitted on the training period (co-visitation,
 * item2vec, category, trending, popular), a re-ranker learned on validation sessions' candidates,
 * every list scored on test sessions.
 */
export const recommend: ModelFamily<RecommendDetails> = {
  name: 'recommend',
  summary:
    "a known user's next products: candidate sources blended and re-ranked by XGBoost rank:ndcg, against popularity",
  endpoint: '/v1/recommend/:user_id',
  metrics: [...RECOMMEND_METRICS],
  settings: { recommend: checkRecommendSettings },
  units: {
    examples: 'sessions of known users',
    positives: 'products',
    fewPositives: 'with fewer products there is nothing to rank',
    need: 'this family needs sessions whose user_id is known; a log of anonymous sessions (user_id NA) cannot train it',
  },
  labelRate: null,
  oracle: true,
  async count(catalog) {
    return countRecommendExamples(await withDuckDB((con) => loadRecommendData(con, catalog)));
  },
  async fit({ catalog, fc, run, configPath }) {
    const settings = recommendSettings(fc);
    say(`train: reading events, products and recommendation sessions from ${catalog.dir}`);
    const readStarted = performance.now();
    const data = await withDuckDB((con) => loadRecommendData(con, catalog));
    const readSeconds = (performance.now() - readStarted) / 1000;
    checkRequirements('recommend', recommend.units, countRecommendExamples(data), fc.requirements, configPath);
    const n = (x: number) => x.toLocaleString('en-US');
    say(
      `train: ${n(data.events.time.length)} events, ${n(data.products.ids.length)} products, ${n(data.valid.length)} validation and ${n(data.test.length)} test sessions${data.truth ? '' : ' (no truth: imported data, so no oracle)'}`,
    );
    const phases = phasedProgress('train: ');
    const progress = phases.step;
    const seconds: Record<string, number> = { reading: Number(readSeconds.toFixed(2)) };
    let started = performance.now();
    const lap = (name: string) => {
      seconds[name] = Number(((performance.now() - started) / 1000).toFixed(2));
      started = performance.now();
    };
    const model = await fitCandidateModel(
      data.products,
      data.events,
      data.cutoffs.valid.from,
      settings,
      run.seed,
      progress,
      run.nthread,
    );
    lap('candidate_models');
    const fit = fitReranker(
      model,
      data.events,
      data.valid,
      data.test,
      data.truth,
      settings,
      {
        params: fc.params,
        rounds: fc.rounds,
        early_stopping_rounds: fc.early_stopping_rounds,
        primary: fc.primary,
        shap_rows: fc.shap_rows,
      },
      run.seed,
      run.nthread,
      progress,
      // A phase of its own: its bar ends (short, when early stopping ends the rounds) as the test candidates start.
      (round) => progress(`re-ranker rounds (valid ${fc.params.eval_metric})`, round + 1, fc.rounds),
    );
    phases.end();
    lap('rerank_and_evaluate');
    const table = Object.entries(fit.details.lists)
      .map(
        ([name, m]) =>
          `  ${name.padEnd(10)} ${Object.entries(m)
            .map(([k, v]) => `${k} ${v.toFixed(4)}`)
            .join('  ')}  coverage ${fit.details.coverage[name].toFixed(3)}`,
      )
      .join('\n');
    say(`train: every list on ${n(fit.details.sessions.test)} test sessions:\n${table}`);
    say(
      `train: candidate recall ${Object.entries(fit.details.candidate_recall)
        .map(([k, v]) => `${k} ${v.toFixed(3)}`)
        .join(', ')}; ${fit.details.mean_candidates.toFixed(0)} candidates per session`,
    );
    // Every user's state as of the end of the history, as the service replays it at start: it reads this file instead.
    say("train: replaying the whole history into the users' live states, for the service");
    const live = await replayLiveStates(data.events, model.products, run.nthread);
    lap('live_states');
    const historyStamp = tableSha256(catalog.interim.events);
    return {
      booster: fit.booster,
      params: fit.params,
      rounds: fit.rounds,
      features: [...RECOMMEND_FEATURES],
      metrics: fit.metrics,
      gapClosed: fit.gapClosed,
      curve: fit.curve,
      importance: fit.importance,
      shap: fit.shap,
      details: fit.details,
      stored: {
        embedding: {
          dim: model.embedding.dim,
          steps: model.embeddingLoss.length,
          first_loss: model.embeddingLoss[0] ?? null,
          last_loss: model.embeddingLoss.at(-1) ?? null,
        },
        rows: fit.details.sessions,
      },
      inputs: data.inputs,
      writeExtra: (dir) => {
        saveRecommendModel(dir, model);
        live.save(join(dir, LIVE_STATES_FILE), historyStamp);
      },
      summary: {
        lists: fit.details.lists,
        coverage: fit.details.coverage,
        candidate_recall: fit.details.candidate_recall,
        // Not `seconds`: the stage's summary line gives that its total.
        step_seconds: seconds,
      },
    };
  },
  async scoreSaved({ catalog, fc, run }, version) {
    const data = await withDuckDB((con) => loadRecommendData(con, catalog));
    const booster = Booster.load(version.modelPath);
    try {
      return evaluateRecommender(
        loadRecommendModel(version.dir),
        booster,
        data.events,
        data.test,
        data.truth,
        recommendSettings(fc).test_sessions,
        run.seed,
        1,
      ).metrics.model;
    } finally {
      booster.dispose();
    }
  },
  describeFeatures: () => ({ ...RECOMMEND_FEATURE_DESCRIPTIONS }),
  charts(d) {
    const names = Object.keys(d.lists);
    const metrics = Object.keys(d.lists[names[0]] ?? {});
    const sources = Object.keys(d.candidate_recall);
    return [
      {
        plot: 'lists',
        traces: metrics.map((m) => ({ type: 'bar', name: m, x: names, y: names.map((name) => d.lists[name][m]) })),
        layout: {
          title: {
            text: `Every list on ${d.sessions.test.toLocaleString('en-US')} test sessions: each candidate source alone, their blend, the re-ranked list`,
          },
          barmode: 'group',
        },
      },
      {
        grid: [
          {
            plot: 'candidate-recall',
            traces: [{ type: 'bar', x: sources, y: sources.map((s) => d.candidate_recall[s]) }],
            layout: {
              title: { text: `Candidate recall by source (${d.mean_candidates.toFixed(0)} candidates per session)` },
            },
          },
          {
            plot: 'coverage',
            traces: [{ type: 'bar', x: names, y: names.map((name) => d.coverage[name]) }],
            layout: { title: { text: 'Catalogue coverage of the top-20 lists' }, yaxis: { range: [0, 1] } },
          },
        ],
      },
      {
        plot: 'by-history',
        traces: [
          {
            type: 'bar',
            x: d.by_history.map((b) => `${b.bucket} (${b.sessions} sessions)`),
            y: d.by_history.map((b) => b.metrics['ndcg@10']),
          },
        ],
        layout: {
          title: { text: "Re-ranked NDCG@10 by the user's events before the session" },
          yaxis: { title: { text: 'NDCG@10' } },
        },
      },
      {
        table: {
          head: ['list', ...metrics, 'coverage@20'],
          rows: names.map((name) => [name, ...metrics.map((m) => d.lists[name][m]), d.coverage[name]]),
        },
      },
    ];
  },
};
