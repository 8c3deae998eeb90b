import { check, koffi, xgb } from './native';

const registry = new FinalizationRegistry<{ free: (handle: unknown) => number; handle: unknown }>(({ free, handle }) =>
  free(handle),
);

export interface MatrixInfo {
  labels?: Float32Array;
  /** One weight per row, or per query group when there are groups. */
  weights?: Float32Array;
  /** Sizes of consecutive query groups (ranking). */
  groups?: Uint32Array;
  /**
   * Threads that build a dense matrix. XGBoost keeps the count with the matrix and builds the
   * histogram index on the first boosting round with it, so 1 makes that round seconds slower on
   * millions of rows. Default 0: every core, as Python's DMatrix does.
   */
  nthread?: number;
}

/** Throws unless `values` fill `rows` × `cols` (positive integers), naming `what`. */
function checkDense(what: string, values: Float32Array, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1)
    throw new Error(`${what}: rows and cols must be positive integers, got ${rows} × ${cols}`);
  if (values.length !== rows * cols)
    throw new Error(`${what}: ${values.length} values do not fill ${rows} rows × ${cols} columns`);
}

/** The array-interface JSON of `rows` × `cols` row-major float32 values at native `address`, as XGBoost reads dense input. */
const denseArray = (address: bigint, rows: number, cols: number) =>
  `{"data":[${address},true],"shape":[${rows},${cols}],"strides":null,"typestr":"<f4","version":3}`;

/** Values per batch `DMatrix.quantile` copies into native memory by default (64 MB of float32). */
const QUANTILE_BATCH_VALUES = 1 << 24;

/**
 * An XGBoost DMatrix: dense (`new DMatrix(values, rows, cols)`, row-major Float32Array, NaN =
 * missing) or sparse (`DMatrix.fromCSR`, absent entries missing). Call dispose() when done.
 */
export class DMatrix {
  private handle: unknown;

  constructor(
    values: Float32Array,
    readonly rows: number,
    readonly cols: number,
    info: MatrixInfo = {},
  ) {
    checkDense('DMatrix', values, rows, cols);
    const out: unknown[] = [null];
    check(
      xgb().XGDMatrixCreateFromMat_omp(values, rows, cols, NaN, out, info.nthread ?? 0),
      'XGDMatrixCreateFromMat_omp',
    );
    this.handle = out[0];
    this.adopt(info);
  }

  /** A sparse matrix in CSR form: row r holds `indices/data[indptr[r] .. indptr[r + 1])`. */
  static fromCSR(
    indptr: ArrayLike<number>,
    indices: Uint32Array,
    data: Float32Array,
    cols: number,
    info: MatrixInfo = {},
  ): DMatrix {
    const rows = indptr.length - 1;
    if (rows < 1) throw new Error('DMatrix.fromCSR: indptr needs at least two entries');
    if (indices.length !== data.length)
      throw new Error(`DMatrix.fromCSR: ${indices.length} indices but ${data.length} values`);
    if (indptr[0] !== 0 || indptr[rows] !== data.length)
      throw new Error(`DMatrix.fromCSR: indptr must run from 0 to ${data.length}, got ${indptr[0]} .. ${indptr[rows]}`);
    for (let i = 0; i < indices.length; i++)
      if (indices[i] >= cols)
        throw new Error(`DMatrix.fromCSR: column index ${indices[i]} at entry ${i} is not below ${cols}`);
    const out: unknown[] = [null];
    const offsets = BigUint64Array.from(Array.from(indptr, (v) => BigInt(v)));
    check(
      xgb().XGDMatrixCreateFromCSREx(offsets, indices, data, offsets.length, data.length, cols, out),
      'XGDMatrixCreateFromCSREx',
    );
    return DMatrix.wrap(out[0], rows, cols, info);
  }

