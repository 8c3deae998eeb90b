import { check, koffi, xgb } from './native';

const registry = new FinalizationRegistry<{ free: (handle: unknown) => number; handle: unknown }>(({ free, handle }) => free(handle));

/** An XGBoost DMatrix over a dense row-major Float32Array (NaN = missing). Call dispose() when done. */
export class DMatrix {
  private handle: unknown;

  constructor(readonly values: Float32Array, readonly rows: number, readonly cols: number, info: { labels?: Float32Array; weights?: Float32Array; groups?: Uint32Array } = {}) {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) throw new Error(`DMatrix: rows and cols must be positive integers, got ${rows} × ${cols}`);
    if (values.length !== rows * cols) throw new Error(`DMatrix: ${values.length} values do not fill ${rows} rows × ${cols} columns`);
    const out: unknown[] = [null];
    check(xgb().XGDMatrixCreateFromMat(values, rows, cols, NaN, out), 'XGDMatrixCreateFromMat');
    this.handle = out[0];
    registry.register(this, { free: xgb().XGDMatrixFree, handle: this.handle }, this);
    if (info.labels) this.setFloat('label', info.labels, rows);
    if (info.weights) this.setFloat('weight', info.weights, info.groups ? info.groups.length : rows);
    if (info.groups) {
      const total = info.groups.reduce((a, b) => a + b, 0);
      if (total !== rows) throw new Error(`DMatrix: query groups cover ${total} rows, the matrix has ${rows}`);
      check(xgb().XGDMatrixSetUIntInfo(this.handle, 'group', info.groups, info.groups.length), 'XGDMatrixSetUIntInfo(group)');
    }
  }

  private setFloat(field: string, values: Float32Array, expected: number): void {
    if (values.length !== expected) throw new Error(`DMatrix: ${field} has ${values.length} values, expected ${expected}`);
    check(xgb().XGDMatrixSetFloatInfo(this.handle, field, values, values.length), `XGDMatrixSetFloatInfo(${field})`);
  }

  /** The native handle, for the booster. */
  get native(): unknown {
    if (this.handle === null) throw new Error('DMatrix: used after dispose()');
    return this.handle;
  }

  dispose(): void {
    if (this.handle === null) return;
    registry.unregister(this);
    check(xgb().XGDMatrixFree(this.handle), 'XGDMatrixFree');
    this.handle = null;
  }
}

export type BoosterParams = Record<string, string | number | boolean>;

/** A trained or loaded XGBoost model. Call dispose() when done. */
export class Booster {
  private handle: unknown;
  /** Boosting rounds done. */
  rounds = 0;

  constructor(cache: DMatrix[] = []) {
    const out: unknown[] = [null];
    check(xgb().XGBoosterCreate(cache.map((d) => d.native), cache.length, out), 'XGBoosterCreate');
    this.handle = out[0];
    registry.register(this, { free: xgb().XGBoosterFree, handle: this.handle }, this);
  }

  private get native(): unknown {
    if (this.handle === null) throw new Error('Booster: used after dispose()');
    return this.handle;
  }

  setParams(params: BoosterParams): this {
    for (const [name, value] of Object.entries(params)) check(xgb().XGBoosterSetParam(this.native, name, String(value)), `setting parameter ${name}=${value}`);
    return this;
  }

  /** One boosting round on `train`. */
  update(train: DMatrix): void {
    check(xgb().XGBoosterUpdateOneIter(this.native, this.rounds, train.native), `boosting round ${this.rounds}`);
    this.rounds++;
  }

  /** XGBoost's own evaluation of the current model: metric name → value per named set. */
  evaluate(sets: [DMatrix, string][]): Record<string, Record<string, number>> {
    const out: unknown[] = [null];
    check(xgb().XGBoosterEvalOneIter(this.native, this.rounds, sets.map(([d]) => d.native), sets.map(([, n]) => n), sets.length, out), 'XGBoosterEvalOneIter');
    const result: Record<string, Record<string, number>> = {};
    for (const part of String(out[0]).split('\t').slice(1)) {
      const [key, value] = part.split(':');
      const dash = key.indexOf('-');
      const set = key.slice(0, dash);
      (result[set] ??= {})[key.slice(dash + 1)] = Number(value);
    }
    return result;
  }

