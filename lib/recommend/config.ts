import { configFields } from '../train/index';
import { SOURCES } from './candidates';
import type { RecommendSettings } from './fit';
import type { Item2VecParams } from './item2vec';

/** Checks an item2vec settings block (the recommend and session families both have one). */
export function checkItem2VecParams(raw: unknown, path: string, at: string): Item2VecParams {
  const { object, number } = configFields(path);
  const o = object(raw, at);
  return {
    dim: number(o.dim, `${at}.dim`, 2, 512, true),
    window: number(o.window, `${at}.window`, 1, 50, true),
    negatives: number(o.negatives, `${at}.negatives`, 1, 50, true),
    max_pairs: number(o.max_pairs, `${at}.max_pairs`, 1, 1e9, true),
    epochs: number(o.epochs, `${at}.epochs`, 1, 100, true),
    batch: number(o.batch, `${at}.batch`, 1, 1_000_000, true),
    learning_rate: number(o.learning_rate, `${at}.learning_rate`, 1e-6, 10, false),
  };
}

/** Checks `families.recommend.recommend` of the training config; every problem names the file and field. */
export function checkRecommendSettings(raw: unknown, path: string, at: string): RecommendSettings {
  const { object, number } = configFields(path);
  const r = object(raw, at);
  const section = <K extends string>(name: string, fields: Record<K, [number, number, boolean]>) => {
    const o = object(r[name], `${at}.${name}`);
    return Object.fromEntries(
      (Object.entries(fields) as [K, [number, number, boolean]][]).map(([k, [min, max, integer]]) => [
        k,
        number(o[k], `${at}.${name}.${k}`, min, max, integer),
      ]),
    ) as Record<K, number>;
  };
  const candidates = object(r.candidates, `${at}.candidates`);
  const perSource = object(candidates.per_source, `${at}.candidates.per_source`);
  return {
    covisit: section('covisit', {
      window: [1, 50, true],
      neighbours: [1, 1000, true],
      half_life_days: [0.01, 10_000, false],
    }),
    popularity: section('popularity', {
      half_life_days: [0.01, 10_000, false],
      trend_days: [1, 365, true],
      per_category: [1, 100_000, true],
    }),
    embedding: checkItem2VecParams(r.embedding, path, `${at}.embedding`),
    candidates: {
      per_source: Object.fromEntries(
        SOURCES.map((s) => [s, number(perSource[s], `${at}.candidates.per_source.${s}`, 20, 10_000, true)]),
      ) as RecommendSettings['candidates']['per_source'],
      recency_decay: number(candidates.recency_decay, `${at}.candidates.recency_decay`, 0, 1, false),
    },
    rerank_sessions: number(r.rerank_sessions, `${at}.rerank_sessions`, 10, 10_000_000, true),
    early_stopping_share: number(r.early_stopping_share, `${at}.early_stopping_share`, 0.05, 0.5, false),
    test_sessions: number(r.test_sessions, `${at}.test_sessions`, 10, 10_000_000, true),
  };
}