  /**
   * A training matrix XGBoost keeps only as histogram bins (its QuantileDMatrix, for `tree_method:
   * 'hist'`): the values go in `batchRows` rows at a time through a proxy, each batch copied into
   * one native buffer, and XGBoost keeps no copy of them. A dense DMatrix keeps every present value
   * as an (index, value) pair, 8 bytes, besides the bins it builds on the first round. The bins come
   * from the same values, so a booster trains the same trees on it as on `new DMatrix` (tested
   * against it) and XGBoost's metrics on it are the same. `maxBin` must be the booster's `max_bin`
   * (XGBoost's default 256). Row-major float32 values, NaN = missing, as for `new DMatrix`.
   */
  static quantile(
    values: Float32Array,
    rows: number,
    cols: number,
    info: MatrixInfo & { maxBin?: number; batchRows?: number } = {},
  ): DMatrix {
    checkDense('DMatrix.quantile', values, rows, cols);
    // About 64 MB a batch by default.
    const per = Math.max(1, Math.min(rows, info.batchRows ?? Math.floor(QUANTILE_BATCH_VALUES / cols)));
    const x = xgb();
    const proxy: unknown[] = [null];
    check(x.XGProxyDMatrixCreate(proxy), 'XGProxyDMatrixCreate');
    const buffer = koffi.alloc('float', per * cols);
    const view = new Float32Array(koffi.view(buffer, per * cols * 4));
    const address = koffi.address(buffer) as bigint;
    let from = 0;
    let failure: unknown = null;
    // XGBoost calls these during its construction, on this thread; an exception must not cross it.
    const next = () => {
      try {
        if (from >= rows) return 0;
        const n = Math.min(per, rows - from);
        view.set(values.subarray(from * cols, (from + n) * cols));
        check(x.XGProxyDMatrixSetDataDense(proxy[0], denseArray(address, n, cols)), 'XGProxyDMatrixSetDataDense');
        from += n;
        return 1;
      } catch (error) {
        failure ??= error;
        return 0;
      }
    };
    const reset = () => {
      from = 0;
    };
    const config = JSON.stringify({ nthread: info.nthread ?? 0, max_bin: info.maxBin ?? 256 }).replace(
      '}',
      ',"missing":NaN}',
    );
    const out: unknown[] = [null];
    let code: number;
    try {
      code = x.XGQuantileDMatrixCreateFromCallback(null, proxy[0], null, reset, next, config, out);
    } finally {
      x.XGDMatrixFree(proxy[0]);
      koffi.free(buffer);
    }
    if (failure) {
      if (code === 0) x.XGDMatrixFree(out[0]);
      throw failure;
    }
    check(code, 'XGQuantileDMatrixCreateFromCallback');
    return DMatrix.wrap(out[0], rows, cols, info);
  }

  /** A DMatrix of a native handle XGBoost created, with `info` set. */
  private static wrap(handle: unknown, rows: number, cols: number, info: MatrixInfo): DMatrix {
    const matrix = Object.create(DMatrix.prototype) as DMatrix;
    Object.assign(matrix, { rows, cols, handle });
    matrix.adopt(info);
    return matrix;
  }

  private adopt(info: MatrixInfo): void {
    registry.register(this, { free: xgb().XGDMatrixFree, handle: this.handle }, this);
    const rows = this.rows;
    if (info.labels) this.setFloat('label', info.labels, rows);
    if (info.weights) this.setFloat('weight', info.weights, info.groups ? info.groups.length : rows);
    if (info.groups) {
      const total = info.groups.reduce((a, b) => a + b, 0);
      if (total !== rows) throw new Error(`DMatrix: query groups cover ${total} rows, the matrix has ${rows}`);
      check(
        xgb().XGDMatrixSetUIntInfo(this.handle, 'group', info.groups, info.groups.length),
        'XGDMatrixSetUIntInfo(group)',
      );
    }
  }

