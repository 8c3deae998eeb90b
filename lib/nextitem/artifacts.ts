import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { InputError } from '../errors';
import { flattenLists, readBlocks, unflattenLists, writeBlocks } from '../io/index';
import type { Embedding } from '../recommend/index';
import type { Booster } from '../xgboost/index';
import { keepSessionIndex, sessionIndex } from './baselines';
import {
  DEFAULT_NEXT_ITEM_PARAMS,
  NEXT_ITEM_FEATURES,
  nextItemModel,
  type NextItemModelParams,
  type NextItemReranker,
  type SourceLists,
} from './model';
import type { PreparedLog } from './protocol';

/**
 * The files a registered session version keeps beside its re-ranker: the model's answer-time
 * parameters and item ids (`next-item.json`) and its item2vec vectors (`item2vec.f32`, float32
 * little-endian, one row per id). The kNN and rule sources are not stored: like every kNN method,
 * the training sessions are the model, and they are fitted again from the data folder when the
 * version is opened.
 */
export const NEXT_ITEM_FILE = 'next-item.json';
export const NEXT_ITEM_EMBEDDING_FILE = 'item2vec.f32';

type Saved = Pick<NextItemModelParams, 'perSource' | 'maxNegatives' | 'maxValidSessions'> & {
  features: string[];
  embedding: { dim: number; items: string[] };
};

/** Writes a fitted model's files into a version folder; `items` are its item ids by index. */
export function saveNextItemModel(
  dir: string,
  params: NextItemModelParams,
  model: NextItemReranker,
  items: readonly string[],
): void {
  const embedding = model.embedding;
  if (!embedding) throw new Error('next-item model: fit it before saving');
  const saved: Saved = {
    perSource: params.perSource,
    maxNegatives: params.maxNegatives,
    maxValidSessions: params.maxValidSessions,
    features: [...NEXT_ITEM_FEATURES],
    embedding: { dim: embedding.dim, items: [...items] },
  };
  writeFileSync(join(dir, NEXT_ITEM_FILE), `${JSON.stringify(saved)}\n`);
  const v = embedding.vectors;
  writeFileSync(join(dir, NEXT_ITEM_EMBEDDING_FILE), new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
}

/**
 * A registered version's model: its saved re-ranker and item2vec over sources fitted on `log`'s
 * training sessions. Saved vectors follow the items by id; an item the version never saw has none.
 */
export function openNextItemModel(
  dir: string,
  booster: Booster,
  log: Pick<PreparedLog, 'train' | 'items'>,
  /** AR's and SR's lists already fitted on `log` (see saveServingSources), instead of fitting them again. */
  lists?: SourceLists,
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
  if (JSON.stringify(saved.features) !== JSON.stringify(NEXT_ITEM_FEATURES) || !saved.embedding) {
    throw new InputError(
      `${path}: this version was trained by an earlier shoplab with other re-ranker features; train the session family again`,
    );
  }
  const { dim, items } = saved.embedding;
  const vectorsPath = join(dir, NEXT_ITEM_EMBEDDING_FILE);
  let bytes: Buffer;
  try {
    bytes = readFileSync(vectorsPath);
  } catch (error) {
    throw new InputError(
      `${vectorsPath}: cannot be read (${(error as Error).message}); train the session family again`,
    );
  }
  if (!(Number.isInteger(dim) && dim > 0) || bytes.byteLength !== items.length * dim * 4)
    throw new InputError(
      `${vectorsPath}: holds ${bytes.byteLength} bytes, not ${items.length} × ${dim} float32 vectors`,
    );
  const stored = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const row = new Map(items.map((id, i) => [id, i]));
  const vectors = new Float32Array(log.items.length * dim);
  log.items.forEach((id, i) => {
    const r = row.get(id);
    if (r !== undefined) vectors.set(stored.subarray(r * dim, (r + 1) * dim), i * dim);
  });
  const embedding: Embedding = { dim, vectors };
  const model = nextItemModel({
    ...DEFAULT_NEXT_ITEM_PARAMS,
    perSource: saved.perSource,
    maxNegatives: saved.maxNegatives,
    maxValidSessions: saved.maxValidSessions,
  });
  model.useBooster(booster, log.train, log.items.length, embedding, lists);
  return model;
}

/**
 * What the service fits a session version's sources on, kept beside the version: every session of
 * the data folder (the click sequences and the item ids) and the item-to-item lists fitted on them
 * (the slow part of a fit), in a blocks file stamped with the events file's sha256. The service
 * reads it at start; with another history it reads the sessions and fits again.
 */
export const SERVING_SOURCES_FILE = 'serving-sources.bin';
const SOURCES_FORMAT = 2;

/** Writes the serving sessions and their fitted lists (atomically). */
export function saveServingSources(
  path: string,
  log: Pick<PreparedLog, 'train' | 'items'>,
  lists: SourceLists,
  stamp: string,
): void {
  const blocks: Record<string, Int32Array> = {};
  const train = flattenLists(log.train);
  blocks['train.start'] = train.start;
  blocks['train.items'] = train.values;
  // And the kNN sources' index of the sessions (the slow part of their fit).
  const index = sessionIndex(log.train, log.items.length);
  for (const [name, l] of [
    ...Object.entries(lists),
    ['distinct', index.distinct],
    ['sessionsOf', index.sessionsOf],
  ] as const) {
    const flat = flattenLists(l);
    blocks[`${name}.start`] = flat.start;
    blocks[`${name}.items`] = flat.values;
  }
  writeBlocks(
    path,
    { format: SOURCES_FORMAT, stamp, items: log.items, lists: Object.keys(lists) },
    {
      ...blocks,
      clicks: index.clicks,
    },
  );
}

/** The serving sessions and lists a file holds, or null when there is none or it is of another history. */
export function loadServingSources(
  path: string,
  stamp: string,
): { log: Pick<PreparedLog, 'train' | 'items'>; lists: SourceLists } | null {
  if (!existsSync(path)) return null;
  const { meta, blocks } = readBlocks(path);
  const m = meta as { format: number; stamp: string; items: string[]; lists: string[] };
  if (m?.format !== SOURCES_FORMAT || m.stamp !== stamp) return null;
  const list = (name: string) =>
    unflattenLists(blocks[`${name}.start`] as Int32Array, blocks[`${name}.items`] as Int32Array);
  const train = list('train');
  keepSessionIndex(train, {
    items: m.items.length,
    distinct: list('distinct'),
    sessionsOf: list('sessionsOf'),
    clicks: blocks.clicks as Float64Array,
  });
  return {
    log: { items: m.items, train },
    lists: Object.fromEntries(m.lists.map((name) => [name, list(name)])),
  };
}
