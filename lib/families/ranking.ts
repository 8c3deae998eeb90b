import { existsSync } from 'node:fs';

import { ctrAtK, meanReciprocalRank, ndcgAtK } from '../eval/index';
import { parquetSql } from '../io/index';
import { ctrBaseline, expectedGainOracle, rankingDetails, randomScores } from '../train/index';
import { type Details, lineChart, REFERENCES } from './charts';
import { setFamily } from './set-family';

type RankingDetails = Details<'ranking'>;

/** Search ranking: order the products a search showed so the ones clicked, carted and bought come first. */
export const ranking = setFamily<RankingDetails>({
  name: 'ranking',
  summary: 'orders the products a search shows (XGBoost rank:ndcg), against historical click-through',
  endpoint: '/v1/rank',
  metrics: ['ndcg@1', 'ndcg@5', 'ndcg@10', 'mrr', 'ctr@3', 'ctr@10'],
  units: {
    examples: 'searches',
    positives: 'clicked searches',
    fewPositives: 'the model learns only from searches where something was clicked',
    need: 'this family needs search impressions (the query, the products shown and what was clicked), which only generated worlds have',
  },
  labelRate: 'avg((label > 0)::DOUBLE)',
  oracle: true,
  reader: {
    from: (file, raw) =>
      `${parquetSql(file)} x${raw.truthImpressions ? ` LEFT JOIN ${parquetSql(raw.truthImpressions)} t USING (search_id, position)` : ''}`,
    order: 'x.search_id, x.position',
    label: 'x.label',
    extras: { search_id: 'x.search_id', position: 'x.position', pair_ctr: 'x.pair_ctr', query: 'x.query' },
    truth: { p_click: 't.p_click', p_cart: 't.p_cart', p_purchase: 't.p_purchase' },
    truthTable: 'truthImpressions',
    groupBy: 'search_id',
    sampleKey: 'x.search_id',
    count: {
      examples: 'count(DISTINCT x.search_id)',
      positives: 'count(DISTINCT x.search_id) FILTER (WHERE x.label > 0)',
    },
  },
  missingData: (catalog) =>
    existsSync(catalog.raw.impressions)
      ? null
      : 'the data has no search impressions (raw/impressions.parquet), so there is no ranking set; this family needs a log with searches, the products shown and what was clicked',
  truth: (data) => ({ labels: data.test.labels, groups: data.test.groups }),
  evaluate: ({ labels, groups }, scores) => ({
    'ndcg@1': ndcgAtK(labels, scores, groups!, 1),
    'ndcg@5': ndcgAtK(labels, scores, groups!, 5),
    'ndcg@10': ndcgAtK(labels, scores, groups!, 10),
    mrr: meanReciprocalRank(labels, scores, groups!),
    // The shop shows 10 results, so CTR@10 is the same for every order; CTR@3 tells orders apart.
    'ctr@3': ctrAtK(labels, scores, groups!, 3),
    'ctr@10': ctrAtK(labels, scores, groups!, 10),
  }),
  references: (data, seed) => ({
    random: randomScores(data.test.labels.length, seed),
    baseline: ctrBaseline(data.test),
    oracle: expectedGainOracle(data.test),
  }),
  details: (data, scores) =>
    rankingDetails(data.train, data.test, scores, (s) =>
      meanReciprocalRank(data.test.labels, s, data.test.groups!),
    ) as RankingDetails,
  describeFeatures: ({ features }) => Object.fromEntries(features.map((f) => [f.name, f.description])),
  charts(d) {
    const ks = Array.from({ length: 10 }, (_, i) => i + 1);
    const refs = REFERENCES.filter((ref) => d.ndcg_by_k[ref]);
    return [
      {
        grid: [
          lineChart(
            'ndcg-by-k',
            'NDCG@k on test',
            refs.map((ref) => [ref, ks, d.ndcg_by_k[ref]!]),
            'k',
            'NDCG@k',
          ),
          {
            plot: 'mrr',
            traces: [{ type: 'bar', x: refs, y: refs.map((ref) => d.mrr[ref]) }],
            layout: { title: { text: 'MRR on test' } },
          },
        ],
      },
      {
        plot: 'by-query-frequency',
        traces: refs.map((ref) => ({
          type: 'bar',
          name: ref,
          x: d.by_query_frequency.map((b) => `${b.bucket} (${b.searches} searches)`),
          y: d.by_query_frequency.map((b) => b.ndcg_at_10[ref] ?? null),
        })),
        layout: {
          title: { text: 'NDCG@10 by how often the query was searched in training' },
          barmode: 'group',
          yaxis: { title: { text: 'NDCG@10' } },
        },
      },
    ];
  },
});
