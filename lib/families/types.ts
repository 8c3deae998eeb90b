import type { DataCatalog } from '../catalog';
import type { ModelVersion } from '../registry/index';
import type {
  ConfigFamily,
  FamilyConfig,
  Metrics,
  RequirementCounts,
  RequirementWords,
  RunSettings,
} from '../train/index';
import type { Booster, BoosterParams } from '../xgboost/index';

/**
 * One model family: everything shoplab knows about a kind of model, behind one interface (the way
 * scikit-learn's estimators share fit/predict/score). lib/families/index.ts lists every family;
 * pipelines, the report, the registry, the service and the Makefile iterate that list, so a family
 * is one file here plus its config block and notebook, and the compiler names anything it lacks.
 */
export interface ModelFamily<Details = any> extends ConfigFamily {
  /** Its name: the `--family` flag, the config key, the registry folder, the report page. */
  name: string;
  /** What it predicts, in one line (help texts, the README table). */
  summary: string;
  /** Its test metrics in display order; each metric's direction is lib/eval's `lowerIsBetter`. */
  metrics: readonly string[];
  /** Its examples and positives, as requirement messages name them. */
  units: RequirementWords;
  /** SQL aggregate over a training-set file's rows giving the share of positive labels, or null when labels are not 0/1. */
  labelRate: string | null;
  /**
   * Whether it scores an oracle from the generator's truth on synthetic worlds (a leak check: no
   * model may beat it). Null oracles on imported logs either way.
   */
  oracle: boolean;
  /** The service route that serves its production model. */
  endpoint: string;
  /** Examples and positives per split, in its units, checked against its config's requirements before fitting. */
  count(catalog: DataCatalog): Promise<RequirementCounts>;
  /** Reads its data, fits the model, scores it on test beside the random floor, baseline and oracle. */
  fit(ctx: FitContext): Promise<Fitted<Details>>;
  /** Loads a registered version and scores the test split again: the model metrics it stored. */
  scoreSaved(ctx: FitContext, version: ModelVersion): Promise<Metrics>;
  /** A line per model column for the report's feature charts. */
  describeFeatures(ctx: DescribeContext): Record<string, string>;
  /** What its report page draws from its stored details, as data (lib/report renders it). */
  charts(details: Details): Chart[];
}

/** What a family's fit reads: the data folder, its config, the run's seed and threads. */
export interface FitContext {
  catalog: DataCatalog;
  fc: FamilyConfig;
  run: RunSettings;
  /** The config file, named in requirement and floor messages. */
  configPath: string;
}

/** What describing feature columns may read. */
export interface DescribeContext {
  /** The feature manifest's entries of this family (name and description); empty for families that read no training set. */
  features: { name: string; description: string }[];
  /** Hashed buckets the version's model reads (category; 0 otherwise). */
  hashBuckets: number;
  /** The products table (title, brand, seller_id, price). */
  products: Record<string, unknown>[];
}

/** What any family's fit hands to registration (pipelines/train.ts) and the conformance tests. */
export interface Fitted<Details = unknown> {
  booster: Booster;
  /** The parameters XGBoost was given, after 'auto' values were resolved. */
  params: BoosterParams;
  /** Rounds the saved model keeps. */
  rounds: number;
  /** The model's ordered input columns. */
  features: string[];
  metrics: { random: Metrics; baseline: Metrics; model: Metrics; oracle: Metrics | null };
  gapClosed: number | null;
  curve: { round: number; train: number; valid: number }[];
  importance: Record<string, Record<string, number>>;
  shap: Record<string, number>;
  details: Details;
  /** Further fields of metrics.json (rows per split, embedding figures). */
  stored: Record<string, unknown>;
  /** Files read, fingerprinted into the version. */
  inputs: string[];
  /** Writes what the version holds beyond the booster and the JSON files (class names, candidate model). */
  writeExtra: (dir: string) => void;
  /** Printed after the metrics table and added to the stage summary. */
  summary?: Record<string, unknown>;
}

/** A report element as data: a Plotly chart, a table (numbers formatted by the report), or a row of them. */
export type Chart =
  | { plot: string; traces: Record<string, unknown>[]; layout: Record<string, unknown>; height?: number }
  | { table: { head: string[]; rows: (string | number | null | undefined)[][] } }
  | { grid: Chart[] }
  | { note: string };
