import { unflattenLists } from '../columns';
import { balancedRanges, runOnWorkers, shared } from '../workers';
import { RULE_KINDS, type RuleCut, ruleInput, type RuleInput, type RuleKind, ruleListsAt } from './baselines';
import { itemClicks } from './protocol';

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

/** A job's lists at each cut, as `flattenLists` gives them: list k (item `from + k`) is `values[start[k] .. start[k + 1])`. */
export interface RuleChunk extends RuleJob {
  cuts: { start: Int32Array; values: Int32Array }[];
}

/** What the worker threads share: the clicks and the cuts. */
export interface RuleWork {
  input: RuleInput;
  cuts: RuleCut[];
}

export type RuleLists = Record<RuleKind, Int32Array[]>;

/** AR's and SR's lists over every session of `train` (`fitRuleListsAt` with one cut). */
export async function fitRuleLists(
  train: readonly Int32Array[],
  items: number,
  threads: number,
  minClicks = PARALLEL_RULE_CLICKS,
): Promise<RuleLists> {
  return (await fitRuleListsAt(train, items, [train.length], threads, minClicks))[0];
}

/**
 * AR's and SR's lists (`ruleLists`) for every item, as fitted on the first `cuts[c]` sessions of
 * `train` for each cut (ascending), in one pass (`ruleListsAt`); spread over `threads` worker
 * threads when the log has `minClicks` clicks or more: the threads share the clicks and take ranges
 * of items in turn. Each item's list is computed as it is in-process, so the lists are the same
 * whatever the threads. Needs a runtime that loads .ts in workers (tsx does); one thread, or a
 * short log, computes in-process (notebooks: tslab's CommonJS build cannot load the module naming
 * the worker file through `import.meta`).
 */
export async function fitRuleListsAt(
  train: readonly Int32Array[],
  items: number,
  cuts: readonly number[],
  threads: number,
  minClicks = PARALLEL_RULE_CLICKS,
): Promise<RuleLists[]> {
  cuts.forEach((cut, c) => {
    if (!Number.isInteger(cut) || cut < 0 || cut > train.length || (c > 0 && cut < cuts[c - 1]))
      throw new Error(`rule lists: cuts must ascend within 0..${train.length} sessions, not ${cuts.join(', ')}`);
  });
  const input = ruleInput(train, items);
  const ruleCuts = cuts.map((sessions) => ({
    sessions,
    clicks: sessions === train.length ? input.clicks : itemClicks(train.slice(0, sessions), items),
  }));
  if (threads <= 1 || input.flat.length < minClicks || items < 2) {
    const [ar, sr] = RULE_KINDS.map((kind) => ruleListsAt(kind, input, ruleCuts));
    return cuts.map((_, c) => ({ ar: ar[c], sr: sr[c] }));
  }
  const clicks = shared(input.clicks);
  const work: RuleWork = {
    input: {
      ...input,
      flat: shared(input.flat),
      starts: shared(input.starts),
      sessions: shared(input.sessions),
      itemStarts: shared(input.itemStarts),
      clicks,
    },
    cuts: ruleCuts.map((cut) => ({ ...cut, clicks: cut.clicks === input.clicks ? clicks : shared(cut.clicks) })),
  };
  // Ranges of about equal numbers of (item, session) pairs.
  const ranges = balancedRanges(input.itemStarts, items, CHUNKS);
  const jobs: RuleJob[] = RULE_KINDS.flatMap((kind) => ranges.map(([from, to]) => ({ kind, from, to })));
  const lists: RuleLists[] = cuts.map(() => ({ ar: new Array(items), sr: new Array(items) }));
  const { RULES_WORKER_URL } = await import('./rules-worker-url');
  await runOnWorkers(RULES_WORKER_URL, work, jobs, threads, 'rule lists', (chunk: RuleChunk) => {
    chunk.cuts.forEach(({ start, values }, c) =>
      unflattenLists(start, values).forEach((list, k) => {
        lists[c][chunk.kind][chunk.from + k] = list;
      }),
    );
    return true;
  });
  return lists;
}
