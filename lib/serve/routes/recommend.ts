import type { FastifyPluginAsync } from 'fastify';

import { httpError } from '../http';
import { answers, MAX_RECOMMENDATIONS, RecommendAnswer, RecommendParams, RecommendQuery } from '../schemas';
import type { RouteOptions } from './context';

/** A known user's live recommendations. */
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
      const kText = request.query.k;
      const k = kText === undefined ? 20 : Number(kText);
      if (!(k >= 1 && k <= MAX_RECOMMENDATIONS))
        throw httpError(400, `k: must be from 1 to ${MAX_RECOMMENDATIONS}, got ${kText}`, 'k');
      return { model_version: live.reranker.version, user_id: user, ...live.recommend(user, k) };
    },
  );
};
