import { availableParallelism } from 'node:os';
import { runOnWorkers, shared } from '../workers';
import type { Csr } from './sparse';
import {
  assembleSvc,
  binaryProblems,
  checkProblem,
  DEFAULT_LINEAR_SVC,
  fitLinearSvc,
  groupRows,
  type LinearSvc,
  type LinearSvcOptions,
  rowNorms,
  solvesDual,
} from './svm';

/**
 * fitLinearSvc with its binary problems spread over worker threads (one per core by default). Each
 * problem draws its own seeded visiting order, so the model is identical to the one-thread fit.
 * Needs a runtime that loads .ts in workers (tsx does). One thread fits in-process: notebooks
 * (tslab's CommonJS build) cannot load the module naming the worker file through `import.meta`.
 */
export async function fitLinearSvcInParallel(
  x: Csr,
  y: Int32Array,
  classes: number,
  options: LinearSvcOptions = DEFAULT_LINEAR_SVC,
  threads = availableParallelism(),
  onClass?: (done: number, total: number) => void,
): Promise<LinearSvc> {
  checkProblem(x, y, classes);
  const problems = binaryProblems(classes);
  if (threads <= 1 || problems.length === 1) return fitLinearSvc(x, y, classes, options, onClass);
  const dual = solvesDual(x, options);
  const groups = dual ? undefined : groupRows(x);
  const data = {
    x: { ...x, indptr: shared(x.indptr), indices: shared(x.indices), values: shared(x.values) },
    y: shared(y),
    norms: shared(dual ? rowNorms(x, options.interceptScaling) : new Float64Array(0)),
    groups: groups && { count: groups.count, of: shared(groups.of), first: shared(groups.first) },
    options,
  };
  const queue = problems.map((positive, k) => ({ k, positive }));
  const fitted: { w: Float64Array; iterations: number }[] = new Array(problems.length);
  let done = 0;
  const { SVM_WORKER_URL } = await import('./svm-worker-url');
  await runOnWorkers(
    SVM_WORKER_URL,
    data,
    queue,
    threads,
    'linear SVM',
    (m: { k: number; w: Float64Array; iterations: number }) => {
      fitted[m.k] = { w: m.w, iterations: m.iterations };
      onClass?.(++done, problems.length);
      return true;
    },
  );
  return assembleSvc(x.cols, classes, fitted, options.interceptScaling);
}
