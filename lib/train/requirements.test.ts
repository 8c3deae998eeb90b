import { describe, expect, it } from 'vitest';

import { DataRequirementError, StageRefusal } from '../errors';
import { FAMILIES } from '../families/index';
import { countRecommendExamples } from '../recommend/load';
import { checkFloor, checkRequirements, type RequirementCounts } from './requirements';

const requirements = {
  min_examples: { train: 100, valid: 20, test: 20 },
  min_positives: { train: 10, valid: 2, test: 2 },
  why: 'test',
};
const counts = (over: Partial<RequirementCounts> = {}): RequirementCounts => ({
  train: { examples: 500, positives: 40 },
  valid: { examples: 80, positives: 6 },
  test: { examples: 90, positives: 7 },
  ...over,
});
const refusal = (f: () => void) => {
  try {
    f();
  } catch (error) {
    return error as Error;
  }
  return null;
};

describe('checkRequirements', () => {
  it('passes data that meets every minimum, including exactly at the minimum', () => {
    expect(
      refusal(() => checkRequirements('purchase', FAMILIES.purchase.units, counts(), requirements, 'c.json')),
    ).toBeNull();
    expect(
      refusal(() =>
        checkRequirements(
          'purchase',
          FAMILIES.purchase.units,
          counts({ valid: { examples: 20, positives: 2 } }),
          requirements,
          'c.json',
        ),
      ),
    ).toBeNull();
  });

  it('names the split, the count, the minimum and what the log lacks, in one line', () => {
    const none = refusal(() =>
      checkRequirements(
        'purchase',
        FAMILIES.purchase.units,
        counts({ test: { examples: 90, positives: 0 } }),
        requirements,
        'c.json',
      ),
    );
    expect(none).toBeInstanceOf(DataRequirementError);
    expect(none!.message).toBe(
      'purchase: the test split has 0 purchases (at least 2 needed); this family needs a log with purchase events (minimums in c.json under families.purchase.requirements)',
    );
    expect(none!.message).not.toContain('\n');
    expect((none as DataRequirementError).summary).toMatchObject({
      family: 'purchase',
      counts: { test: { positives: 0 } },
    });
    const small = refusal(() =>
      checkRequirements(
        'category',
        FAMILIES.category.units,
        counts({ train: { examples: 99, positives: 40 } }),
        requirements,
        'c.json',
      ),
    );
    expect(small!.message).toMatch(
      /^category: the train split has 99 products with a category \(at least 100 needed\); the log is too small for this family/,
    );
  });

  it('tells an empty split from a small log, and anonymous logs from logs without enough products', () => {
    const gap = refusal(() =>
      checkRequirements(
        'recommend',
        FAMILIES.recommend.units,
        counts({ valid: { examples: 0, positives: 0 } }),
        requirements,
        'c.json',
      ),
    );
    expect(gap!.message).toContain(
      "the valid split has 0 sessions of known users (at least 20 needed); none fall in this split's time window",
    );
    const anonymous = refusal(() =>
      checkRequirements(
        'recommend',
        FAMILIES.recommend.units,
        counts({
          train: { examples: 0, positives: 0 },
          valid: { examples: 0, positives: 0 },
          test: { examples: 0, positives: 0 },
        }),
        requirements,
        'c.json',
      ),
    );
    expect(anonymous!.message).toContain(
      'the train split has 0 sessions of known users (at least 100 needed); this family needs sessions whose user_id is known',
    );
    const oneProduct = refusal(() =>
      checkRequirements(
        'recommend',
        FAMILIES.recommend.units,
        counts({ train: { examples: 500, positives: 1 } }),
        requirements,
        'c.json',
      ),
    );
    expect(oneProduct!.message).toContain(
      'the train split has 1 products (at least 10 needed); with fewer products there is nothing to rank',
    );
  });
});

describe('checkFloor', () => {
  const fc = (primary: string) => ({ primary, floor_over_random: 0.05 });
  it('registers a model at least 5 % above random on a higher-is-better metric, and refuses one below', () => {
    expect(
      refusal(() =>
        checkFloor('purchase', { random: { pr_auc: 0.1 }, model: { pr_auc: 0.106 } }, fc('pr_auc'), 'c.json'),
      ),
    ).toBeNull();
    const below = refusal(() =>
      checkFloor('purchase', { random: { pr_auc: 0.1 }, model: { pr_auc: 0.104 } }, fc('pr_auc'), 'c.json'),
    );
    expect(below).toBeInstanceOf(StageRefusal);
    expect(below!.message).toBe(
      'purchase: pr_auc 0.1040 does not beat the random floor 0.1000 by 5 % (floor_over_random in c.json); not registered',
    );
    expect((below as StageRefusal).summary).toMatchObject({ registered: false, metrics: { model: { pr_auc: 0.104 } } });
  });

  it('turns the margin around for a lower-is-better metric, and never registers a tie with a zero random floor', () => {
    expect(
      refusal(() =>
        checkFloor('purchase', { random: { log_loss: 0.5 }, model: { log_loss: 0.47 } }, fc('log_loss'), 'c.json'),
      ),
    ).toBeNull();
    expect(
      refusal(() =>
        checkFloor('purchase', { random: { log_loss: 0.5 }, model: { log_loss: 0.48 } }, fc('log_loss'), 'c.json'),
      ),
    ).toBeInstanceOf(StageRefusal);
    expect(
      refusal(() =>
        checkFloor('category', { random: { macro_f1: 0 }, model: { macro_f1: 0 } }, fc('macro_f1'), 'c.json'),
      ),
    ).toBeInstanceOf(StageRefusal);
    expect(
      refusal(() =>
        checkFloor('category', { random: { macro_f1: 0 }, model: { macro_f1: 0.01 } }, fc('macro_f1'), 'c.json'),
      ),
    ).toBeNull();
  });
});

describe('countRecommendExamples', () => {
  it('counts training sessions of known users before validation starts, and the products examples touch', () => {
    const events = {
      // Sessions 0 (user 7) and 1 (anonymous) before t = 100; session 2 (user 7) after it.
      time: Float64Array.from([10, 20, 30, 150]),
      user: Float64Array.from([7, 7, NaN, 7]),
      session: Int32Array.from([0, 0, 1, 2]),
      type: new Uint8Array(4),
      product: Int32Array.from([0, 1, 2, 0]),
    };
    const example = (targets: number[]) => ({ user: 7, asOf: 150, targets });
    const got = countRecommendExamples({
      events,
      cutoffs: { train: { from: 0, to: 100 }, valid: { from: 100, to: 200 }, test: { from: 200, to: 300 } },
      products: { ids: Float64Array.from([11, 12, 13]) } as never,
      valid: [example([0, 1]), example([1])],
      test: [example([2])],
    });
    expect(got).toEqual({
      train: { examples: 1, positives: 3 },
      valid: { examples: 2, positives: 2 },
      test: { examples: 1, positives: 1 },
    });
  });
});
