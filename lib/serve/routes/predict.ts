import type { FastifyPluginAsync } from 'fastify';

import { predictionsCsv, predictionsHeader, sellerName } from '../../classify/index';
import { predictCategories } from '../category';
import { httpError } from '../http';
import { eventTimeMs } from '../../live/index';
import { predictPurchasesFast } from '../purchase-index';
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
          "Top-3 categories with probabilities for 1 to 1000 products, from title, brand, seller and price. The body is JSON, or CSV (Content-Type: text/csv; a header naming title and any of id, brand, seller, seller_id, price). With Accept: text/csv the answer is CSV: id (or the row's number), then category and probability for each rank; the model version is in the X-Model-Version header.",
        body: CategoryBody,
        response: answers(CategoryAnswer),
      },
    },
    async (request, reply) => {
      const model = service.need('category');
      const { products } = request.body;
      const predictions = predictCategories(
        model,
        products.map((p) => ({
          title: p.title,
          brand: p.brand ?? null,
          seller: sellerName(p.seller, p.seller_id),
          seller_id: p.seller_id ?? null,
          price: p.price ?? null,
        })),
      );
      if (prefersCsv(request.headers.accept)) {
        void reply.header('x-model-version', String(model.version)).type('text/csv; charset=utf-8');
        return (
          predictionsHeader() +
          predictionsCsv(
            products.map((p) => p.id ?? null),
            predictions,
          )
        );
      }
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
          "Purchase probability of 1 to 1000 sessions right after their last event, from the training set's session-prefix features (computed in TypeScript, held equal to the training SQL by a test).",
        body: PurchaseBody,
        response: answers(PurchaseAnswer),
      },
    },
    async (request) => {
      const model = service.need('purchase');
      if (!service.purchaseIndex)
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
      const { probabilities } = predictPurchasesFast(service.purchaseIndex, model, sessions);
      return { model_version: model.version, probabilities };
    },
  );
};

/** Whether an Accept header asks for CSV before JSON (no header, or any other type, answers JSON). */
export function prefersCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranked = accept
    .split(',')
    .map((part, i) => {
      const [type, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
      return { type: type.trim(), q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((x) => x.q > 0 && ['text/csv', 'application/json', '*/*', 'application/*', 'text/*'].includes(x.type))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked.length > 0 && ranked[0].type === 'text/csv';
}
