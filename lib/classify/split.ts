import { Rng } from '../random';

/** A title reduced to what makes two listings the same product: lower case, words only, single spaces. */
export const normalizeTitle = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

export type SplitName = 'train' | 'valid' | 'test';

/**
 * A stratified, seeded split that keeps every group on one side: groups are dealt to the splits
 * class by class (a group's class is its first row's), in a seeded order, so each class is split
 * about `shares` of its groups, and no group (a product sold by several merchants, or a repeated
 * title) is in two splits.
 */
export function groupedSplit(
  labels: readonly string[],
  groups: readonly string[],
  shares: { train: number; valid: number; test: number },
  seed: number,
): SplitName[] {
  if (labels.length !== groups.length)
    throw new Error(`groupedSplit: ${labels.length} labels, ${groups.length} groups`);
  const total = shares.train + shares.valid + shares.test;
  const members = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const list = members.get(g);
    if (list) list.push(i);
    else members.set(g, [i]);
  });
  const byClass = new Map<string, string[]>();
  for (const [g, rows] of members) {
    const c = labels[rows[0]];
    const list = byClass.get(c);
    if (list) list.push(g);
    else byClass.set(c, [g]);
  }
  const out = new Array<SplitName>(labels.length);
  for (const c of [...byClass.keys()].sort()) {
    const list = byClass.get(c)!;
    const rng = Rng.derive(seed, `grouped-split:${c}`);
    for (let i = list.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [list[i], list[j]] = [list[j], list[i]];
    }
    // The k-th group of a class goes where the running share says, so small classes still reach test.
    list.forEach((g, k) => {
      const at = ((k + 0.5) / list.length) * total;
      const split: SplitName = at < shares.train ? 'train' : at < shares.train + shares.valid ? 'valid' : 'test';
      for (const r of members.get(g)!) out[r] = split;
    });
  }
  return out;
}
