import { readFileSync } from 'node:fs';

import { InputError } from '../errors';
import type { BoosterParams } from '../xgboost/index';

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
  /**
   * The family's own settings blocks, checked by the family (recommend: candidate sources, item2vec,
   * and how many sessions the re-ranker learns from), keyed as in the file; empty for most families.
   */
  settings: Record<string, unknown>;
}

type PerSplit = Record<'train' | 'valid' | 'test', number>;

/** Minimum examples and positives per split (each family says what they are: searches, sessions, products...). */
export interface Requirements {
  min_examples: PerSplit;
  min_positives: PerSplit;
  /** Why these numbers, for the person who edits them. */
  why: string;
}

/** What every family's training shares. */
export interface RunSettings {
  /** Seeds XGBoost and every sample. */
  seed: number;
  /** XGBoost threads: fixed, because ranking results depend on it. */
  nthread: number;
}

export interface TrainConfig<Name extends string = string> extends RunSettings {
  /** Relative margin by which a new version's primary metric must beat production. */
  promotion_margin: number;
  families: Record<Name, FamilyConfig>;
}

/** What the config check needs to know of each family (lib/families provides it). */
export interface ConfigFamily<Name extends string = string> {
  name: Name;
  /** The metrics it reports: primary and guards must be among them. */
  metrics: readonly string[];
  /** Its own settings blocks: the key in the family's config object, and the check returning the typed value. */
  settings?: Record<string, (raw: unknown, path: string, at: string) => unknown>;
}

export const DEFAULT_CONFIG = 'config/models.json';

/** Reads and checks the config file against `families`; every problem names the file and the field. */
export function readTrainConfig<Name extends string>(
  path: string,
  families: readonly ConfigFamily<Name>[],
): TrainConfig<Name> {
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
  return checkTrainConfig(raw, path, families);
}

/**
 * Checkers of a JSON config's fields: each returns the value or throws an InputError naming the
 * file and the field (`families.ranking.rounds`) with what it must be and what it got.
 */
export function configFields(path: string) {
  const fail = (field: string, problem: string): never => {
    throw new InputError(`${path}: field '${field}' ${problem}`);
  };
  const object = (v: unknown, field: string) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : fail(field, 'must be an object');
  const number = (v: unknown, field: string, min: number, max = Infinity, integer = false) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v))
      ? v
      : fail(
          field,
          `must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v)}`,
        );
  return { fail, object, number };
}

export function checkTrainConfig<Name extends string>(
  raw: unknown,
  path: string,
  families: readonly ConfigFamily<Name>[],
): TrainConfig<Name> {
  const { fail, object, number } = configFields(path);
  const top = object(raw, '(top level)');
  const byName = object(top.families, 'families');
  const names = families.map((f) => f.name);
  const config: TrainConfig<Name> = {
    seed: number(top.seed, 'seed', 0, 2 ** 31 - 1, true),
    nthread: number(top.nthread, 'nthread', 1, 256, true),
    promotion_margin: number(top.promotion_margin, 'promotion_margin', 0, 10),
    families: {} as TrainConfig<Name>['families'],
  };
  for (const family of families) {
    const at = `families.${family.name}`;
    const f = object(byName[family.name], at);
    const known = family.metrics;
    const metric = (v: unknown, field: string) =>
      typeof v === 'string' && known.includes(v)
        ? v
        : fail(field, `must be one of ${known.join(', ')}, got ${JSON.stringify(v)}`);
    const guards = Array.isArray(f.guards)
      ? f.guards.map((g, i) => metric(g, `${at}.guards[${i}]`))
      : fail(`${at}.guards`, 'must be a list of metric names');
    const params = object(f.params, `${at}.params`);
    for (const [name, value] of Object.entries(params)) {
      if (!['string', 'number', 'boolean'].includes(typeof value))
        fail(`${at}.params.${name}`, 'must be a string, number or boolean');
    }
    if (params.nthread !== undefined || params.seed !== undefined)
      fail(`${at}.params`, "must not set nthread or seed: they are the top-level 'nthread' and 'seed'");
    if (f.floor !== undefined)
      fail(
        `${at}.floor`,
        'is replaced by floor_over_random: a relative margin over the random floor (0.05 = 5 % better than random)',
      );
    const req = object(f.requirements, `${at}.requirements`);
    const perSplit = (v: unknown, field: string) => {
      const o = object(v, field);
      return {
        train: number(o.train, `${field}.train`, 0, 1e12, true),
        valid: number(o.valid, `${field}.valid`, 0, 1e12, true),
        test: number(o.test, `${field}.test`, 0, 1e12, true),
      };
    };
    config.families[family.name] = {
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
      settings: Object.fromEntries(
        Object.entries(family.settings ?? {}).map(([key, check]) => [key, check(f[key], path, `${at}.${key}`)]),
      ),
    };
  }
  for (const key of Object.keys(byName))
    if (!names.includes(key as Name)) fail(`families.${key}`, `is not a model family (${names.join(', ')})`);
  return config;
}
