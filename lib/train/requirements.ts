import { DataRequirementError, StageRefusal } from '../errors';
import { lowerIsBetter } from '../eval/index';
import type { FamilyConfig, Requirements } from './config';

export type SplitName = 'train' | 'valid' | 'test';
/** What one split holds, in the family's own units (its RequirementWords). */
export interface SplitCounts {
  examples: number;
  positives: number;
}
export type RequirementCounts = Record<SplitName, SplitCounts>;

/** A family's units, in the words its requirement messages use, and what a log must have for it. */
export interface RequirementWords {
  examples: string;
  positives: string;
  /** What the log must hold, said when a split has none. */
  need: string;
  /** Why positives matter, said when a split has too few. */
  fewPositives?: string;
}

export const SPLITS: SplitName[] = ['train', 'valid', 'test'];

/**
 * Throws a DataRequirementError (exit 2, one line) naming the first split that holds fewer
 * examples or positives than `requirements` asks, what the family needs, and where the numbers
 * are set. The error's summary carries every count, for the stage's JSON.
 */
export function checkRequirements(
  family: string,
  words: RequirementWords,
  counts: RequirementCounts,
  requirements: Requirements,
  configPath: string,
): void {
  const where = `minimums in ${configPath} under families.${family}.requirements`;
  const summary = { family, counts };
  for (const split of SPLITS) {
    const { examples } = counts[split];
    const need = requirements.min_examples[split];
    if (examples >= need) continue;
    const others = SPLITS.filter((s) => s !== split).some((s) => counts[s].examples > 0);
    const advice =
      examples === 0 && others
        ? `none fall in this split's time window (interim/splits.json) though other splits have some: a longer or more evenly spread log is needed`
        : examples === 0
          ? words.need
          : 'the log is too small for this family';
    throw new DataRequirementError(
      `${family}: the ${split} split has ${examples} ${words.examples} (at least ${need} needed); ${advice} (${where})`,
      summary,
    );
  }
  for (const split of SPLITS) {
    const { positives } = counts[split];
    const need = requirements.min_positives[split];
    if (positives >= need) continue;
    const advice = positives === 0 || !words.fewPositives ? words.need : words.fewPositives;
    throw new DataRequirementError(
      `${family}: the ${split} split has ${positives} ${words.positives} (at least ${need} needed); ${advice} (${where})`,
      summary,
    );
  }
}

/**
 * Refuses (StageRefusal: exit 2, nothing registered) a model whose primary test metric does not beat
 * the random floor's by the family's relative margin `floor_over_random` (for a lower-is-better
 * metric, is not that much lower): a floor relative to the data, so a log where every number is
 * small is judged against its own chance level.
 */
export function checkFloor(
  family: string,
  metrics: { random: Record<string, number>; model: Record<string, number> },
  fc: Pick<FamilyConfig, 'primary' | 'floor_over_random'>,
  configPath: string,
): void {
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
