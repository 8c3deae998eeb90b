import type { DataCatalog } from '../catalog';
import { openVersion, readProduction } from '../registry/index';
import { type CategoryModel, FAMILY_NAMES, type FamilyName, openCategoryModel } from '../families/index';
import { Booster } from '../xgboost/index';

/** A production model as the service holds it. */
export interface LoadedModel {
  family: FamilyName;
  version: number;
  booster: Booster;
  /** The ordered columns the model was trained on. */
  features: string[];
  /** Category: class names in the model's output order. */
  classes?: string[];
  /** Category: the version's chosen model (the linear one, or the booster). */
  category?: CategoryModel;
  metrics: Record<string, number>;
  params: Record<string, unknown>;
}

/**
 * How every serving path builds its XGBoost matrices: on one thread, whatever OMP_WAIT_POLICY the
 * service was started with. The default (every core) wakes OpenMP's workers for a few rows, and
 * without OMP_WAIT_POLICY=PASSIVE they spin between requests: 13.8 ms of CPU per /v1/rank request
 * instead of 1.8 (measured by the test in serve.e2e.test.ts).
 */
export const SERVING_MATRIX = { nthread: 1 } as const;

/**
 * Loads each family's production version from the registry (families without one are left out).
 * Boosters are not disposed on a swap: requests in flight may still hold the old set, and the
 * finaliser frees it once nothing does.
 */
export function loadProductionModels(catalog: DataCatalog): Partial<Record<FamilyName, LoadedModel>> {
  const models: Partial<Record<FamilyName, LoadedModel>> = {};
  for (const family of FAMILY_NAMES) {
    const dir = catalog.models.family(family);
    const production = readProduction(dir);
    if (!production) continue;
    const v = openVersion(dir, production.version);
    // One thread per prediction: a request's few rows cost less than waking OpenMP's workers, and
    // concurrent requests already use the cores. Predictions do not depend on the thread count.
    const booster = Booster.load(v.modelPath).setParams({ nthread: 1 });
    models[family] = {
      family,
      version: production.version,
      booster,
      category: family === 'category' ? openCategoryModel(v.dir, v.modelPath, booster) : undefined,
      features: v.features(),
      classes: v.classes() ?? undefined,
      metrics: v.metrics().metrics.model,
      params: v.params(),
    };
  }
  return models;
}

/**
 * Query rows as a model's input: its columns in order (NULL → NaN) as a float32 matrix, and each
 * row's features by name (what tests compare with the training sets).
 */
export function modelInput(
  model: LoadedModel,
  rows: Record<string, unknown>[],
): { values: Float32Array; features: Record<string, number | null>[] } {
  const p = model.features.length;
  const values = new Float32Array(rows.length * p);
  const features = rows.map((row, i) =>
    Object.fromEntries(
      model.features.map((name, j) => {
        const v = row[name] === null || row[name] === undefined ? null : Number(row[name]);
        values[i * p + j] = v ?? NaN;
        return [name, v];
      }),
    ),
  );
  return { values, features };
}
