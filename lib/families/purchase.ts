import { averagePrecision, brierScore, type CalibrationBin, type CurvePoint, logLoss, rocAuc } from '../eval/index';
import { parquetSql } from '../io/index';
import { constantScores, logisticBaseline, purchaseDetails, purchaseProbabilityOracle } from '../train/index';
import { type Details, lineChart, REFERENCES } from './charts';
import { setFamily } from './set-family';

type PurchaseDetails = Details<'purchase'>;

/** Purchase prediction: will this session end in a purchase, from its first events. */
export const purchase = setFamily<PurchaseDetails>({
  name: 'purchase',
  summary:
    'the probability that a session ends in a purchase, from its events so far (XGBoost binary:logistic), against logistic regression',
  endpoint: '/v1/predict/purchase',
  metrics: ['roc_auc', 'pr_auc', 'log_loss', 'brier'],
  units: { examples: 'session prefixes', positives: 'purchases', need: 'this family needs a log with purchase events' },
  labelRate: 'avg((label > 0)::DOUBLE)',
  oracle: true,
  reader: {
    // Sessionization may cut a generated session in two ('17#2'); the truth is per generated session.
    from: (file, raw) =>
      `${parquetSql(file)} x${raw.truthSessions ? ` LEFT JOIN ${parquetSql(raw.truthSessions)} t ON t.session_id = split_part(x.session_id, '#', 1)` : ''}`,
    order: 'x.as_of, x.session_id, x.cut',
    label: 'x.label',
    // The prefix's cut (1, 3, 5, 10 events), for metrics by cut (notebook 04); session ids are not read (11 M strings on a month).
    extras: { cut: 'x.cut' },
    truth: { p_purchase: 't.p_purchase' },
    truthTable: 'truthSessions',
    sampleKey: 'x.session_id',
    count: { examples: 'count(*)', positives: 'count(*) FILTER (WHERE x.label > 0)' },
  },
  truth: (data) => ({ labels: data.test.labels }),
  evaluate: ({ labels }, scores) => ({
    roc_auc: rocAuc(labels, scores),
    pr_auc: averagePrecision(labels, scores),
    log_loss: logLoss(labels, scores),
    brier: brierScore(labels, scores),
  }),
  references: async ({ train, test }, _seed, nthread) => {
    const rate = train.labels.reduce((a, b) => a + b, 0) / train.labels.length;
    return {
      random: constantScores(test.labels.length, rate),
      baseline: (await logisticBaseline(train, test, nthread)).scores,
      oracle: purchaseProbabilityOracle(test),
    };
  },
  details: (data, scores) => purchaseDetails(data.test, scores) as PurchaseDetails,
  describeFeatures: ({ features }) => Object.fromEntries(features.map((f) => [f.name, f.description])),
  charts(d) {
    const curve = (c: Partial<Record<string, CurvePoint[]>>) =>
      REFERENCES.filter((ref) => c[ref]).map(
        (ref) => [ref, c[ref]!.map((p) => p.x), c[ref]!.map((p) => p.y)] as [string, number[], number[]],
      );
    const calibration = (c: Partial<Record<string, CalibrationBin[]>>) =>
      REFERENCES.filter((ref) => c[ref]).map(
        (ref) =>
          [ref, c[ref]!.map((b) => b.meanPredicted), c[ref]!.map((b) => b.fractionPositive)] as [
            string,
            number[],
            number[],
          ],
      );
    return [
      {
        grid: [
          lineChart('roc', 'ROC curve on test', curve(d.roc), 'false-positive rate', 'true-positive rate'),
          lineChart('pr', 'Precision–recall curve on test', curve(d.pr), 'recall', 'precision'),
        ],
      },
      lineChart(
        'calibration',
        'Calibration on test (ten bins)',
        [...calibration(d.calibration), ['perfect', [0, 1], [0, 1]]],
        'mean predicted probability',
        'observed purchase rate',
      ),
    ];
  },
});
