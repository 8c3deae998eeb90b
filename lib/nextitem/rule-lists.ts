import { unflattenLists } from '../columns';
import { balancedRanges, runOnWorkers, shared } from '../workers';
import { RULE_KINDS, ruleInput, type RuleKind, ruleLists } from './baselines';

/** Below this many training clicks AR's and SR's lists are computed in-process: starting threads costs more. */
export const PARALLEL_RULE_CLICKS = 2_000_000;

/** Item ranges per rule kind the threads take one at a time (popular items cost more than others). */
const CHUNKS = 48;

/** One job: a rule kind's lists for the items `from .. to)`. */
export interface RuleJob {
  kind: RuleKind;
  from: number;
  to: number;
}

/** A job's lists, as `flattenLists` gives them: list k (item `from + k`) is `values[start[k] .. start[k + 1])`. */
export interface RuleChunk extends RuleJob {
  start: Int32Array;
  values: Int32Array;
}

/**
 * AR's and SR's lists (`ruleLists`) for every item, spread over `threads` worker threads when the
 * log has `minClicks` clicks or more: the threads share the clicks and take ranges of items in
 * turn. Each item's list is computed as it is in-process, so the lists are the same whatever the
 * threads. Needs a runtime that loads .ts in workers (tsx does); one thread, or a short log,
 * computes in-process (notebooks: tslab's CommonJS build cannot load the module naming the worker
 * file through `import.meta`).
 */
export async function fitRuleLists(
  train: readonly Int32Array[],
  items: number,
  threads: number,
  minClicks = PARALLEL_RULE_CLICKS,
): Promise<Record<RuleKind, Int32Array[]>> {
  const input = ruleInput(train, items);
  if (threads <= 1 || input.flat.length < minClicks || items < 2) {
    return { ar: ruleLists('ar', input), sr: ruleLists('sr', input) };
  }
  const data = {
    ...input,
    flat: shared(input.flat),
    starts: shared(input.starts),
    sessions: shared(input.sessions),
    itemStarts: shared(input.itemStarts),
    clicks: shared(input.clicks),
  };
  // Ranges of about equal numbers of (item, session) pairs.
  const ranges = balancedRanges(input.itemStarts, items, CHUNKS);
  const jobs: RuleJob[] = RULE_KINDS.flatMap((kind) => ranges.map(([from, to]) => ({ kind, from, to })));
  const lists: Record<RuleKind, Int32Array[]> = { ar: new Array(items), sr: new Array(items) };
  const { RULES_WORKER_URL } = await import('./rules-worker-url');
  await runOnWorkers(RULES_WORKER_URL, data, jobs, threads, 'rule lists', (chunk: RuleChunk) => {
    unflattenLists(chunk.start, chunk.values).forEach((list, k) => {
      lists[chunk.kind][chunk.from + k] = list;
    });
    return true;
  });
  return lists;
}
