import { readFileSync } from 'node:fs';

import { InputError } from '../errors';
import { checkRecommendSettings } from '../recommend/config';
import { RECOMMEND_METRICS } from '../recommend/evaluate';
import type { RecommendSettings } from '../recommend/fit';
import type { BoosterParams } from '../xgboost/index';
import { MODEL_FAMILIES, type ModelFamily } from './data';

/** One family's training configuration. */
export interface FamilyConfig {
  /** The metric promotion compares (NDCG@10, PR AUC, macro F1). */
  primary: string;
  /** Metrics a new version must not make worse to be promoted. */
  guards: string[];
  /**
   * Training registers a model only when its primary test metric beats the random floor's by this
   * relative margin (for a lower-is-better metric: is lower by it).
   */
  floor_over_random: number;
  /** What the data must hold for this family to train at all. */
  requirements: Requirements;
  /** Most boosting rounds; early stopping on the validation split usually ends sooner. */
  rounds: number;
  early_stopping_rounds: number;
  /** Test rows (a seeded sample) whose SHAP contributions are averaged. */
  shap_rows: number;
  /** XGBoost parameters. `scale_pos_weight: "auto"` means negatives / positives of the training split. */
  params: BoosterParams;
  /** Recommend only: candidate sources, item2vec, and how many sessions the re-ranker learns from and is tested on. */
  recommend?: RecommendSettings;
}

type PerSplit = Record<'train' | 'valid' | 'test', number>;

/** Minimum examples and positives per split (each family says what they are: searches, sessions, products...). */
export interface Requirements {
  min_examples: PerSplit;
  min_positives: PerSplit;
  /** Why these numbers, for the person who edits them. */
  why: string;
}

export interface TrainConfig {
  /** Seeds XGBoost and every sample. */
  seed: number;
  /** XGBoost threads: fixed, because ranking results depend on it. */
  nthread: number;
  /** Relative margin by which a new version's primary metric must beat production. */
  promotion_margin: number;
  families: Record<ModelFamily, FamilyConfig>;
}

export const DEFAULT_CONFIG = 'config/models.json';

const METRICS: Record<ModelFamily, string[]> = {
  ranking: ['ndcg@1', 'ndcg@5', 'ndcg@10', 'mrr', 'ctr@3', 'ctr@10'],
  purchase: ['roc_auc', 'pr_auc', 'log_loss', 'brier'],
  category: ['accuracy', 'macro_f1', 'micro_f1'],
  recommend: [...RECOMMEND_METRICS],
};

/** The metrics a family reports, in display order. */
export const familyMetricNames = (family: ModelFamily) => METRICS[family];

/** Reads and checks the config file; every problem names the file and the field. */
export function loadTrainConfig(path = DEFAULT_CONFIG): TrainConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError(`${path}: cannot read the training config`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return checkTrainConfig(raw, path);
}

export function checkTrainConfig(raw: unknown, path: string): TrainConfig {
  const fail = (field: string, problem: string): never => { throw new InputError(`${path}: field '${field}' ${problem}`); };
  const object = (v: unknown, field: string) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(field, 'must be an object'));
  const number = (v: unknown, field: string, min: number, max = Infinity, integer = false) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v)) ? v : fail(field, `must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v)}`);
  const top = object(raw, '(top level)');
  const families = object(top.families, 'families');
  const config: TrainConfig = {
    seed: number(top.seed, 'seed', 0, 2 ** 31 - 1, true),
    nthread: number(top.nthread, 'nthread', 1, 256, true),
    promotion_margin: number(top.promotion_margin, 'promotion_margin', 0, 10),
    families: {} as TrainConfig['families'],
  };
  for (const family of MODEL_FAMILIES) {
    const at = `families.${family}`;
    const f = object(families[family], at);
    const known = METRICS[family];
    const metric = (v: unknown, field: string) => (typeof v === 'string' && known.includes(v) ? v : fail(field, `must be one of ${known.join(', ')}, got ${JSON.stringify(v)}`));
    const guards = Array.isArray(f.guards) ? f.guards.map((g, i) => metric(g, `${at}.guards[${i}]`)) : fail(`${at}.guards`, 'must be a list of metric names');
    const params = object(f.params, `${at}.params`);
    for (const [name, value] of Object.entries(params)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) fail(`${at}.params.${name}`, 'must be a string, number or boolean');
    }
    if (params.nthread !== undefined || params.seed !== undefined) fail(`${at}.params`, "must not set nthread or seed: they are the top-level 'nthread' and 'seed'");
    if (f.floor !== undefined) fail(`${at}.floor`, 'is replaced by floor_over_random: a relative margin over the random floor (0.05 = 5 % better than random)');
    const req = object(f.requirements, `${at}.requirements`);
    const perSplit = (v: unknown, field: string) => {
      const o = object(v, field);
      return { train: number(o.train, `${field}.train`, 0, 1e12, true), valid: number(o.valid, `${field}.valid`, 0, 1e12, true), test: number(o.test, `${field}.test`, 0, 1e12, true) };
    };
    config.families[family] = {
      primary: metric(f.primary, `${at}.primary`),
      guards,
      floor_over_random: number(f.floor_over_random, `${at}.floor_over_random`, 0, 100),
      requirements: {
        min_examples: perSplit(req.min_examples, `${at}.requirements.min_examples`),
        min_positives: perSplit(req.min_positives, `${at}.requirements.min_positives`),
        why: typeof req.why === 'string' ? req.why : fail(`${at}.requirements.why`, 'must say why, as text'),
      },
      rounds: number(f.rounds, `${at}.rounds`, 1, 100_000, true),
      early_stopping_rounds: number(f.early_stopping_rounds, `${at}.early_stopping_rounds`, 1, 100_000, true),
      shap_rows: number(f.shap_rows, `${at}.shap_rows`, 0, 10_000_000, true),
      params: params as BoosterParams,
      ...(family === 'recommend' ? { recommend: checkRecommendSettings(f.recommend, path, `${at}.recommend`) } : {}),
    };
  }
  for (const key of Object.keys(families)) if (!MODEL_FAMILIES.includes(key as ModelFamily)) fail(`families.${key}`, `is not a model family (${MODEL_FAMILIES.join(', ')})`);
  return config;
}
