import type { FastifyPluginAsync } from 'fastify';

import { predictCategories } from '../category';
import { httpError } from '../http';
import { eventTimeMs, predictPurchases } from '../purchase';
import { rankWithIndex } from '../rank-index';
import { answers, CategoryAnswer, CategoryBody, PurchaseAnswer, PurchaseBody, RankAnswer, RankBody } from '../schemas';
import type { RouteOptions } from './context';

/** The model families' predictions: ranking a search's products, a session's purchase probability, a product's category. */
export const predictRoutes: FastifyPluginAsync<RouteOptions> = async (app, { service }) => {
  app.post<{ Body: CategoryBody }>(
    '/v1/predict/category',
    {
      schema: {
        description:
          'Top-3 leaf categories with probabilities for 1 to 1000 products, from title, brand, seller and price.',
        body: CategoryBody,
        response: answers(CategoryAnswer),
      },
    },
    async (request) => {
      const model = service.need('category');
      const predictions = predictCategories(
        model,
        request.body.products.map((p) => ({
          title: p.title,
          brand: p.brand ?? null,
          seller_id: p.seller_id ?? null,
          price: p.price ?? null,
        })),
      );
      return { model_version: model.version, predictions };
    },
  );

  app.post<{ Body: RankBody }>(
    '/v1/rank',
    {
      schema: {
        description:
          "Orders a search's candidate products (in the order the search engine returned them) by the ranking model; unknown products are ranked on cold-start features and flagged.",
        body: RankBody,
        response: answers(RankAnswer),
      },
    },
    async (request) => {
      const model = service.need('ranking');
      if (!service.rankingIndex)
        throw httpError(
          503,
          `the serving feature store under ${service.catalog.features.dir}/store is incomplete: run make data`,
        );
      const { results } = rankWithIndex(service.rankingIndex, model, request.body);
      return { model_version: model.version, results };
    },
  );

  app.post<{ Body: PurchaseBody }>(
    '/v1/predict/purchase',
    {
      schema: {
        description:
          "Purchase probability of 1 to 1000 sessions right after their last event, from the training set's own session-prefix features.",
        body: PurchaseBody,
        response: answers(PurchaseAnswer),
      },
    },
    async (request) => {
      const model = service.need('purchase');
      if (!service.storeReady)
        throw httpError(
          503,
          `no serving feature store at ${service.catalog.features.store('user_totals')}: run make data`,
        );
      const { sessions } = request.body;
      sessions.forEach((session, s) =>
        session.events.forEach((e, i) => {
          if (Number.isNaN(eventTimeMs(e.event_time)))
            throw httpError(
              400,
              `sessions[${s}].events[${i}].event_time: not a date-time`,
              `sessions[${s}].events[${i}].event_time`,
            );
        }),
      );
      const { probabilities } = await service.serially(() => predictPurchases(service.con, model, sessions));
      return { model_version: model.version, probabilities };
    },
  );
};
