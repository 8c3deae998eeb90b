import type { FastifyPluginAsync } from 'fastify';

import { httpError } from '../http';
import {
  answers,
  MAX_RECOMMENDATIONS,
  RecommendAnswer,
  RecommendParams,
  RecommendQuery,
  SessionAnswer,
  SessionParams,
} from '../schemas';
import { MAX_PREFIX } from '../sessions';
import type { RouteOptions } from './context';

/** The `k` query parameter: 20 when absent, else 1 to MAX_RECOMMENDATIONS. */
function listLength(kText: string | undefined): number {
  const k = kText === undefined ? 20 : Number(kText);
  if (!(k >= 1 && k <= MAX_RECOMMENDATIONS))
    throw httpError(400, `k: must be from 1 to ${MAX_RECOMMENDATIONS}, got ${kText}`, 'k');
  return k;
}

/** A known user's live recommendations, and a session's next items. */
export const recommendRoutes: FastifyPluginAsync<RouteOptions> = async (app, { service }) => {
  app.get<{ Params: RecommendParams; Querystring: RecommendQuery }>(
    '/v1/recommend/:user_id',
    {
      schema: {
        description:
          `The top k (default 20, at most ${MAX_RECOMMENDATIONS}) products for a user from their live state: co-visitation, item2vec, category, trending and popular candidates re-ranked by the production model. ` +
          'A user with no touched product yet gets trending and popular products (cold_start: true).',
        params: RecommendParams,
        querystring: RecommendQuery,
        response: answers(RecommendAnswer),
      },
    },
    async (request) => {
      const live = service.recommender;
      if (!live)
        throw httpError(
          503,
          `no production recommend model under ${service.catalog.models.family('recommend')}: run make models`,
        );
      const user = Number(request.params.user_id);
      const k = listLength(request.query.k);
      return { model_version: live.reranker.version, user_id: user, ...live.recommend(user, k) };
    },
  );

  app.get<{ Params: SessionParams; Querystring: RecommendQuery }>(
    '/v1/recommend/session/:session_id',
    {
      schema: {
        description:
          `The next k (default 20, at most ${MAX_RECOMMENDATIONS}) products for a session, anonymous or not, from its product views so far (the last ${MAX_PREFIX}): ` +
          "session-kNN, sequential-rule, association-rule, item-kNN and the session's own items re-ranked by the production session model. Every event posted to /v1/events changes the next answer. " +
          "A session with no view yet gets its user's recent products when it carries a known user_id (from_user_history: true), otherwise the most viewed products (cold_start: true).",
        params: SessionParams,
        querystring: RecommendQuery,
        response: answers(SessionAnswer),
      },
    },
    async (request) => {
      const sessions = service.sessions;
      if (!sessions)
        throw httpError(
          503,
          `no production session model under ${service.catalog.models.family('session')}: run make models`,
        );
      const k = listLength(request.query.k);
      return {
        model_version: sessions.version.version,
        session_id: request.params.session_id,
        ...sessions.recommend(request.params.session_id, k),
      };
    },
  );
};
