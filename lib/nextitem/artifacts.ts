import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { InputError } from '../errors';
import type { Booster } from '../xgboost/index';
import { DEFAULT_NEXT_ITEM_PARAMS, nextItemModel, type NextItemModelParams, type NextItemReranker } from './model';
import type { PreparedLog } from './protocol';

/**
 * The file a registered session version keeps its model's answer-time parameters in, beside the
 * re-ranker. Its sources are not stored: like every kNN method, the training sessions are the model,
 * and they are fitted again from the data folder when the version is opened.
 */
export const NEXT_ITEM_FILE = 'next-item.json';

type Saved = Pick<NextItemModelParams, 'perSource' | 'maxNegatives' | 'maxValidSessions'>;

export function saveNextItemModel(dir: string, params: NextItemModelParams): void {
  const saved: Saved = {
    perSource: params.perSource,
    maxNegatives: params.maxNegatives,
    maxValidSessions: params.maxValidSessions,
  };
  writeFileSync(join(dir, NEXT_ITEM_FILE), `${JSON.stringify(saved, null, 2)}\n`);
}

/** A registered version's model: its saved re-ranker over sources fitted on `log`'s training sessions. */
export function openNextItemModel(
  dir: string,
  booster: Booster,
  log: Pick<PreparedLog, 'train' | 'items'>,
): NextItemReranker {
  const path = join(dir, NEXT_ITEM_FILE);
  let saved: Saved;
  try {
    saved = JSON.parse(readFileSync(path, 'utf8')) as Saved;
  } catch (error) {
    throw new InputError(`${path}: cannot be read (${(error as Error).message}); train the session family again`);
  }
  if (!(Number.isInteger(saved.perSource) && saved.perSource > 0))
    throw new InputError(`${path}: field 'perSource' must be a positive whole number`);
  const model = nextItemModel({ ...DEFAULT_NEXT_ITEM_PARAMS, ...saved });
  model.useBooster(booster, log.train, log.items.length);
  return model;
}