  private setFloat(field: string, values: Float32Array, expected: number): void {
    if (values.length !== expected)
      throw new Error(`DMatrix: ${field} has ${values.length} values, expected ${expected}`);
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

/** In-place prediction of values with every round; XGBoost's JSON reader takes NaN as the missing value. */
const DENSE_CONFIG = JSON.stringify({
  type: 0,
  training: false,
  iteration_begin: 0,
  iteration_end: 0,
  strict_shape: false,
  cache_id: 0,
}).replace('}', ',"missing":NaN}');

export type BoosterParams = Record<string, string | number | boolean>;

/** A trained or loaded XGBoost model. Call dispose() when done. */
export class Booster {
  private handle: unknown;
  /** Boosting rounds done. */
  rounds = 0;

  constructor(cache: DMatrix[] = []) {
    const out: unknown[] = [null];
    check(
      xgb().XGBoosterCreate(
        cache.map((d) => d.native),
        cache.length,
        out,
      ),
      'XGBoosterCreate',
    );
    this.handle = out[0];
    registry.register(this, { free: xgb().XGBoosterFree, handle: this.handle }, this);
  }

  private get native(): unknown {
    if (this.handle === null) throw new Error('Booster: used after dispose()');
    return this.handle;
  }

  setParams(params: BoosterParams): this {
    for (const [name, value] of Object.entries(params))
      check(xgb().XGBoosterSetParam(this.native, name, String(value)), `setting parameter ${name}=${value}`);
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
    check(
      xgb().XGBoosterEvalOneIter(
        this.native,
        this.rounds,
        sets.map(([d]) => d.native),
        sets.map(([, n]) => n),
        sets.length,
        out,
      ),
      'XGBoosterEvalOneIter',
    );
    const result: Record<string, Record<string, number>> = {};
    for (const part of String(out[0]).split('\t').slice(1)) {
      const [key, value] = part.split(':');
      const dash = key.indexOf('-');
      const set = key.slice(0, dash);
      (result[set] ??= {})[key.slice(dash + 1)] = Number(value);
    }
    return result;
  }

  /** Native memory the dense predictions read their input from, grown as needed (freed with the booster). */
  private input: { pointer: unknown; view: Float32Array; address: bigint } | null = null;

  /**
   * Predictions (the objective's output) for a dense row-major matrix of `rows` × `cols` float32
   * values, NaN for missing: XGBoost's in-place prediction, with no DMatrix built. The values are
   * copied into a buffer this booster keeps, so a request-sized call allocates nothing native. Equal
   * to `predict` on a DMatrix of the same values.
   */
  predictDense(values: Float32Array, rows: number, cols: number): Float32Array {
    const size = rows * cols;
    if (values.length < size) throw new Error(`predictDense: ${values.length} values for ${rows} × ${cols}`);
    if (!this.input || this.input.view.length < size) {
      if (this.input) koffi.free(this.input.pointer);
      const capacity = Math.max(size, 1024);
      const pointer = koffi.alloc('float', capacity);
      this.input = {
        pointer,
        view: new Float32Array(koffi.view(pointer, capacity * 4)),
        address: koffi.address(pointer) as bigint,
      };
    }
    this.input.view.set(values.subarray(0, size));
    const array = denseArray(this.input.address, rows, cols);
    const shape: unknown[] = [null];
    const dim: number[] = [0];
    const result: unknown[] = [null];
    check(
      xgb().XGBoosterPredictFromDense(this.native, array, DENSE_CONFIG, null, shape, dim, result),
      'XGBoosterPredictFromDense',
    );
    const dims = Array.from(koffi.decode(shape[0], 'uint64_t', Number(dim[0])) as ArrayLike<bigint | number>, Number);
    const n = dims.reduce((a, b) => a * b, 1);
    // Copied out of XGBoost's buffer, which the next call reuses.
    return Float32Array.from(koffi.decode(result[0], 'float', n) as Float32Array);
  }

  /**
   * Predictions for every row: probabilities (or the objective's output), margins, or SHAP
   * contributions (rows × (features + 1), bias last). Returns the values and their shape.
   */
  predict(
    data: DMatrix,
    kind: 'value' | 'margin' | 'contributions' = 'value',
    rounds = 0,
  ): { values: Float32Array; shape: number[] } {
    const type = { value: 0, margin: 1, contributions: 2 }[kind];
    // rounds = 0 uses every round; early stopping passes bestRound + 1.
    const config = JSON.stringify({
      type,
      training: false,
      iteration_begin: 0,
      iteration_end: rounds,
      strict_shape: false,
    });
    const shape: unknown[] = [null];
    const dim: number[] = [0];
    const result: unknown[] = [null];
    check(
      xgb().XGBoosterPredictFromDMatrix(this.native, data.native, config, shape, dim, result),
      'XGBoosterPredictFromDMatrix',
    );
    const dims = Array.from(koffi.decode(shape[0], 'uint64_t', Number(dim[0])) as ArrayLike<bigint | number>, Number);
    const n = dims.reduce((a, b) => a * b, 1);
    // Copied out of XGBoost's buffer, which the next call reuses.
    return { values: Float32Array.from(koffi.decode(result[0], 'float', n) as Float32Array), shape: dims };
  }

  /**
   * Feature importance by feature name (`names[i]` for XGBoost's f<i>): weight (splits), gain,
   * cover, total_gain or total_cover. Features never used in a split are absent.
   */
  importance(
    type: 'weight' | 'gain' | 'cover' | 'total_gain' | 'total_cover',
    names?: readonly string[],
  ): Record<string, number> {
    const n: unknown[] = [0];
    const features: unknown[] = [null];
    const dim: unknown[] = [0];
    const shape: unknown[] = [null];
    const scores: unknown[] = [null];
    check(
      xgb().XGBoosterFeatureScore(
        this.native,
        JSON.stringify({ importance_type: type }),
        n,
        features,
        dim,
        shape,
        scores,
      ),
      'XGBoosterFeatureScore',
    );
    const count = Number(n[0]);
    const keys = koffi.decode(features[0], 'const char *', count) as string[];
    const values = koffi.decode(scores[0], 'float', count) as Float32Array;
    return Object.fromEntries(
      keys.map((k, i) => {
        const index = /^f(\d+)$/.exec(k);
        return [names && index ? (names[Number(index[1])] ?? k) : k, values[i]];
      }),
    );
  }

  /** A new booster holding only the first `rounds` rounds (what early stopping keeps). */
  slice(rounds: number): Booster {
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > this.rounds)
      throw new Error(`Booster.slice: rounds must be from 1 to ${this.rounds}, got ${rounds}`);
    const out: unknown[] = [null];
    check(xgb().XGBoosterSlice(this.native, 0, rounds, 1, out), `slicing the first ${rounds} rounds`);
    const sliced = Object.create(Booster.prototype) as Booster;
    Object.assign(sliced, { handle: out[0], rounds });
    registry.register(sliced, { free: xgb().XGBoosterFree, handle: out[0] }, sliced);
    return sliced;
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
    if (this.input) koffi.free(this.input.pointer);
    this.input = null;
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
  /** Called after each round with its evaluation (progress reporting). */
  onRound?: (round: number, scores: Record<string, Record<string, number>>) => void;
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
    options.onRound?.(r, scores);
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
