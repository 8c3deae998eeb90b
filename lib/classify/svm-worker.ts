/** Worker thread for fitLinearSvcInParallel: fits the binary problems it is sent over a shared matrix. */
import { parentPort, workerData } from 'node:worker_threads';
import type { Csr } from './sparse';
import { fitBinary, type LinearSvcOptions } from './svm';

const { x, y, norms, options } = workerData as {
  x: Csr;
  y: Int32Array;
  norms: Float64Array;
  options: LinearSvcOptions;
};

parentPort!.on('message', (job: { k: number; positive: number }) => {
  const { w, iterations } = fitBinary(x, y, job.positive, norms, options);
  parentPort!.postMessage({ k: job.k, w, iterations }, [w.buffer as ArrayBuffer]);
});
