/** Worker thread for replayLiveStates: replays the users of the ranges it is sent over shared events. */
import { parentPort, workerData } from 'node:worker_threads';
import type { StatesJob, StatesReply } from './live-states';
import { replayUsers, type UserRows } from './replay';
import { StateColumns } from './state-columns';

const input = workerData as UserRows;

parentPort!.on('message', (job: StatesJob) => {
  const into = new StateColumns();
  replayUsers(input, job.from, job.to, (user, state) => into.add(user, state));
  const chunk = into.chunk();
  const reply: StatesReply = { index: job.index, chunk };
  const buffers = Object.values(chunk).flatMap((v) => (ArrayBuffer.isView(v) ? [v.buffer as ArrayBuffer] : []));
  parentPort!.postMessage(reply, buffers);
});
