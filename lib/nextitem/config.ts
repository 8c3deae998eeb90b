import { checkItem2VecParams, type Item2VecParams } from '../recommend/index';
import { configFields } from '../train/index';

/** The session family's own settings (`families.session.session` of the training config). */
export interface SessionSettings {
  /** Candidates taken from each source (SKNN, V-SKNN, SR, AR, iKNN, S-POP, item2vec). */
  per_source: number;
  /** Negatives kept per learning prefix (a seeded sample). */
  max_negatives: number;
  /** At most this many of the validation period's sessions teach the re-ranker (the most recent). */
  rerank_sessions: number;
  /** At most this many test sessions are replayed (a seeded sample; every prefix of each). */
  test_sessions: number;
  /** item2vec over the training sessions: a candidate list and two features of the re-ranker. */
  embedding: Item2VecParams;
}

/** Checks `families.session.session`; every problem names the file and field. */
export function checkSessionSettings(raw: unknown, path: string, at: string): SessionSettings {
  const { object, number } = configFields(path);
  const r = object(raw, at);
  return {
    per_source: number(r.per_source, `${at}.per_source`, 1, 1000, true),
    max_negatives: number(r.max_negatives, `${at}.max_negatives`, 1, 10_000, true),
    rerank_sessions: number(r.rerank_sessions, `${at}.rerank_sessions`, 2, 10_000_000, true),
    test_sessions: number(r.test_sessions, `${at}.test_sessions`, 1, 10_000_000, true),
    embedding: checkItem2VecParams(r.embedding, path, `${at}.embedding`),
  };
}
