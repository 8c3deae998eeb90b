/** Worker thread for fitRuleListsAt: computes the rule lists of the item ranges it is sent over shared clicks, at every cut. */
import { parentPort, workerData } from 'node:worker_threads';
import { flattenLists } from '../columns';
import { ruleListsAt } from './baselines';
import type { RuleChunk, RuleJob, RuleWork } from './rule-lists';

const { input, cuts } = workerData as RuleWork;

parentPort!.on('message', (job: RuleJob) => {
  const chunk: RuleChunk = {
    ...job,
    cuts: ruleListsAt(job.kind, input, cuts, job.from, job.to).map((lists) => flattenLists(lists)),
  };
  parentPort!.postMessage(
    chunk,
    chunk.cuts.flatMap(({ start, values }) => [start.buffer as ArrayBuffer, values.buffer as ArrayBuffer]),
  );
});
