import { DataRequirementError, StageRefusal } from '../errors';
import type { FamilyConfig, Requirements } from './config';
import type { ModelFamily } from './data';
import { lowerIsBetter } from './evaluate';

export type SplitName = 'train' | 'valid' | 'test';
/** What one split holds, in the family's own units (see WORDS). */
export interface SplitCounts {
  examples: number;
  positives: number;
}
export type RequirementCounts = Record<SplitName, SplitCounts>;

/** Each family's units, and what a log must have for it. */
const WORDS: Record<ModelFamily, { examples: string; positives: string; need: string; fewPositives?: string }> = {
  ranking: {
    examples: 'searches',
    positives: 'clicked searches',
    fewPositives: 'the model learns only from searches where something was clicked',
    need: 'this family needs search impressions (the query, the products shown and what was clicked), which only generated worlds have',
  },
  purchase: { examples: 'session prefixes', positives: 'purchases', need: 'this family needs a log with purchase events' },
  category: {
    examples: 'products with a category',
    positives: 'categories',
    fewPositives: 'a classifier needs categories to tell apart',
    need: 'this family needs products with categories (category_id or category_code in the log)',
  },
  recommend: {
    examples: 'sessions of known users',
    positives: 'products',
    fewPositives: 'with fewer products there is nothing to rank',
    need: 'this family needs sessions whose user_id is known; a log of anonymous sessions (user_id NA) cannot train it',
  },
};

export const SPLITS: SplitName[] = ['train', 'valid', 'test'];

/**
 * Throws a DataRequirementError (exit 2, one line) naming the first split that holds fewer
 * examples or positives than `requirements` asks, what the family needs, and where the numbers
 * are set. The error's summary carries every count, for the stage's JSON.
 */
export function checkRequirements(family: ModelFamily, counts: RequirementCounts, requirements: Requirements, configPath: string): void {
  const words = WORDS[family];
  const where = `minimums in ${configPath} under families.${family}.requirements`;
  const summary = { family, counts };
  for (const split of SPLITS) {
    const { examples } = counts[split];
    const need = requirements.min_examples[split];
    if (examples >= need) continue;
    const others = SPLITS.filter((s) => s !== split).some((s) => counts[s].examples > 0);
    const advice = examples === 0 && others
      ? `none fall in this split's time window (interim/splits.json) though other splits have some: a longer or more evenly spread log is needed`
      : examples === 0 ? words.need : 'the log is too small for this family';
    throw new DataRequirementError(`${family}: the ${split} split has ${examples} ${words.examples} (at least ${need} needed); ${advice} (${where})`, summary);
  }
  for (const split of SPLITS) {
    const { positives } = counts[split];
    const need = requirements.min_positives[split];
    if (positives >= need) continue;
    const advice = positives === 0 || !words.fewPositives ? words.need : words.fewPositives;
    throw new DataRequirementError(`${family}: the ${split} split has ${positives} ${words.positives} (at least ${need} needed); ${advice} (${where})`, summary);
  }
}

/**
 * Refuses (StageRefusal: exit 2, nothing registered) a model whose primary test metric does not beat
 * the random floor's by the family's relative margin `floor_over_random` (for a lower-is-better
 * metric, is not that much lower): a floor relative to the data, so a log where every number is
 * small is judged against its own chance level.
 */
export function checkFloor(family: ModelFamily, metrics: { random: Record<string, number>; model: Record<string, number> }, fc: Pick<FamilyConfig, 'primary' | 'floor_over_random'>, configPath: string): void {
  const model = metrics.model[fc.primary];
  const random = metrics.random[fc.primary];
  const lower = lowerIsBetter(fc.primary);
  const floor = lower ? random * (1 - fc.floor_over_random) : random * (1 + fc.floor_over_random);
  const beats = lower ? model < random && model <= floor : model > random && model >= floor;
  if (beats) return;
  throw new StageRefusal(
    `${family}: ${fc.primary} ${model.toFixed(4)} does not beat the random floor ${random.toFixed(4)} by ${(fc.floor_over_random * 100).toFixed(0)} % (floor_over_random in ${configPath}); not registered`,
    { family, registered: false, primary: fc.primary, metrics },
  );
}