  /**
   * Predictions for every row: probabilities (or the objective's output), margins, or SHAP
   * contributions (rows × (features + 1), bias last). Returns the values and their shape.
   */
  predict(data: DMatrix, kind: 'value' | 'margin' | 'contributions' = 'value', rounds = 0): { values: Float32Array; shape: number[] } {
    const type = { value: 0, margin: 1, contributions: 2 }[kind];
    // rounds = 0 uses every round; early stopping passes bestRound + 1.
    const config = JSON.stringify({ type, training: false, iteration_begin: 0, iteration_end: rounds, strict_shape: false });
    const shape: unknown[] = [null];
    const dim: number[] = [0];
    const result: unknown[] = [null];
    check(xgb().XGBoosterPredictFromDMatrix(this.native, data.native, config, shape, dim, result), 'XGBoosterPredictFromDMatrix');
    const dims = Array.from(koffi.decode(shape[0], 'uint64_t', Number(dim[0])) as ArrayLike<bigint | number>, Number);
    const n = dims.reduce((a, b) => a * b, 1);
    // Copied out of XGBoost's buffer, which the next call reuses.
    return { values: Float32Array.from(koffi.decode(result[0], 'float', n) as Float32Array), shape: dims };
  }

  save(path: string): void {
    check(xgb().XGBoosterSaveModel(this.native, path), `saving the model to ${path}`);
  }

  static load(path: string): Booster {
    const booster = new Booster();
    check(xgb().XGBoosterLoadModel(booster.native, path), `loading the model from ${path}`);
    return booster;
  }

  dispose(): void {
    if (this.handle === null) return;
    registry.unregister(this);
    check(xgb().XGBoosterFree(this.handle), 'XGBoosterFree');
    this.handle = null;
  }
}

export interface TrainOptions {
  rounds: number;
  /** Sets evaluated after every round; the last one drives early stopping. */
  evals?: [DMatrix, string][];
  /** Stop when the last eval set's last metric has not improved for this many rounds. */
  earlyStoppingRounds?: number;
  /** Whether a larger metric is better (default: by metric name, as XGBoost does). */
  maximize?: boolean;
}

export interface TrainResult {
  booster: Booster;
  /** Per round: set name → metric → value. */
  history: Record<string, Record<string, number>>[];
  bestRound: number;
}

const MAXIMIZED = /^(auc|aucpr|map|ndcg|pre)/;

/** Trains a booster for `rounds` rounds, with evaluation sets and early stopping. */
export function train(params: BoosterParams, dtrain: DMatrix, options: TrainOptions): TrainResult {
  const booster = new Booster([dtrain, ...(options.evals ?? []).map(([d]) => d)]).setParams(params);
  const history: TrainResult['history'] = [];
  let best = -1;
  let bestValue = NaN;
  for (let r = 0; r < options.rounds; r++) {
    booster.update(dtrain);
    if (!options.evals?.length) continue;
    const scores = booster.evaluate(options.evals);
    history.push(scores);
    const [, lastSet] = options.evals[options.evals.length - 1];
    const metrics = Object.entries(scores[lastSet] ?? {});
    const [metric, value] = metrics[metrics.length - 1];
    const maximize = options.maximize ?? MAXIMIZED.test(metric);
    if (best < 0 || (maximize ? value > bestValue : value < bestValue)) {
      best = r;
      bestValue = value;
    } else if (options.earlyStoppingRounds !== undefined && r - best >= options.earlyStoppingRounds) break;
  }
  return { booster, history, bestRound: best < 0 ? booster.rounds - 1 : best };
}
