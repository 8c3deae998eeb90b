/** Worker thread for fitLogisticOnThreads: adds up its part of each iteration's sums over the shared columns. */
import { parentPort, workerData } from 'node:worker_threads';
import { type LogisticJob, logisticSums, type LogisticSumsInput } from './logistic';

const input = workerData as LogisticSumsInput;

parentPort!.on('message', (job: LogisticJob) => {
  const { grad, hess } = logisticSums(input, job.w, job.mine);
  parentPort!.postMessage({ grad, hess }, [grad.buffer as ArrayBuffer, hess.buffer as ArrayBuffer]);
});
