/** Worker thread for fitCovisitationOnThreads: computes the rows of the item ranges it is sent over the shared input. */
import { parentPort, workerData } from 'node:worker_threads';
import { type CovisitInput, type CovisitJob, covisitRows } from './covisit';

const input = workerData as CovisitInput;

parentPort!.on('message', (job: CovisitJob) => {
  const rows = covisitRows(input, job.from, job.to);
  parentPort!.postMessage({ index: job.index, rows }, [
    rows.counts.buffer as ArrayBuffer,
    rows.items.buffer as ArrayBuffer,
    rows.scores.buffer as ArrayBuffer,
  ]);
});
