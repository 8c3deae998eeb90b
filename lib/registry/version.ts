import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { InputError } from '../errors';
import { versionDir, writeJsonAtomic } from './registry';

type Metrics = Record<string, number>;

/** `params.json` of a registered version: how it was trained. */
export interface VersionParams {
  family: string;
  /** The parameters XGBoost was given, 'auto' values resolved, with the run's seed and threads. */
  xgboost: Record<string, string | number | boolean>;
  rounds: number;
  max_rounds: number;
  early_stopping_rounds: number;
  primary: string;
  guards: string[];
  floor_over_random: number;
  shap_rows: number;
  /** Serving divides this weight out of the model's odds to give probabilities (purchase with scale_pos_weight). */
  probability_correction: { scale_pos_weight: string | number | boolean | undefined } | null;
  /** The family's own settings blocks (recommend: `recommend`), as in the config. */
  [settings: string]: unknown;
}

/** `metrics.json` of a registered version: its test metrics beside the references, and what the report draws. */
export interface VersionMetrics {
  family: string;
  primary: string;
  metrics: { random: Metrics; baseline: Metrics; model: Metrics; oracle: Metrics | null };
  gap_closed: number | null;
  curve: { round: number; train: number; valid: number }[];
  importance: Record<string, Metrics>;
  shap: Metrics;
  /** The family's evaluation details (its `charts` read them). */
  details: unknown;
  /** Rows (or sessions) per split, and anything else the family stores. */
  [more: string]: unknown;
}

/** What a version folder holds, each file written atomically by `writeVersionFiles`. */
export interface VersionFiles {
  params: VersionParams;
  metrics: VersionMetrics;
  /** The model's ordered input columns. */
  features: string[];
  /** Data files read (relative to the data folder) and the config, with their sha256. */
  fingerprints: Record<string, string>;
}

/** Writes the JSON files of a version into its (temporary) folder. */
export function writeVersionFiles(dir: string, files: VersionFiles): void {
  writeJsonAtomic(join(dir, 'features.json'), files.features);
  writeJsonAtomic(join(dir, 'params.json'), files.params);
  writeJsonAtomic(join(dir, 'metrics.json'), files.metrics);
  writeJsonAtomic(join(dir, 'fingerprints.json'), files.fingerprints);
}

/** A registered version, its files read on demand and typed; a missing or damaged file is an InputError naming it. */
export interface ModelVersion {
  version: number;
  dir: string;
  params(): VersionParams;
  metrics(): VersionMetrics;
  features(): string[];
  fingerprints(): Record<string, string>;
  /** Category: class names in the model's output order (null for other families). */
  classes(): string[] | null;
  /** The booster's file. */
  modelPath: string;
}

function readVersionFile<T>(path: string): T {
  if (!existsSync(path))
    throw new InputError(`${path}: no such file; the registry is damaged or the version is incomplete`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

/** Opens version `version` of a family's registry folder. */
export function openVersion(familyDir: string, version: number): ModelVersion {
  const dir = versionDir(familyDir, version);
  if (!existsSync(dir)) throw new InputError(`${dir}: no such model version`);
  const file =
    <T>(name: string) =>
    () =>
      readVersionFile<T>(join(dir, name));
  return {
    version,
    dir,
    params: file<VersionParams>('params.json'),
    metrics: file<VersionMetrics>('metrics.json'),
    features: file<string[]>('features.json'),
    fingerprints: file<Record<string, string>>('fingerprints.json'),
    classes: () =>
      existsSync(join(dir, 'classes.json')) ? readVersionFile<string[]>(join(dir, 'classes.json')) : null,
    modelPath: join(dir, 'model.json'),
  };
}
