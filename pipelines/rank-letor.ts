import { existsSync, readFileSync } from 'node:fs';
import { InputError, intFlag, parseFlags, runStage, say } from '../lib/cli';
import { meanReciprocalRank, ndcgAtK } from '../lib/eval';
import { DMatrix, train } from '../lib/xgboost';
import { groupsFromQids, libsvmColumns, parseLibsvm, parseQueryFile } from '../lib/xgboost/index';

await runStage('rank-letor', async () => {
  const flags = parseFlags(
    'npx tsx pipelines/rank-letor.ts --train FILE --test FILE [--train-query F --test-query F] [--valid FILE [--valid-query F]]',
    {
      train: { type: 'string', description: 'training file (libsvm/LETOR: label [qid:Q] index:value ...)' },
      test: { type: 'string', description: 'test file, same format' },
      valid: { type: 'string', description: 'validation file for early stopping (optional)' },
      'train-query': { type: 'string', description: 'group sizes of the training file (.query), when it has no qid:' },
      'test-query': { type: 'string', description: 'group sizes of the test file' },
      'valid-query': { type: 'string', description: 'group sizes of the validation file' },
      rounds: { type: 'string', default: '100', description: 'boosting rounds (at most, with --valid)' },
      eta: { type: 'string', default: '0.1', description: 'learning rate' },
      'max-depth': { type: 'string', default: '6', description: 'tree depth' },
      'early-stopping': {
        type: 'string',
        default: '20',
        description: 'rounds without NDCG@10 gain on --valid before stopping',
      },
      threads: {
        type: 'string',
        default: '1',
        description: 'XGBoost threads (ranking results depend on it; fixed for reproducibility)',
      },
    },
  );
  const read = (flag: string, path?: string) => {
    if (!path) throw new InputError(`--${flag} FILE is required`);
    if (!existsSync(path)) throw new InputError(`--${flag} ${path}: no such file`);
    return readFileSync(path, 'utf8');
  };
  const texts = {
    train: read('train', flags.train),
    test: read('test', flags.test),
    ...(flags.valid ? { valid: read('valid', flags.valid) } : {}),
  };
  const cols = libsvmColumns(Object.values(texts));
  const load = (name: 'train' | 'test' | 'valid', text: string, queryPath?: string) => {
    let data;
    try {
      data = parseLibsvm(text, cols);
    } catch (error) {
      throw new InputError(`${flags[name]}: ${(error as Error).message}`);
    }
    const groups = queryPath
      ? parseQueryFile(read(`${name}-query`, queryPath))
      : data.qids.length === data.rows
        ? groupsFromQids(data.qids)
        : null;
    if (!groups)
      throw new InputError(
        `${flags[name]}: no qid: on every line and no --${name}-query file: query groups are needed`,
      );
    const covered = groups.reduce((a, b) => a + b, 0);
    if (covered !== data.rows)
      throw new InputError(
        `${queryPath ?? flags[name]}: query groups cover ${covered} rows, ${flags[name]} has ${data.rows}`,
      );
    return { data, groups, matrix: new DMatrix(data.values, data.rows, data.cols, { labels: data.labels, groups }) };
  };
  const trainSet = load('train', texts.train, flags['train-query']);
  const testSet = load('test', texts.test, flags['test-query']);
  const validSet = texts.valid ? load('valid', texts.valid, flags['valid-query']) : undefined;
  say(`rank-letor: ${trainSet.data.rows} training rows in ${trainSet.groups.length} queries, ${cols} features`);
  const params = {
    objective: 'rank:ndcg',
    eval_metric: 'ndcg@10',
    tree_method: 'hist',
    eta: Number(flags.eta),
    max_depth: intFlag('max-depth', flags['max-depth'], 1, 32),
    nthread: intFlag('threads', flags.threads, 1, 256),
    seed: 0,
  };
  const { booster, bestRound } = train(params, trainSet.matrix, {
    rounds: intFlag('rounds', flags.rounds, 1, 100_000),
    evals: validSet ? [[validSet.matrix, 'valid']] : undefined,
    earlyStoppingRounds: validSet ? intFlag('early-stopping', flags['early-stopping'], 1, 100_000) : undefined,
  });
  const scores = booster.predict(testSet.matrix, 'value', validSet ? bestRound + 1 : 0).values;
  const { labels } = testSet.data;
  const metrics = {
    'ndcg@1': ndcgAtK(labels, scores, testSet.groups, 1),
    'ndcg@3': ndcgAtK(labels, scores, testSet.groups, 3),
    'ndcg@5': ndcgAtK(labels, scores, testSet.groups, 5),
    'ndcg@10': ndcgAtK(labels, scores, testSet.groups, 10),
    mrr: meanReciprocalRank(labels, scores, testSet.groups),
  };
  return {
    summary: {
      rows: { train: trainSet.data.rows, test: testSet.data.rows },
      features: cols,
      rounds: validSet ? bestRound + 1 : booster.rounds,
      params,
      metrics,
    },
  };
});
