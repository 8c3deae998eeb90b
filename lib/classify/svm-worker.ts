/** Worker thread for fitLinearSvcInParallel: fits the binary problems it is sent over a shared matrix. */
import { parentPort, workerData } from 'node:worker_threads';
import type { Csr } from './sparse';
import { fitBinary, type LinearSvcOptions, type RowGroups } from './svm';

const { x, y, norms, groups, options } = workerData as {
  x: Csr;
  y: Int32Array;
  norms: Float64Array;
  groups: RowGroups | undefined;
  options: LinearSvcOptions;
};

parentPort!.on('message', (job: { k: number; positive: number }) => {
  const { w, iterations } = fitBinary(x, y, job.positive, norms, options, groups);
  parentPort!.postMessage({ k: job.k, w, iterations }, [w.buffer as ArrayBuffer]);
});
