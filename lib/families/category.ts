import { accuracy, confusionMatrix, macroF1, microF1 } from '../eval/index';
import { hashedColumnLegend } from '../features/index';
import { parquetSql } from '../io/index';
import { argmaxRows, brandMajority, categoryDetails, labelOracle, randomScores } from '../train/index';
import type { Details } from './charts';
import { setFamily } from './set-family';

type CategoryDetails = Details<'category'>;

/** Product category classification from title, brand, seller and price. */
export const category = setFamily<CategoryDetails>({
  name: 'category',
  summary:
    "a product's category from its title, brand, seller and price (XGBoost multi:softprob), against each brand's majority category",
  endpoint: '/v1/predict/category',
  metrics: ['accuracy', 'macro_f1', 'micro_f1'],
  units: {
    examples: 'products with a category',
    positives: 'categories',
    fewPositives: 'a classifier needs categories to tell apart',
    need: 'this family needs products with categories (category_id or category_code in the log)',
  },
  labelRate: null,
  oracle: true,
  reader: {
    from: (file, raw) => `${parquetSql(file)} x JOIN ${parquetSql(raw.products)} p USING (product_id)`,
    order: 'x.product_id',
    label: '0',
    extras: { product_id: 'x.product_id', category: 'x.label', brand: 'p.brand' },
    truth: {},
    hashed: true,
    sampleKey: 'x.product_id',
    count: { examples: 'count(x.label)', positives: 'count(DISTINCT x.label)' },
  },
  labelsAreClasses: true,
  dataParams: (data) => ({ num_class: data.classes!.length }),
  truth: (data) => ({ labels: data.test.labels, classes: data.classes!.length }),
  evaluate: ({ labels, classes }, scores) => {
    const predicted = argmaxRows(scores, classes!);
    const confusion = confusionMatrix(labels, predicted, classes!);
    return { accuracy: accuracy(labels, predicted), macro_f1: macroF1(confusion), micro_f1: microF1(confusion) };
  },
  references: ({ train, test, classes }, seed) => ({
    random: randomScores(test.labels.length, seed, classes!.length),
    baseline: brandMajority(train.extras.brand, train.labels, test.extras.brand, classes!.length),
    // The generator assigns each product its category: the truth is the label itself.
    oracle: labelOracle(test, classes!.length),
  }),
  details: (data, scores) => categoryDetails(data.test, scores.model, data.classes!) as CategoryDetails,
  describeFeatures: ({ features, products, hashBuckets }) => ({
    ...Object.fromEntries(features.map((f) => [f.name, f.description])),
    ...hashedColumnLegend(products as never, hashBuckets),
  }),
  charts(d) {
    const order = d.classes
      .map((c, i) => ({ c, f1: d.per_class_f1[i] }))
      .sort((a, b) => a.f1 - b.f1 || (a.c < b.c ? -1 : 1));
    return [
      {
        plot: 'per-class-f1',
        traces: [{ type: 'bar', x: order.map((o) => o.c), y: order.map((o) => o.f1) }],
        layout: { title: { text: 'Per-class F1 on test, worst first' }, yaxis: { range: [0, 1] } },
      },
      {
        plot: 'confusion',
        traces: [
          {
            type: 'heatmap',
            z: d.confusion,
            x: d.classes,
            y: d.classes,
            colorscale: [
              [0, '#ffffff'],
              [1, '#08306b'],
            ],
          },
        ],
        layout: {
          title: { text: 'Confusion matrix on test (rows: true, columns: predicted)' },
          yaxis: { autorange: 'reversed' },
        },
        height: 720,
      },
    ];
  },
});
