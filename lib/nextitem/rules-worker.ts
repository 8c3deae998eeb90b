/** Worker thread for fitRuleLists: computes the rule lists of the item ranges it is sent over shared clicks. */
import { parentPort, workerData } from 'node:worker_threads';
import { flattenLists } from '../columns';
import { type RuleInput, ruleLists } from './baselines';
import type { RuleChunk, RuleJob } from './rule-lists';

const input = workerData as RuleInput;

parentPort!.on('message', (job: RuleJob) => {
  const { start, values } = flattenLists(ruleLists(job.kind, input, job.from, job.to));
  const chunk: RuleChunk = { ...job, start, values };
  parentPort!.postMessage(chunk, [start.buffer as ArrayBuffer, values.buffer as ArrayBuffer]);
});
