import { existsSync } from 'node:fs';
import koffi from 'koffi';

/**
 * The native XGBoost library (Debian's libxgboost0, XGBoost 1.7) through koffi. Every call's
 * return code is checked: a non-zero one becomes an Error carrying XGBGetLastError()'s text.
 */
export const DEFAULT_LIBRARY = '/usr/lib/x86_64-linux-gnu/libxgboost.so.0';

function load() {
  const path = process.env.XGBOOST_LIBRARY ?? DEFAULT_LIBRARY;
  if (!existsSync(path)) {
    throw new Error(
      `XGBoost library not found at ${path}: install it with 'apt-get install libxgboost0' (make setup does), or set XGBOOST_LIBRARY to its path`,
    );
  }
  const lib = koffi.load(path);
  // The callbacks a QuantileDMatrix pulls its batches with (called during its construction only).
  koffi.proto('void DataIterResetCallback(void *iter)');
  koffi.proto('int XGDMatrixCallbackNext(void *iter)');
  return {
    XGBGetLastError: lib.func('const char *XGBGetLastError()'),
    XGDMatrixCreateFromMat_omp: lib.func(
      'int XGDMatrixCreateFromMat_omp(const float *data, uint64_t nrow, uint64_t ncol, float missing, _Out_ void **out, int nthread)',
    ),
    XGDMatrixCreateFromCSREx: lib.func(
      'int XGDMatrixCreateFromCSREx(const uint64_t *indptr, const uint32_t *indices, const float *data, uint64_t nindptr, uint64_t nelem, uint64_t ncol, _Out_ void **out)',
    ),
    XGDMatrixSetFloatInfo: lib.func(
      'int XGDMatrixSetFloatInfo(void *handle, const char *field, const float *array, uint64_t len)',
    ),
    XGDMatrixSetUIntInfo: lib.func(
      'int XGDMatrixSetUIntInfo(void *handle, const char *field, const uint32_t *array, uint64_t len)',
    ),
    XGProxyDMatrixCreate: lib.func('int XGProxyDMatrixCreate(_Out_ void **out)'),
    XGProxyDMatrixSetDataDense: lib.func('int XGProxyDMatrixSetDataDense(void *handle, const char *array)'),
    XGQuantileDMatrixCreateFromCallback: lib.func(
      'int XGQuantileDMatrixCreateFromCallback(void *iter, void *proxy, void *ref, DataIterResetCallback *reset, XGDMatrixCallbackNext *next, const char *config, _Out_ void **out)',
    ),
    XGDMatrixNumRow: lib.func('int XGDMatrixNumRow(void *handle, _Out_ uint64_t *out)'),
    XGDMatrixFree: lib.func('int XGDMatrixFree(void *handle)'),
    XGBoosterCreate: lib.func('int XGBoosterCreate(void **dmats, uint64_t len, _Out_ void **out)'),
    XGBoosterSetParam: lib.func('int XGBoosterSetParam(void *handle, const char *name, const char *value)'),
    XGBoosterUpdateOneIter: lib.func('int XGBoosterUpdateOneIter(void *handle, int iter, void *dtrain)'),
    XGBoosterEvalOneIter: lib.func(
      'int XGBoosterEvalOneIter(void *handle, int iter, void **dmats, const char **names, uint64_t len, _Out_ const char **out)',
    ),
    XGBoosterPredictFromDMatrix: lib.func(
      'int XGBoosterPredictFromDMatrix(void *handle, void *dmat, const char *config, _Out_ uint64_t **shape, _Out_ uint64_t *dim, _Out_ float **result)',
    ),
    XGBoosterPredictFromDense: lib.func(
      'int XGBoosterPredictFromDense(void *handle, const char *values, const char *config, void *m, _Out_ uint64_t **shape, _Out_ uint64_t *dim, _Out_ float **result)',
    ),
    XGBoosterFeatureScore: lib.func(
      'int XGBoosterFeatureScore(void *handle, const char *config, _Out_ uint64_t *nfeatures, _Out_ const char ***features, _Out_ uint64_t *dim, _Out_ uint64_t **shape, _Out_ float **scores)',
    ),
    XGBoosterSlice: lib.func(
      'int XGBoosterSlice(void *handle, int begin_layer, int end_layer, int step, _Out_ void **out)',
    ),
    XGBoosterSaveModel: lib.func('int XGBoosterSaveModel(void *handle, const char *fname)'),
    XGBoosterLoadModel: lib.func('int XGBoosterLoadModel(void *handle, const char *fname)'),
    XGBoosterFree: lib.func('int XGBoosterFree(void *handle)'),
  };
}

let native: ReturnType<typeof load> | undefined;

/** The bound functions, loaded on first use so a missing library is reported where it matters. */
export function xgb() {
  native ??= load();
  return native;
}

/** Throws with XGBoost's own message when a call returned non-zero. */
export function check(code: number, what: string): void {
  if (code !== 0) throw new Error(`XGBoost ${what} failed: ${xgb().XGBGetLastError()}`);
}

export { koffi };
