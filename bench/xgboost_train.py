"""The Python side of the XGBoost comparison: the same matrix, parameters and rounds through
Debian's python3-xgboost (the same native library). Run by bench/xgboost.ts with /usr/bin/python3."""
import json
import os
import resource
import sys
import time

import numpy as np
import xgboost as xgb

folder = sys.argv[1]
meta = json.load(open(os.path.join(folder, 'meta.json')))
x = np.fromfile(os.path.join(folder, 'x.f32'), dtype=np.float32).reshape(meta['rows'], meta['cols'])
y = np.fromfile(os.path.join(folder, 'y.f32'), dtype=np.float32)
t0 = time.perf_counter()
matrix = xgb.DMatrix(x, label=y, missing=np.nan, nthread=meta['params']['nthread'])
if meta['groups']:
    matrix.set_group(np.fromfile(os.path.join(folder, 'group.u32'), dtype=np.uint32))
t1 = time.perf_counter()
booster = xgb.train(meta['params'], matrix, num_boost_round=meta['rounds'])
t2 = time.perf_counter()
checksum = float(booster.predict(matrix).astype(np.float64).sum())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps({'dmatrix_seconds': t1 - t0, 'train_seconds': t2 - t1, 'peak_rss_mb': peak, 'checksum': checksum}))
